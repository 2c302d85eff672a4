// DPMSolverSDEScheduler (diffusers scheduling_dpmsolver_sde.py; k-diffusion sample_dpmpp_sde, DPM-Solver++
// (2S) SDE with r = ½): two UNet evaluations per step, the second at the log-sigma midpoint. Timesteps
// [t_0, m_0, t_1, m_1, …, t_{n−1}] (2n − 1 entries: m_k the midpoint's timestep), sigmas
// [σ_0, σ_1, σ_1, …, σ_{n−1}, σ_{n−1}, 0].
//
// Noise: diffusers draws it from torchsde's BrownianInterval (BrownianTreeNoiseSampler), whose values
// come from its own splittable PRNG and cannot be reproduced bit for bit. This port uses the same
// Brownian motion in law, seeded by the run's TorchGenerator: on the first half of step k it draws
// z₁ = randn([numel]) and z₂ = randn([numel]); the increment over [σ_mid, σ_k] is √(σ_k − σ_mid)·z₁ and over
// [σ_{k+1}, σ_mid] is √(σ_mid − σ_{k+1})·z₂, so the first half's normalised noise is z₁ and the second
// half's (over [σ_{k+1}, σ_k]) is (√a·z₁ + √b·z₂)/√(a + b), a = σ_k − σ_mid, b = σ_mid − σ_{k+1}, as the
// Brownian tree's W(σ_next, σ)/√|σ − σ_next| is. Increments of different steps are independent.
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { configWithDefaults, requireSupported } from './configWithDefaults';
import { EulerDiscreteScheduler } from './eulerDiscrete';
import { repeatAfterFirst } from './heunDiscrete';
import { karrasSigmas, logSigmasOf, sigmaToT } from './karrasSigmas';
import { pairedCompletedSteps, pairedStepCount } from './pairedSteps';
import { checkSameLength } from './scheduleBase';
import type { SchedulerStepOutput } from './scheduler';
import type { BetaSchedule, PredictionType, SchedulerConfig, TimestepSpacing } from './schedulerConfig';
import { interpOnIndexGrid, numpyArange, numpyLinspace, roundHalfEven } from './scheduleMath';

const fround = Math.fround;

/** DPMSolverSDEScheduler.__init__ defaults (noise_sampler_seed is replaced by the run's generator). */
export const DPM_SOLVER_SDE_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'linear' as BetaSchedule,
  trained_betas: null as number[] | null,
  prediction_type: 'epsilon' as PredictionType,
  use_karras_sigmas: false,
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  timestep_spacing: 'linspace' as TimestepSpacing,
  steps_offset: 0,
};

/** midpoint_ratio of the 2S solver. */
const MIDPOINT_RATIO = 0.5;

/** The normalised Brownian noise of one step's two halves (see the file comment). */
export function brownianStepNoise(
  z1: Float32Array,
  z2: Float32Array,
  sigma: number,
  sigmaMid: number,
  sigmaNext: number,
): { firstHalf: Float32Array; wholeStep: Float32Array } {
  const a = Math.abs(sigma - sigmaMid);
  const b = Math.abs(sigmaMid - sigmaNext);
  const wa = Math.sqrt(a / (a + b));
  const wb = Math.sqrt(b / (a + b));
  const wholeStep = new Float32Array(z1.length);
  for (let i = 0; i < z1.length; i++) wholeStep[i] = wa * z1[i] + wb * z2[i];
  return { firstHalf: z1, wholeStep };
}

export class DPMSolverSDEScheduler extends EulerDiscreteScheduler {
  override readonly name: ConcreteSchedulerName;
  override readonly order = 2;
  private firstOrderSample: Float32Array | null = null;
  private midPointSigma: number | null = null;
  private secondHalfNoise: Float32Array | null = null;

  constructor(config: SchedulerConfig) {
    const options = configWithDefaults(config, DPM_SOLVER_SDE_DEFAULTS, 'DPMSolverSDEScheduler');
    super(options, 'DPMSolverSDEScheduler');
    requireSupported(this.className, 'prediction_type', options.prediction_type, ['epsilon', 'v_prediction']);
    this.name = options.use_karras_sigmas ? 'dpmpp-sde-karras' : 'dpmpp-sde';
  }

