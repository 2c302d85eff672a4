// A1111 "Mask blur" (modules/processing.py StableDiffusionProcessingImg2Img.init, facts §7):
// cv2.GaussianBlur horizontally with kernel (2·int(2.5σ+0.5)+1, 1), then vertically with (1, same),
// border BORDER_REFLECT_101 (OpenCV's default). Works on floats (A1111 blurs an 8-bit image).
import { assertGrayMask, type GrayMask } from '../../common/image/imageTypes';

/** Gaussian-blurred copy of the mask; sigmaY defaults to sigma; sigma 0 returns a copy. */
export function featherMask(mask: GrayMask, sigma: number, sigmaY: number = sigma): GrayMask {
  assertGrayMask(mask);
  if (!(sigma >= 0) || !(sigmaY >= 0)) throw new Error(`mask blur sigma must be ≥ 0, got ${sigma}/${sigmaY}`);
  const { width, height } = mask;
  let data: Float32Array = mask.data.slice();
  if (sigma > 0) data = blurAxis(data, width, height, gaussianKernel(sigma), true);
  if (sigmaY > 0) data = blurAxis(data, width, height, gaussianKernel(sigmaY), false);
  return { width, height, data };
}

/** cv2.getGaussianKernel(ksize, sigma) with A1111's ksize = 2·int(2.5σ + 0.5) + 1: normalised exp(−x²/2σ²). */
export function gaussianKernel(sigma: number): Float64Array {
  const size = 2 * Math.trunc(2.5 * sigma + 0.5) + 1;
  const kernel = new Float64Array(size);
  const centre = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - centre;
    kernel[i] = Math.exp(-(x * x) / (2 * sigma * sigma));
    sum += kernel[i];
  }
  for (let i = 0; i < size; i++) kernel[i] /= sum;
  return kernel;
}

/** OpenCV borderInterpolate for BORDER_REFLECT_101 (…cb|abcd|cb…), repeated for kernels wider than the image. */
export function reflect101(p: number, length: number): number {
  if (length === 1) return 0;
  while (p < 0 || p >= length) p = p < 0 ? -p : 2 * (length - 1) - p;
  return p;
}

function blurAxis(src: Float32Array, width: number, height: number, kernel: Float64Array, horizontal: boolean): Float32Array {
  const out = new Float32Array(src.length);
  const radius = (kernel.length - 1) / 2;
  const lineLength = horizontal ? width : height;
  const lines = horizontal ? height : width;
  const step = horizontal ? 1 : width;
  // Source index offsets for every (position, tap), border handled once per axis.
  const taps = new Int32Array(lineLength * kernel.length);
  for (let x = 0; x < lineLength; x++) {
    for (let k = 0; k < kernel.length; k++) taps[x * kernel.length + k] = reflect101(x + k - radius, lineLength) * step;
  }
  for (let line = 0; line < lines; line++) {
    const base = horizontal ? line * width : line;
    for (let x = 0; x < lineLength; x++) {
      let acc = 0;
      const t = x * kernel.length;
      for (let k = 0; k < kernel.length; k++) acc += kernel[k] * src[base + taps[t + k]];
      out[base + x * step] = acc;
    }
  }
  return out;
}
