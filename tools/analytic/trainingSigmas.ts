// The training noise table of SD (diffusers schedulers/scheduling_euler_discrete.py, beta_schedule scaled_linear): betas = linspace(√0.00085, √0.012, 1000)² in float32
// (torch.linspace: start + step·i below the half, end − step·(n−1−i) above), ᾱ = cumprod(1 − β) in float32,
// σ_t = √((1 − ᾱ_t)/ᾱ_t) (diffusers scheduling_euler_discrete.py). Every step is rounded to float32.

export const NUM_TRAIN_TIMESTEPS = 1000;
export const BETA_START = 0.00085;
export const BETA_END = 0.012;

const f = Math.fround;

function computeAlphasCumprod(): Float32Array {
  const n = NUM_TRAIN_TIMESTEPS;
  const start = f(Math.sqrt(BETA_START));
  const end = f(Math.sqrt(BETA_END));
  const step = f(f(end - start) / (n - 1));
  const halfway = Math.floor(n / 2);
  const out = new Float32Array(n);
  let product = 1;
  for (let i = 0; i < n; i++) {
    const root = i < halfway ? f(start + f(step * i)) : f(end - f(step * (n - 1 - i)));
    const beta = f(root * root);
    product = f(product * f(1 - beta));
    out[i] = product;
  }
  return out;
}

/** ᾱ_t for t = 0..999 (float32). */
export const alphasCumprod: Float32Array = computeAlphasCumprod();

/** σ_t for t = 0..999 (float32); σ_0 ≈ 0.0291675, σ_999 ≈ 14.614653. */
export const trainingSigmas: Float32Array = alphasCumprod.map((a) => f(Math.sqrt(f(f(1 - a) / a))));

/**
 * σ at a possibly fractional timestep: linear interpolation of the table (np.interp, as Euler does), clamped to
 * [0, 999], in the float32 order the analytic UNet uses: i = min(floor(t), 998), φ = t − i,
 * σ = σ_i·(1 − φ) + σ_{i+1}·φ (so integer t gives the table value exactly).
 */
export function sigmaAt(timestep: number): number {
  const t = f(Math.min(Math.max(f(timestep), 0), NUM_TRAIN_TIMESTEPS - 1));
  const i = Math.min(Math.floor(t), NUM_TRAIN_TIMESTEPS - 2);
  const frac = f(t - i);
  return f(f(trainingSigmas[i] * f(1 - frac)) + f(trainingSigmas[i + 1] * frac));
}

/** ᾱ(t) = 1/(σ(t)² + 1). */
export function alphaCumprodAt(timestep: number): number {
  const sigma = sigmaAt(timestep);
  return f(1 / f(f(sigma * sigma) + 1));
}
