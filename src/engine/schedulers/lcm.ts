// LCMScheduler (diffusers scheduling_lcm.py): consistency-model boundary scalings and fresh noise
// between steps (https://huggingface.co/papers/2310.04378).
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { alphaSigmaOf } from './betas';
import { configWithDefaults, requireSupported } from './configWithDefaults';
import { addNoiseAtAlpha, clipSample, predictOriginalAndEpsilon } from './ddim';
import { checkSameLength, checkStepArguments, ScheduleBase } from './scheduleBase';
import type { SchedulerStepOutput } from './scheduler';
import type { BetaSchedule, PredictionType, SchedulerConfig } from './schedulerConfig';
import { numpyLinspace } from './scheduleMath';

const fround = Math.fround;

/** LCMScheduler.__init__ defaults. */
export const LCM_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear' as BetaSchedule,
  trained_betas: null as number[] | null,
  original_inference_steps: 50,
  clip_sample: false,
  clip_sample_range: 1.0,
  set_alpha_to_one: true,
  steps_offset: 0,
  prediction_type: 'epsilon' as PredictionType,
  thresholding: false,
  timestep_spacing: 'leading',
  timestep_scaling: 10.0,
  rescale_betas_zero_snr: false,
};
export type LcmOptions = typeof LCM_DEFAULTS;

/** σ_data of get_scalings_for_boundary_condition_discrete. */
const SIGMA_DATA = 0.5;

export class LCMScheduler extends ScheduleBase {
  /** Reads the model output only during step(). */
  override readonly keepsModelOutput: boolean = false;

  readonly name: ConcreteSchedulerName = 'lcm';
  private readonly options: LcmOptions;
  private readonly finalAlphaCumprod: number;

  constructor(config: SchedulerConfig) {
    const options = configWithDefaults(config, LCM_DEFAULTS, 'LCMScheduler');
    super(options, 'LCMScheduler');
    this.options = options;
    requireSupported(this.className, 'prediction_type', options.prediction_type, ['epsilon', 'v_prediction', 'sample']);
    requireSupported(this.className, 'thresholding', options.thresholding, [false]);
    this.finalAlphaCumprod = options.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  /**
   * LCM's own strength rule: the origin schedule shrinks to range(1, int(original_steps·strength) + 1)·k − 1
   * and the n inference timesteps are picked from it; no get_timesteps cut. Empty when that origin
   * schedule has fewer than n entries.
   */
  override setTimesteps(numInferenceSteps: number, strength = 1): void {
    checkStepArguments(numInferenceSteps, strength);
    const o = this.options;
    const originalSteps = o.original_inference_steps;
    if (originalSteps > o.num_train_timesteps) {
      throw new Error(`${this.className}: original_inference_steps ${originalSteps} exceeds num_train_timesteps ${o.num_train_timesteps}`);
    }
    const k = Math.floor(o.num_train_timesteps / originalSteps);
    if (numInferenceSteps > originalSteps) {
      throw new Error(`${this.className}: numInferenceSteps ${numInferenceSteps} exceeds original_inference_steps ${originalSteps}`);
    }
    const originCount = Math.floor(originalSteps * strength);
    if (originCount < numInferenceSteps) {
      // diffusers raises here (original_inference_steps × strength < num_inference_steps); like the
      // get_timesteps cut of the other schedulers, this leaves an empty schedule for the caller to report.
      this.useSchedule([], 0);
      return;
    }
    const origin = Array.from({ length: originCount }, (_, i) => (originCount - i) * k - 1); // reversed
    const timesteps = numpyLinspace(0, originCount, numInferenceSteps, false).map((x) => origin[Math.floor(x)]);
    this.useSchedule(timesteps, 0);
  }

  protected computeSchedule(): number[] {
    throw new Error('LCMScheduler builds its schedule in setTimesteps');
  }

  /** c_skip = σ_data²/((t·s)² + σ_data²), c_out = t·s/√((t·s)² + σ_data²), s = timestep_scaling (float32). */
  private boundaryScalings(timestep: number): { cSkip: number; cOut: number } {
    const scaled = fround(timestep * this.options.timestep_scaling);
    const denominator = fround(fround(scaled * scaled) + SIGMA_DATA * SIGMA_DATA);
    return { cSkip: fround((SIGMA_DATA * SIGMA_DATA) / denominator), cOut: fround(scaled / fround(Math.sqrt(denominator))) };
  }

  /**
   * denoised = c_out·x0 + c_skip·x; then, unless this is the last step,
   * x_prev = √ᾱ_next·denoised + √(1 − ᾱ_next)·N(0, 1) with t_next the next timestep in the list.
   */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, generator?: TorchGenerator): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sample);
    const index = this.currentStepIndex(timestep, 'step');
    const isLast = index === this.fullTimesteps.length - 1;
    const rng = isLast ? undefined : this.requireGenerator(generator);
    const { x0 } = predictOriginalAndEpsilon(this.options.prediction_type, modelOutput, sample, this.alphasCumprod[timestep]);
    if (this.options.clip_sample) clipSample(x0, this.options.clip_sample_range);
    const { cSkip, cOut } = this.boundaryScalings(timestep);
    const denoised = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) denoised[i] = fround(cOut * x0[i]) + fround(cSkip * sample[i]);
    let prevSample = denoised;
    if (rng) {
      const nextTimestep = this.fullTimesteps[index + 1];
      const alphaProdNext = nextTimestep >= 0 ? this.alphasCumprod[nextTimestep] : this.finalAlphaCumprod;
      const noise = rng.randn([modelOutput.length]);
      const { sqrtAlpha, sqrtOneMinusAlpha } = alphaSigmaOf(alphaProdNext);
      prevSample = new Float32Array(sample.length);
      for (let i = 0; i < sample.length; i++) prevSample[i] = fround(sqrtAlpha * denoised[i]) + fround(sqrtOneMinusAlpha * noise[i]);
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample: denoised };
  }

  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    checkSameLength(`${this.className}.addNoise`, originalSamples, noise);
    if (!Number.isInteger(timestep) || timestep < 0 || timestep >= this.alphasCumprod.length) {
      throw new Error(`${this.className}.addNoise: timestep ${timestep} is not a training timestep`);
    }
    return addNoiseAtAlpha(originalSamples, noise, this.alphasCumprod[timestep]);
  }
}
