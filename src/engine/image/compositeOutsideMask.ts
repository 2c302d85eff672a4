// Paste the generated pixels only where the mask asks for a repaint, keeping the original bytes
// everywhere else (the role of A1111's modules/processing.py apply_overlay and diffusers' image_processor.py VaeImageProcessor.apply_overlay).
import { assertGrayMask, assertRasterImage, type GrayMask, type RasterImage } from '../../common/image/imageTypes';

const OPAQUE = 255;

/**
 * Result has the original's channel count. mask 0 → original bytes exactly (alpha included);
 * mask 1 → generated RGB with alpha 255; in between round(orig·(1−m) + gen·m) per channel and
 * alpha round(orig·(1−m) + 255·m). Mask values are clamped to [0, 1].
 */
export function compositeOutsideMask(original: RasterImage, generated: RasterImage, mask: GrayMask): RasterImage {
  assertRasterImage(original, 'original image');
  assertRasterImage(generated, 'generated image');
  assertGrayMask(mask);
  const { width, height } = original;
  if (generated.width !== width || generated.height !== height || mask.width !== width || mask.height !== height) {
    throw new Error(
      `compositeOutsideMask: sizes differ (original ${width}x${height}, generated ${generated.width}x${generated.height}, mask ${mask.width}x${mask.height})`,
    );
  }
  const oc = original.channels;
  const gc = generated.channels;
  const src = original.data;
  const gen = generated.data;
  const out = new Uint8Array(src.length);
  const pixels = width * height;
  for (let p = 0, o = 0, g = 0; p < pixels; p++, o += oc, g += gc) {
    const m = mask.data[p];
    if (!(m > 0)) {
      // 0, negative or NaN: keep the original exactly
      for (let c = 0; c < oc; c++) out[o + c] = src[o + c];
    } else if (m >= 1) {
      out[o] = gen[g];
      out[o + 1] = gen[g + 1];
      out[o + 2] = gen[g + 2];
      if (oc === 4) out[o + 3] = OPAQUE;
    } else {
      const keep = 1 - m;
      out[o] = Math.round(src[o] * keep + gen[g] * m);
      out[o + 1] = Math.round(src[o + 1] * keep + gen[g + 1] * m);
      out[o + 2] = Math.round(src[o + 2] * keep + gen[g + 2] * m);
      if (oc === 4) out[o + 3] = Math.round(src[o + 3] * keep + OPAQUE * m);
    }
  }
  return { width, height, channels: oc, data: out };
}
