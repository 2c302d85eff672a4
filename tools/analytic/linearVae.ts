// The analytic model's VAE is linear: decode rgb = W·latent + b per latent cell (each cell an 8×8 block),
// encode latent = W⁺·(mean of the 8×8 block − b) with W⁺ = Wᵀ(WWᵀ)⁻¹ the pseudo-inverse, so that
// decode(encode(image)) reproduces every block mean exactly (W has rank 3, WW⁺ = I).
// Latents here are VAE space; UNet space = VAE space × scaling_factor (diffusers AutoencoderKL scaling_factor).

import type { Rgb } from './concepts';

export const LATENT_CHANNELS = 4;
export const RGB_CHANNELS = 3;
/** Pixels per latent cell along each axis: 2^(len(block_out_channels) − 1) with 4 blocks (diffusers pipeline_stable_diffusion.py vae_scale_factor). */
export const VAE_SCALE = 8;
/** block_out_channels written to the VAE configs (4 entries → 8× scale, as SD's VAE). */
export const VAE_BLOCK_OUT_CHANNELS = [128, 256, 512, 512];

/** Decoder matrix W [3][4] (rows R, G, B; columns latent channels), rank 3, exact decimals (float64). */
export const W_ROWS: readonly (readonly number[])[] = [
  [0.4, 0.15, -0.1, 0.2],
  [0.1, 0.35, 0.15, -0.2],
  [-0.05, 0.1, 0.45, 0.2],
];
/** Decoder bias b (float64). */
export const BIAS: Rgb = [0.05, -0.05, 0];

/** W, row-major [3 × 4], float32. */
export const decoderWeight = Float32Array.from(W_ROWS.flat());
/** b [3], float32. */
export const decoderBias = Float32Array.from(BIAS);

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/** W⁺ [4][3] in float64. */
function pseudoInverse(): number[][] {
  const w = W_ROWS;
  const wwt = w.map((r1) => w.map((r2) => r1.reduce((s, x, k) => s + x * r2[k], 0)));
  const inv = invert3(wwt);
  return Array.from({ length: LATENT_CHANNELS }, (_, k) =>
    Array.from({ length: RGB_CHANNELS }, (_, c) => w.reduce((s, row, r) => s + row[k] * inv[r][c], 0)),
  );
}

const PINV = pseudoInverse();

/** W⁺, row-major [4 × 3], float32 (the encoder's 1×1 conv weight). */
export const encoderWeight = Float32Array.from(PINV.flat());
/** −W⁺·b [4], float32 (the encoder's conv bias). */
export const encoderBias = Float32Array.from(PINV.map((row) => -row.reduce((s, x, c) => s + x * BIAS[c], 0)));

/** VAE-space latent that decodes to `rgb`, in float64: W⁺(rgb − b). */
export function rgbToVaeLatent(rgb: Rgb): number[] {
  return PINV.map((row) => row.reduce((s, x, c) => s + x * (rgb[c] - BIAS[c]), 0));
}
