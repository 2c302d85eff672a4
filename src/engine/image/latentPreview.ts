// Cheap step preview: linear latent → RGB (ComfyUI latent_preview.py Latent2RGBPreviewer), then
// preview_to_image: clamp(−1, 1), (x + 1)·127.5, rounded to uint8 (ComfyUI truncates; we round).
// Runs every denoising step, so the loop is flat and allocation-free apart from the output buffer.
import type { LatentRgbFactors } from './latentRgbFactors';

export type { LatentRgbFactors } from './latentRgbFactors';
export { LATENT_RGB_FACTORS } from './latentRgbFactors';

const OPAQUE = 255;

export interface LatentPreview {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * latents: one image, NCHW flattened (channels × height × width), UNet space (x0 prediction).
 * Returns a width × height RGBA image (1/8 of the decoded resolution for SD).
 * Pass `out` (width·height·4 bytes) to reuse a buffer across steps.
 */
export function latentToRgba(
  latents: Float32Array,
  channels: number,
  height: number,
  width: number,
  factors: LatentRgbFactors,
  out?: Uint8Array,
): LatentPreview {
  const plane = height * width;
  if (latents.length < channels * plane) throw new Error(`latent preview: ${latents.length} values, need ${channels}x${height}x${width}`);
  if (factors.factors.length !== channels) throw new Error(`latent preview: ${factors.source} has ${factors.factors.length} channels, latents have ${channels}`);
  const rgba = out ?? new Uint8Array(plane * 4);
  if (rgba.length !== plane * 4) throw new Error(`latent preview: output buffer has ${rgba.length} bytes, need ${plane * 4}`);

  const bias = factors.bias ?? [0, 0, 0];
  // rgb = Σ latent·factor + bias, mapped by (x + 1)·127.5 = x·127.5 + 127.5: fold the scale in once.
  const half = OPAQUE / 2;
  const br = bias[0] * half + half;
  const bg = bias[1] * half + half;
  const bb = bias[2] * half + half;
  const fr = new Float64Array(channels);
  const fg = new Float64Array(channels);
  const fb = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    fr[c] = factors.factors[c][0] * half;
    fg[c] = factors.factors[c][1] * half;
    fb[c] = factors.factors[c][2] * half;
  }

  if (channels === 4) {
    const r0 = fr[0], r1 = fr[1], r2 = fr[2], r3 = fr[3];
    const g0 = fg[0], g1 = fg[1], g2 = fg[2], g3 = fg[3];
    const b0 = fb[0], b1 = fb[1], b2 = fb[2], b3 = fb[3];
    for (let p = 0, o = 0; p < plane; p++, o += 4) {
      const l0 = latents[p];
      const l1 = latents[p + plane];
      const l2 = latents[p + 2 * plane];
      const l3 = latents[p + 3 * plane];
      rgba[o] = toByte(br + l0 * r0 + l1 * r1 + l2 * r2 + l3 * r3);
      rgba[o + 1] = toByte(bg + l0 * g0 + l1 * g1 + l2 * g2 + l3 * g3);
      rgba[o + 2] = toByte(bb + l0 * b0 + l1 * b1 + l2 * b2 + l3 * b3);
      rgba[o + 3] = OPAQUE;
    }
  } else {
    for (let p = 0, o = 0; p < plane; p++, o += 4) {
      let r = br;
      let g = bg;
      let b = bb;
      for (let c = 0, i = p; c < channels; c++, i += plane) {
        const l = latents[i];
        r += l * fr[c];
        g += l * fg[c];
        b += l * fb[c];
      }
      rgba[o] = toByte(r);
      rgba[o + 1] = toByte(g);
      rgba[o + 2] = toByte(b);
      rgba[o + 3] = OPAQUE;
    }
  }
  return { width, height, rgba };
}

/** Clamp to [0, 255] (= clamp(−1, 1) before scaling) and round half up; NaN → 0. */
function toByte(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= OPAQUE) return OPAQUE;
  return Math.floor(v + 0.5);
}
