import type { RasterImage } from '../../common/image/imageTypes';

/**
 * The image centred in a width × height canvas, the border filled by repeating the edge pixels (numpy's
 * pad mode "edge"): the img2img source at the size the UNet takes, so that the centre crop after decoding lines up
 * with the source pixel for pixel.
 */
export function padEdges(image: RasterImage, width: number, height: number): RasterImage {
  if (image.width === width && image.height === height) return image;
  const { channels } = image;
  const left = Math.floor((width - image.width) / 2);
  const top = Math.floor((height - image.height) / 2);
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, y - top));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, x - left));
      const from = (sy * image.width + sx) * channels;
      const to = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) data[to + c] = image.data[from + c];
    }
  }
  return { width, height, channels, data };
}
