// An inpainting mask from a painted mask image: white = repaint, black = keep.
import { assertRasterImage, type GrayMask, type RasterImage } from '../../common/image/imageTypes';

/** PIL convert('L') weights, ITU-R 601-2 luma: L = (R·299 + G·587 + B·114) / 1000. */
const LUMA_R = 299;
const LUMA_G = 587;
const LUMA_B = 114;
const LUMA_SCALE = 1000;

/**
 * Luminance / 255, multiplied by alpha / 255 when the mask image has alpha (a transparent pixel keeps).
 * The mask image must already be width × height.
 */
export function maskFromImage(image: RasterImage, width: number, height: number): GrayMask {
  assertRasterImage(image, 'mask image');
  if (image.width !== width || image.height !== height) {
    throw new Error(`mask image is ${image.width}x${image.height} but the image to inpaint is ${width}x${height}; resize the mask first`);
  }
  const { data, channels } = image;
  const out = new Float32Array(width * height);
  for (let p = 0, i = 0; p < out.length; p++, i += channels) {
    let value = (data[i] * LUMA_R + data[i + 1] * LUMA_G + data[i + 2] * LUMA_B) / (LUMA_SCALE * 255);
    if (channels === 4) value *= data[i + 3] / 255;
    out[p] = value;
  }
  return { width, height, data: out };
}
