// Bilinear resize of a one-channel float mask, with PyTorch's F.interpolate(mode='bilinear', align_corners=False)
// sampling (half-pixel centres, edges clamped): what RMBG-1.4's postprocess_image uses to bring the mask back to
// the image's size (briaai/RMBG-1.4 utilities.py).
import type { GrayMask } from '../../common/image/imageTypes';

export function resizeMaskBilinear(mask: GrayMask, width: number, height: number): GrayMask {
  if (mask.width === width && mask.height === height) return { width, height, data: mask.data.slice() };
  const out = new Float32Array(width * height);
  const sx = mask.width / width;
  const sy = mask.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(mask.height - 1, Math.floor(fy));
    const y1 = Math.min(mask.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(mask.width - 1, Math.floor(fx));
      const x1 = Math.min(mask.width - 1, x0 + 1);
      const wx = fx - x0;
      const top = mask.data[y0 * mask.width + x0] * (1 - wx) + mask.data[y0 * mask.width + x1] * wx;
      const bottom = mask.data[y1 * mask.width + x0] * (1 - wx) + mask.data[y1 * mask.width + x1] * wx;
      out[y * width + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return { width, height, data: out };
}
