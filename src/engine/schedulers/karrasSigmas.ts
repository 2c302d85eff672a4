// Karras et al. 2022 (https://huggingface.co/papers/2206.00364) sigmas and the log-sigma interpolation
// that maps a sigma back to a (fractional) timestep, as in scheduling_euler_discrete.py
// _convert_to_karras / _sigma_to_t (float64 NumPy maths).
import { numpyLinspace } from './scheduleMath';

/** ρ = 7, "the value used in the paper". */
const KARRAS_RHO = 7;
/** _sigma_to_t clamps sigma at this floor before taking the log. */
const MIN_SIGMA_FOR_LOG = 1e-10;

/** σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ for i = 0 … n−1, in float64. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, n: number): number[] {
  const minInvRho = sigmaMin ** (1 / KARRAS_RHO);
  const maxInvRho = sigmaMax ** (1 / KARRAS_RHO);
  return numpyLinspace(0, 1, n).map((ramp) => (maxInvRho + ramp * (minInvRho - maxInvRho)) ** KARRAS_RHO);
}

/** Natural logs of the float32 training sigmas (np.log on a float32 array stays float32). */
export function logSigmasOf(sigmas: Float32Array): Float32Array {
  const out = new Float32Array(sigmas.length);
  for (let i = 0; i < sigmas.length; i++) out[i] = Math.log(sigmas[i]);
  return out;
}

/** _sigma_to_t: the fractional timestep whose interpolated log-sigma equals log(sigma). */
export function sigmaToT(sigma: number, logSigmas: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, MIN_SIGMA_FOR_LOG));
  // low = the last index with log_sigmas[low] <= log(sigma) (0 if none), at most length − 2
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i] >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const high = low + 1;
  let w = (logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[high]);
  w = Math.min(Math.max(w, 0), 1);
  return (1 - w) * low + w * high;
}
