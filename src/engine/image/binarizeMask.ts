// Hard mask for latent blending: diffusers VaeImageProcessor.binarize (mask < 0.5 → 0, ≥ 0.5 → 1).
import { assertGrayMask, type GrayMask } from '../../common/image/imageTypes';

const DEFAULT_THRESHOLD = 0.5;

export function binarizeMask(mask: GrayMask, threshold: number = DEFAULT_THRESHOLD): GrayMask {
  assertGrayMask(mask);
  const out = new Float32Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[i] >= threshold ? 1 : 0;
  return { width: mask.width, height: mask.height, data: out };
}
