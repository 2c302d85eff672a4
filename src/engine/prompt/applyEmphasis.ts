// Prompt weights applied to one encoded chunk, as stable-diffusion-webui `modules/sd_emphasis.py`:
//   EmphasisOriginal: original_mean = z.mean(); z = z * multipliers[..., None]; z = z * (original_mean / z.mean())
//   EmphasisOriginalNoNorm ("No norm"): only the multiply.  EmphasisIgnore / EmphasisNone: z unchanged.
// A1111 takes the mean over the batch tensor it encodes; here it is over one prompt's chunk [tokens × hidden], the
// same thing for A1111's usual batch of one prompt (or of copies of one prompt).
import type { EmphasisMode } from '../../common/prompt/emphasisMode';

/**
 * The chunk's hidden states [weights.length × hiddenSize] with the weights applied (a new array; `hidden` is not
 * changed). Where the weighted mean is exactly 0 (A1111 would divide by it and get NaN), the Original mode leaves
 * the weighted values unscaled.
 */
export function applyEmphasis(hidden: Float32Array, weights: readonly number[], hiddenSize: number, mode: EmphasisMode): Float32Array {
  if (hidden.length !== weights.length * hiddenSize) {
    throw new Error(`Emphasis: ${weights.length} weights × ${hiddenSize} features ≠ ${hidden.length} hidden values.`);
  }
  if (mode === 'Ignore' || mode === 'None') return hidden.slice();
  const out = new Float32Array(hidden.length);
  let originalSum = 0;
  let newSum = 0;
  for (let t = 0; t < weights.length; t++) {
    const w = weights[t];
    for (let c = 0, i = t * hiddenSize; c < hiddenSize; c++, i++) {
      originalSum += hidden[i];
      const v = hidden[i] * w;
      out[i] = v;
      newSum += v;
    }
  }
  if (mode === 'No norm' || newSum === 0) return out;
  // original_mean / new_mean: the element counts cancel.
  const scale = originalSum / newSum;
  for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}
