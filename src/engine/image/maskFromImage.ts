// An inpainting mask from a painted mask image (white = repaint, black = keep), as A1111 reads it:
// mask.convert('L'), an 8-bit image, which its "Mask blur" then blurs (the one feather, src/common/mask/maskFilters.ts).
import { assertRasterImage, type GrayMask, type RasterImage } from '../../common/image/imageTypes';
import type { Mask } from '../../common/mask/maskRect';

/** Pillow src/libImaging/Convert.c L24: ITU-R 601-2 luma in 16-bit fixed point, rounded. */
const L24_R = 19595;
const L24_G = 38470;
const L24_B = 7471;
const L24_ROUND = 0x8000;
const L24_SHIFT = 16;
const OPAQUE = 255;

/**
 * PIL convert('L') luminance, multiplied by alpha / 255 (rounded) when the mask image has alpha (a transparent
 * pixel keeps). The mask image must already be width × height.
 */
export function maskFromImage(image: RasterImage, width: number, height: number): Mask {
  assertRasterImage(image, 'mask image');
  if (image.width !== width || image.height !== height) {
    throw new Error(`mask image is ${image.width}x${image.height} but the image to inpaint is ${width}x${height}; resize the mask first`);
  }
  const { data, channels } = image;
  const out = new Uint8Array(width * height);
  for (let p = 0, i = 0; p < out.length; p++, i += channels) {
    const luma = (data[i] * L24_R + data[i + 1] * L24_G + data[i + 2] * L24_B + L24_ROUND) >> L24_SHIFT;
    out[p] = channels === 4 ? Math.round((luma * data[i + 3]) / OPAQUE) : luma;
  }
  return { width, height, data: out };
}

/** The 8-bit mask as the engine's soft mask: value / 255, 0 = keep, 1 = repaint. */
export function toGrayMask(mask: Mask): GrayMask {
  const data = new Float32Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = mask.data[i]! / OPAQUE;
  return { width: mask.width, height: mask.height, data };
}
