// `generate --previews FILE.png`: the step previews of the first image side by side, each scaled to the output's
// size, then the final image: the image forming out of noise, left to right.
import type { PreviewImage } from '../common/protocol/engineProtocol';
import { resizeImage } from '../node/image/imageCodec';
import type { RasterImage } from '../common/image/imageTypes';

/** One row: every preview scaled (nearest-looking Lanczos) to width × height, then `final`. RGB. */
export async function previewStrip(previews: readonly PreviewImage[], final: RasterImage): Promise<RasterImage> {
  const { width, height } = final;
  const frames: RasterImage[] = [];
  for (const p of previews) {
    frames.push(await resizeImage(toRgb({ width: p.width, height: p.height, channels: 4, data: p.rgba }), width, height, 'fill'));
  }
  frames.push(toRgb(final));
  const stripWidth = width * frames.length;
  const data = new Uint8Array(stripWidth * height * 3);
  frames.forEach((frame, f) => {
    for (let y = 0; y < height; y++) {
      data.set(frame.data.subarray(y * width * 3, (y + 1) * width * 3), (y * stripWidth + f * width) * 3);
    }
  });
  return { width: stripWidth, height, channels: 3, data };
}

function toRgb(image: RasterImage): RasterImage {
  if (image.channels === 3) return image;
  const data = new Uint8Array(image.width * image.height * 3);
  for (let i = 0; i < image.width * image.height; i++) data.set(image.data.subarray(i * 4, i * 4 + 3), i * 3);
  return { width: image.width, height: image.height, channels: 3, data };
}
