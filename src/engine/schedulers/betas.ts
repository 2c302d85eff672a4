// The training noise tables shared by every diffusers scheduler (scheduling_ddim.py __init__ and
// copies): betas → alphas_cumprod (ᾱ) → training sigmas, all float32 tensors in diffusers.
import { torchLinspaceFloat32 } from './scheduleMath';
import type { NoiseScheduleConfig } from './schedulerConfig';

const fround = Math.fround;

/** betas_for_alpha_bar(..., alpha_transform_type="cosine") (the "squaredcos_cap_v2" schedule). */
const COSINE_OFFSET = 0.008;
const COSINE_OFFSET_SCALE = 1.008; // 1 + offset, written as diffusers writes it
const MAX_BETA = 0.999;

/** rescale_betas_zero_snr: ᾱ[-1] is set to 2^-24 (FP16's smallest subnormal) so σ_max stays finite. */
export const ZERO_SNR_LAST_ALPHA_CUMPROD = 2 ** -24;

function cosineBetas(numTrainTimesteps: number): Float32Array {
  const alphaBar = (t: number): number => Math.cos((((t + COSINE_OFFSET) / COSINE_OFFSET_SCALE) * Math.PI) / 2) ** 2;
  const betas = new Float32Array(numTrainTimesteps);
  for (let i = 0; i < numTrainTimesteps; i++) {
    betas[i] = Math.min(1 - alphaBar((i + 1) / numTrainTimesteps) / alphaBar(i / numTrainTimesteps), MAX_BETA);
  }
  return betas;
}

/** The betas of a config (trained_betas, linear, scaled_linear or squaredcos_cap_v2), float32. */
export function betasForConfig(config: NoiseScheduleConfig): Float32Array {
  const n = config.num_train_timesteps;
  let betas: Float32Array;
  if (config.trained_betas !== null) {
    const trained: unknown = config.trained_betas;
    if (!Array.isArray(trained) || trained.length !== n || !trained.every((b) => typeof b === 'number' && Number.isFinite(b))) {
      throw new Error(`trained_betas must be ${n} finite numbers (num_train_timesteps)`);
    }
    betas = Float32Array.from(trained as number[]);
  } else if (config.beta_schedule === 'linear') {
    betas = torchLinspaceFloat32(config.beta_start, config.beta_end, n);
  } else if (config.beta_schedule === 'scaled_linear') {
    betas = torchLinspaceFloat32(Math.sqrt(config.beta_start), Math.sqrt(config.beta_end), n);
    for (let i = 0; i < n; i++) betas[i] = betas[i] * betas[i];
  } else if (config.beta_schedule === 'squaredcos_cap_v2') {
    betas = cosineBetas(n);
  } else {
    throw new Error(`beta_schedule ${JSON.stringify(config.beta_schedule)} is not supported`);
  }
  return config.rescale_betas_zero_snr ? rescaleZeroTerminalSnr(betas) : betas;
}

/**
 * torch.cumprod(1 − betas) on CPU: the running product is kept in double (acc_type<float> on CPU)
 * and each entry is stored as float32.
 */
export function alphasCumprodOf(betas: Float32Array): Float32Array {
  const out = new Float32Array(betas.length);
  let product = 1;
  for (let i = 0; i < betas.length; i++) {
    product *= fround(1 - betas[i]);
    out[i] = product;
  }
  return out;
}

/** rescale_zero_terminal_snr (https://huggingface.co/papers/2305.08891, Algorithm 1), float32 tensor maths. */
function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const n = betas.length;
  const sqrtAlphaBar = new Float32Array(n);
  const alphasCumprod = alphasCumprodOf(betas);
  for (let i = 0; i < n; i++) sqrtAlphaBar[i] = Math.sqrt(alphasCumprod[i]);
  const first = sqrtAlphaBar[0];
  const last = sqrtAlphaBar[n - 1];
  const scale = fround(first / fround(first - last));
  for (let i = 0; i < n; i++) sqrtAlphaBar[i] = fround(fround(sqrtAlphaBar[i] - last) * scale);
  const out = new Float32Array(n);
  let previous = 1;
  for (let i = 0; i < n; i++) {
    const alphaBar = fround(sqrtAlphaBar[i] * sqrtAlphaBar[i]);
    out[i] = 1 - (i === 0 ? alphaBar : fround(alphaBar / previous));
    previous = alphaBar;
  }
  return out;
}

/** Training sigmas σ_t = ((1 − ᾱ_t)/ᾱ_t)^½ in float32, indexed by timestep. */
export function sigmasFromAlphasCumprod(alphasCumprod: Float32Array): Float32Array {
  const out = new Float32Array(alphasCumprod.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(fround(fround(1 - alphasCumprod[i]) / alphasCumprod[i]));
  return out;
}

/** √ᾱ and √(1 − ᾱ) of one table entry, each rounded to float32 as torch does. */
export function alphaSigmaOf(alphaProd: number): { sqrtAlpha: number; sqrtOneMinusAlpha: number } {
  return { sqrtAlpha: fround(Math.sqrt(alphaProd)), sqrtOneMinusAlpha: fround(Math.sqrt(fround(1 - alphaProd))) };
}
