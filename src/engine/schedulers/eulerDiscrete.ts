// EulerDiscreteScheduler (diffusers scheduling_euler_discrete.py), s_churn = 0, interpolation "linear".
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { sigmasFromAlphasCumprod, ZERO_SNR_LAST_ALPHA_CUMPROD } from './betas';
import { configWithDefaults, requireSupported } from './configWithDefaults';
import { karrasSigmas, logSigmasOf, sigmaToT } from './karrasSigmas';
import { checkSameLength, ScheduleBase } from './scheduleBase';
import type { SchedulerStepBuffers, SchedulerStepOutput } from './scheduler';
import type { BetaSchedule, FinalSigmasType, PredictionType, SchedulerConfig, TimestepSpacing } from './schedulerConfig';
import { interpOnIndexGrid } from './scheduleMath';
import { eulerTimesteps } from './timestepSpacing';

const fround = Math.fround;

/** EulerDiscreteScheduler.__init__ defaults. */
export const EULER_DISCRETE_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear' as BetaSchedule,
  trained_betas: null as number[] | null,
  prediction_type: 'epsilon' as PredictionType,
  interpolation_type: 'linear',
  use_karras_sigmas: false,
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  sigma_min: null as number | null,
  sigma_max: null as number | null,
  timestep_spacing: 'linspace' as TimestepSpacing,
  timestep_type: 'discrete',
  steps_offset: 0,
  rescale_betas_zero_snr: false,
  final_sigmas_type: 'zero' as FinalSigmasType,
};
export type EulerDiscreteOptions = typeof EULER_DISCRETE_DEFAULTS;

export class EulerDiscreteScheduler extends ScheduleBase {
  readonly name: ConcreteSchedulerName;
  protected readonly options: EulerDiscreteOptions;
  /** Training sigmas σ_t (float32), indexed by timestep. */
  protected readonly trainSigmas: Float32Array;
  /** The full schedule's sigmas, one per timestep plus the final sigma (float32). */
  protected sigmaSchedule = new Float32Array(0);

  constructor(config: SchedulerConfig, className = 'EulerDiscreteScheduler') {
    const options = configWithDefaults(config, EULER_DISCRETE_DEFAULTS, className);
    super(options, className);
    this.options = options;
    this.name = options.use_karras_sigmas ? 'euler-karras' : 'euler';
    requireSupported(className, 'prediction_type', options.prediction_type, ['epsilon', 'v_prediction', 'sample']);
    requireSupported(className, 'timestep_spacing', options.timestep_spacing, ['leading', 'trailing', 'linspace']);
    requireSupported(className, 'final_sigmas_type', options.final_sigmas_type, ['zero', 'sigma_min']);
    requireSupported(className, 'interpolation_type', options.interpolation_type, ['linear']);
    requireSupported(className, 'use_exponential_sigmas', options.use_exponential_sigmas, [false]);
    requireSupported(className, 'use_beta_sigmas', options.use_beta_sigmas, [false]);
    requireSupported(className, 'timestep_type', options.timestep_type, ['discrete']);
    for (const key of ['sigma_min', 'sigma_max'] as const) {
      const value: unknown = options[key];
      if (value !== null && !(typeof value === 'number' && value > 0)) throw new Error(`${className}: ${key} must be a positive number or null`);
    }
    if (options.rescale_betas_zero_snr) this.alphasCumprod[this.alphasCumprod.length - 1] = ZERO_SNR_LAST_ALPHA_CUMPROD;
    this.trainSigmas = sigmasFromAlphasCumprod(this.alphasCumprod);
  }

  /** diffusers' scheduler.sigmas: one per timestep of the full schedule, then the final sigma. */
  get sigmas(): Float32Array {
    return this.sigmaSchedule;
  }

  /** init_noise_sigma: max σ for "linspace"/"trailing", else √(max σ² + 1). */
  override get initNoiseSigma(): number {
    let max = 0;
    for (const s of this.sigmaSchedule) max = Math.max(max, s);
    if (this.options.timestep_spacing === 'linspace' || this.options.timestep_spacing === 'trailing') return max;
    return fround(Math.sqrt(fround(fround(max * max) + 1)));
  }

