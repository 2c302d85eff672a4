// DDIMScheduler (diffusers scheduling_ddim.py) with η = 0 (deterministic), no thresholding.
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { alphaSigmaOf } from './betas';
import { configWithDefaults, requireSupported } from './configWithDefaults';
import { checkSameLength, ScheduleBase } from './scheduleBase';
import type { SchedulerStepOutput } from './scheduler';
import type { BetaSchedule, PredictionType, SchedulerConfig, TimestepSpacing } from './schedulerConfig';
import { ddimTimesteps } from './timestepSpacing';

const fround = Math.fround;

/** DDIMScheduler.__init__ defaults. */
export const DDIM_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear' as BetaSchedule,
  trained_betas: null as number[] | null,
  clip_sample: true,
  set_alpha_to_one: true,
  steps_offset: 0,
  prediction_type: 'epsilon' as PredictionType,
  thresholding: false,
  clip_sample_range: 1.0,
  timestep_spacing: 'leading' as TimestepSpacing,
  rescale_betas_zero_snr: false,
};
export type DdimOptions = typeof DDIM_DEFAULTS;

/**
 * x0 and ε from a model output at ᾱ_t (DDIM / LCM formula (12) of https://huggingface.co/papers/2010.02502),
 * in float32 tensor maths. Shared with the LCM scheduler.
 */
export function predictOriginalAndEpsilon(
  predictionType: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  alphaProdT: number,
): { x0: Float32Array; epsilon: Float32Array } {
  const { sqrtAlpha, sqrtOneMinusAlpha } = alphaSigmaOf(alphaProdT);
  const n = sample.length;
  const x0 = new Float32Array(n);
  const epsilon = new Float32Array(n);
  if (predictionType === 'epsilon') {
    for (let i = 0; i < n; i++) x0[i] = fround(sample[i] - fround(sqrtOneMinusAlpha * modelOutput[i])) / sqrtAlpha;
    epsilon.set(modelOutput);
  } else if (predictionType === 'v_prediction') {
    for (let i = 0; i < n; i++) {
      x0[i] = fround(sqrtAlpha * sample[i]) - fround(sqrtOneMinusAlpha * modelOutput[i]);
      epsilon[i] = fround(sqrtAlpha * modelOutput[i]) + fround(sqrtOneMinusAlpha * sample[i]);
    }
  } else {
    x0.set(modelOutput);
    for (let i = 0; i < n; i++) epsilon[i] = fround(sample[i] - fround(sqrtAlpha * x0[i])) / sqrtOneMinusAlpha;
  }
  return { x0, epsilon };
}

/** Clamps x0 to ±range in place (clip_sample). */
export function clipSample(x0: Float32Array, range: number): void {
  const r = fround(range);
  for (let i = 0; i < x0.length; i++) x0[i] = Math.min(Math.max(x0[i], -r), r);
}

/** √ᾱ·x + √(1 − ᾱ)·noise (scheduling_ddpm.py add_noise, used by DDIM and LCM). */
export function addNoiseAtAlpha(originalSamples: Float32Array, noise: Float32Array, alphaProd: number): Float32Array {
  const { sqrtAlpha, sqrtOneMinusAlpha } = alphaSigmaOf(alphaProd);
  const out = new Float32Array(originalSamples.length);
  for (let i = 0; i < out.length; i++) out[i] = fround(sqrtAlpha * originalSamples[i]) + fround(sqrtOneMinusAlpha * noise[i]);
  return out;
}

export class DDIMScheduler extends ScheduleBase {
  /** Reads the model output only during step(). */
  override readonly keepsModelOutput: boolean = false;

  readonly name: ConcreteSchedulerName = 'ddim';
  private readonly options: DdimOptions;
  /** ᾱ used past the end of the schedule: 1 with set_alpha_to_one, else ᾱ[0]. */
  private readonly finalAlphaCumprod: number;
  private stepRatio = 0;

  constructor(config: SchedulerConfig) {
    const options = configWithDefaults(config, DDIM_DEFAULTS, 'DDIMScheduler');
    super(options, 'DDIMScheduler');
    this.options = options;
    requireSupported(this.className, 'prediction_type', options.prediction_type, ['epsilon', 'v_prediction', 'sample']);
    requireSupported(this.className, 'timestep_spacing', options.timestep_spacing, ['leading', 'trailing', 'linspace']);
    requireSupported(this.className, 'thresholding', options.thresholding, [false]);
    this.finalAlphaCumprod = options.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  protected computeSchedule(numInferenceSteps: number): number[] {
    const o = this.options;
    if (numInferenceSteps > o.num_train_timesteps) {
      throw new Error(`${this.className}: numInferenceSteps ${numInferenceSteps} exceeds num_train_timesteps ${o.num_train_timesteps}`);
    }
    this.stepRatio = Math.floor(o.num_train_timesteps / numInferenceSteps);
    return ddimTimesteps(o.timestep_spacing, numInferenceSteps, o.num_train_timesteps, o.steps_offset);
  }

  /** ᾱ at t (integer timestep), or final_alpha_cumprod for t < 0. */
  private alphaProdAt(t: number): number {
    return t >= 0 ? this.alphasCumprod[t] : this.finalAlphaCumprod;
  }

  /** x_prev = √ᾱ_prev·x0 + √(1 − ᾱ_prev)·ε (η = 0), prev_t = t − num_train_timesteps // n. */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _generator?: TorchGenerator): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sample);
    const index = this.currentStepIndex(timestep, 'step');
    const alphaProdPrev = this.alphaProdAt(timestep - this.stepRatio);
    const { x0, epsilon } = predictOriginalAndEpsilon(this.options.prediction_type, modelOutput, sample, this.alphaProdAt(timestep));
    if (this.options.clip_sample) clipSample(x0, this.options.clip_sample_range);
    const { sqrtAlpha: sqrtAlphaPrev, sqrtOneMinusAlpha: directionScale } = alphaSigmaOf(alphaProdPrev);
    const prevSample = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) prevSample[i] = fround(sqrtAlphaPrev * x0[i]) + fround(directionScale * epsilon[i]);
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample: x0 };
  }

  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    checkSameLength(`${this.className}.addNoise`, originalSamples, noise);
    if (!Number.isInteger(timestep) || timestep < 0 || timestep >= this.alphasCumprod.length) {
      throw new Error(`${this.className}.addNoise: timestep ${timestep} is not a training timestep`);
    }
    return addNoiseAtAlpha(originalSamples, noise, this.alphasCumprod[timestep]);
  }
}
