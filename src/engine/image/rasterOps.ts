// Crop, paste and mask resampling on RasterImage / GrayMask (pure TypeScript, exact and cheap).
import type { GrayMask, RasterImage } from '../../common/image/imageTypes';
import type { Rect } from '../../common/mask/maskRect';

export function cropRaster(image: RasterImage, box: Rect): RasterImage {
  const { channels } = image;
  const data = new Uint8Array(box.width * box.height * channels);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * image.width + box.x) * channels;
    data.set(image.data.subarray(from, from + box.width * channels), y * box.width * channels);
  }
  return { width: box.width, height: box.height, channels, data };
}

export function cropMask(mask: GrayMask, box: Rect): GrayMask {
  const data = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (box.y + y) * mask.width + box.x;
    data.set(mask.data.subarray(from, from + box.width), y * box.width);
  }
  return { width: box.width, height: box.height, data };
}

/** A copy of `target` with `source` (same channel count or RGB into RGBA) pasted at (x, y). */
export function pasteRaster(target: RasterImage, source: RasterImage, x: number, y: number): RasterImage {
  const out = { ...target, data: target.data.slice() };
  for (let row = 0; row < source.height; row++) {
    for (let col = 0; col < source.width; col++) {
      const s = (row * source.width + col) * source.channels;
      const t = ((y + row) * target.width + x + col) * target.channels;
      for (let c = 0; c < 3; c++) out.data[t + c] = source.data[s + c];
      if (target.channels === 4) out.data[t + 3] = source.channels === 4 ? source.data[s + 3] : 255;
    }
  }
  return out;
}

/** Bilinear resampling (pixel centres aligned, like torch interpolate align_corners=False). */
export function resizeMaskBilinear(mask: GrayMask, width: number, height: number): GrayMask {
  if (mask.width === width && mask.height === height) return { width, height, data: mask.data.slice() };
  const out = new Float32Array(width * height);
  const sx = mask.width / width;
  const sy = mask.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), mask.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, mask.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), mask.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, mask.width - 1);
      const wx = fx - x0;
      const top = mask.data[y0 * mask.width + x0] * (1 - wx) + mask.data[y0 * mask.width + x1] * wx;
      const bottom = mask.data[y1 * mask.width + x0] * (1 - wx) + mask.data[y1 * mask.width + x1] * wx;
      out[y * width + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return { width, height, data: out };
}