  protected computeSchedule(numInferenceSteps: number): number[] {
    const o = this.options;
    let timesteps = eulerTimesteps(o.timestep_spacing, numInferenceSteps, o.num_train_timesteps, o.steps_offset);
    let sigmas = timesteps.map((t) => interpOnIndexGrid(t, this.trainSigmas));
    if (o.use_karras_sigmas) {
      // σ_min / σ_max: config overrides win, else the ends of the interpolated schedule.
      const sigmaMin = o.sigma_min ?? sigmas[sigmas.length - 1];
      const sigmaMax = o.sigma_max ?? sigmas[0];
      sigmas = karrasSigmas(sigmaMin, sigmaMax, numInferenceSteps);
      const logSigmas = logSigmasOf(this.trainSigmas);
      timesteps = sigmas.map((s) => fround(sigmaToT(s, logSigmas)));
    }
    const last = o.final_sigmas_type === 'sigma_min' ? this.trainSigmas[0] : 0;
    this.sigmaSchedule = Float32Array.from([...sigmas, last]);
    return timesteps;
  }

  /** sample / √(σ² + 1). */
  override scaleModelInput(sample: Float32Array, timestep: number, into?: Float32Array): Float32Array {
    const sigma = this.sigmaSchedule[this.currentStepIndex(timestep, 'scaleModelInput')];
    const scale = fround(Math.sqrt(fround(fround(sigma * sigma) + 1)));
    const out = into ?? new Float32Array(sample.length);
    checkSameLength(`${this.className}.scaleModelInput`, sample, out);
    for (let i = 0; i < sample.length; i++) out[i] = sample[i] / scale;
    return out;
  }

  /** pred_original_sample for this scheduler's prediction_type at σ (float32 tensor maths), into `x0` when given. */
  protected predictOriginal(modelOutput: Float32Array, sample: Float32Array, sigma: number, x0: Float32Array = new Float32Array(sample.length)): Float32Array {
    const type = this.options.prediction_type;
    if (type === 'epsilon') {
      for (let i = 0; i < x0.length; i++) x0[i] = sample[i] - fround(sigma * modelOutput[i]);
    } else if (type === 'v_prediction') {
      const sigmaSqPlusOne = fround(fround(sigma * sigma) + 1);
      const outScale = fround(-sigma / fround(Math.sqrt(sigmaSqPlusOne)));
      for (let i = 0; i < x0.length; i++) x0[i] = fround(modelOutput[i] * outScale) + fround(sample[i] / sigmaSqPlusOne);
    } else {
      x0.set(modelOutput);
    }
    return x0;
  }

  /** Keeps no model output between steps (nor do Euler ancestral, Heun, DPM++ SDE and LMS, built on this class). */
  override readonly keepsModelOutput: boolean = false;

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _generator?: TorchGenerator, out?: SchedulerStepBuffers): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sample);
    const index = this.currentStepIndex(timestep, 'step');
    const sigma = this.sigmaSchedule[index];
    const dt = fround(this.sigmaSchedule[index + 1] - sigma);
    const n = sample.length;
    const prevSample = out?.prevSample ?? new Float32Array(n);
    if (out) checkSameLength(`${this.className}.step`, out.prevSample, sample);
    if (this.options.prediction_type === 'epsilon') {
      // The common case in one pass (the same float32 operations as the two loops below, element by element).
      const predOriginalSample = out?.predOriginalSample ?? new Float32Array(n);
      if (out) checkSameLength(`${this.className}.step`, predOriginalSample, sample);
      for (let i = 0; i < n; i++) {
        const x = sample[i];
        const x0 = fround(x - fround(sigma * modelOutput[i]));
        predOriginalSample[i] = x0;
        prevSample[i] = x + fround(fround(fround(x - x0) / sigma) * dt);
      }
      this.stepIndex = index + 1;
      return { prevSample, predOriginalSample };
    }
    const predOriginalSample = this.predictOriginal(modelOutput, sample, sigma, out?.predOriginalSample);
    for (let i = 0; i < n; i++) {
      const derivative = fround(fround(sample[i] - predOriginalSample[i]) / sigma);
      prevSample[i] = sample[i] + fround(derivative * dt);
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }

  /** original + noise·σ, σ at the step index (after a step) or the begin index (before the first). */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    checkSameLength(`${this.className}.addNoise`, originalSamples, noise);
    const sigma = this.sigmaSchedule[this.currentStepIndex(timestep, 'addNoise')];
    const out = new Float32Array(originalSamples.length);
    for (let i = 0; i < out.length; i++) out[i] = originalSamples[i] + fround(noise[i] * sigma);
    return out;
  }
}