  /** set_timesteps: float64 timesteps (np dtype float), Karras optional, midpoints at the odd entries. */
  protected override computeSchedule(n: number): number[] {
    const o = this.options;
    const T = o.num_train_timesteps;
    let timesteps: number[];
    if (o.timestep_spacing === 'linspace') timesteps = numpyLinspace(0, T - 1, n).reverse();
    else if (o.timestep_spacing === 'leading') {
      const ratio = Math.floor(T / n);
      timesteps = Array.from({ length: n }, (_, i) => (n - 1 - i) * ratio + o.steps_offset);
    } else timesteps = numpyArange(T, 0, -(T / n)).map((t) => roundHalfEven(t) - 1);
    const logSigmas = logSigmasOf(this.trainSigmas);
    let sigmas = timesteps.map((t) => interpOnIndexGrid(t, this.trainSigmas));
    if (o.use_karras_sigmas) {
      sigmas = karrasSigmas(sigmas[sigmas.length - 1], sigmas[0], n);
      timesteps = sigmas.map((s) => sigmaToT(s, logSigmas));
    }
    // _second_order_timesteps: t = −log σ, the midpoint t + ½Δt, back to σ and to a timestep.
    const midpoints: number[] = [];
    for (let k = 0; k + 1 < sigmas.length; k++) {
      const t = -Math.log(sigmas[k]);
      const tNext = -Math.log(sigmas[k + 1]);
      midpoints.push(sigmaToT(Math.exp(-(t + (tNext - t) * MIDPOINT_RATIO)), logSigmas));
    }
    const sigma32 = Float32Array.from([...sigmas, 0]);
    this.sigmaSchedule = Float32Array.from([...repeatAfterFirst(sigma32.subarray(0, sigma32.length - 1)), 0]);
    const full = repeatAfterFirst(timesteps);
    for (let k = 0; k < midpoints.length; k++) full[2 * k + 1] = midpoints[k];
    return full;
  }

  protected override resetRunState(): void {
    this.firstOrderSample = null;
    this.midPointSigma = null;
    this.secondHalfNoise = null;
  }

  override get stepCount(): number {
    return pairedStepCount(this.timesteps.length);
  }

  override completedSteps(loopIndex: number): number {
    return pairedCompletedSteps(loopIndex, this.timesteps.length);
  }

  /** sample / √(σ² + 1), σ the midpoint sigma on the second half. */
  override scaleModelInput(sample: Float32Array, timestep: number, into?: Float32Array): Float32Array {
    const index = this.currentStepIndex(timestep, 'scaleModelInput');
    const sigma = this.firstOrderSample === null ? this.sigmaSchedule[index] : (this.midPointSigma as number);
    const scale = fround(Math.sqrt(fround(fround(sigma * sigma) + 1)));
    const out = into ?? new Float32Array(sample.length);
    checkSameLength(`${this.className}.scaleModelInput`, sample, out);
    for (let i = 0; i < sample.length; i++) out[i] = sample[i] / scale;
    return out;
  }

  override step(modelOutput: Float32Array, timestep: number, sampleIn: Float32Array, generator?: TorchGenerator): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sampleIn);
    const index = this.currentStepIndex(timestep, 'step');
    const firstOrder = this.firstOrderSample === null;
    const sigma = firstOrder ? this.sigmaSchedule[index] : this.sigmaSchedule[index - 1];
    const sigmaNext = firstOrder ? this.sigmaSchedule[index + 1] : this.sigmaSchedule[index];
    const t = -Math.log(sigma);
    const tNextFull = -Math.log(sigmaNext);
    const tProposed = t + (tNextFull - t) * MIDPOINT_RATIO;
    const sigmaInput = firstOrder ? sigma : fround(Math.exp(-tProposed));
    const predOriginalSample = this.predictOriginal(modelOutput, sampleIn, sigmaInput);
    const prevSample = new Float32Array(sampleIn.length);
    if (sigmaNext === 0) {
      const dt = fround(sigmaNext - sigma);
      for (let i = 0; i < sampleIn.length; i++) prevSample[i] = sampleIn[i] + fround((fround(sampleIn[i] - predOriginalSample[i]) / sigma) * dt);
    } else {
      const rng = this.requireGenerator(generator);
      const tNext = firstOrder ? tProposed : tNextFull;
      const sample = firstOrder ? sampleIn : (this.firstOrderSample as Float32Array);
      const sigmaFrom = Math.exp(-t);
      const sigmaTo = Math.exp(-tNext);
      const sigmaUp = Math.min(sigmaTo, Math.sqrt((sigmaTo ** 2 * (sigmaFrom ** 2 - sigmaTo ** 2)) / sigmaFrom ** 2));
      const sigmaDown = Math.sqrt(sigmaTo ** 2 - sigmaUp ** 2);
      const ancestralT = -Math.log(sigmaDown);
      const sampleScale = fround(Math.exp(-ancestralT) / Math.exp(-t));
      const x0Scale = fround(Math.expm1(t - ancestralT));
      let noise: Float32Array;
      if (firstOrder) {
        const z1 = rng.randn([sampleIn.length]);
        const z2 = rng.randn([sampleIn.length]);
        const split = brownianStepNoise(z1, z2, sigma, Math.exp(-tProposed), sigmaNext);
        noise = split.firstHalf;
        this.secondHalfNoise = split.wholeStep;
      } else {
        noise = this.secondHalfNoise as Float32Array;
      }
      const up = fround(sigmaUp);
      for (let i = 0; i < sample.length; i++) {
        prevSample[i] = fround(fround(sampleScale * sample[i]) - fround(x0Scale * predOriginalSample[i])) + fround(noise[i] * up);
      }
      if (firstOrder) {
        this.firstOrderSample = sampleIn;
        this.midPointSigma = fround(Math.exp(-tNext));
      } else {
        this.firstOrderSample = null;
        this.midPointSigma = null;
        this.secondHalfNoise = null;
      }
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}
