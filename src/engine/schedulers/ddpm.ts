// DDPMScheduler (diffusers scheduling_ddpm.py; https://huggingface.co/papers/2006.11239): the ancestral
// sampler of the original paper, noise drawn as generator.randn([numel]) on every step with t > 0.
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { alphaSigmaOf } from './betas';
import { configWithDefaults, requireSupported } from './configWithDefaults';
import { addNoiseAtAlpha, clipSample, predictOriginalAndEpsilon } from './ddim';
import { checkSameLength, ScheduleBase } from './scheduleBase';
import type { SchedulerStepOutput } from './scheduler';
import type { BetaSchedule, PredictionType, SchedulerConfig, TimestepSpacing } from './schedulerConfig';
import { ddimTimesteps } from './timestepSpacing';

const fround = Math.fround;

/** DDPMScheduler.__init__ defaults. */
export const DDPM_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear' as BetaSchedule,
  trained_betas: null as number[] | null,
  variance_type: 'fixed_small',
  clip_sample: true,
  prediction_type: 'epsilon' as PredictionType,
  thresholding: false,
  clip_sample_range: 1.0,
  timestep_spacing: 'leading' as TimestepSpacing,
  steps_offset: 0,
  rescale_betas_zero_snr: false,
};
export type DdpmOptions = typeof DDPM_DEFAULTS;

/** _get_variance clamps the posterior variance at this floor. */
const MIN_VARIANCE = 1e-20;

export class DDPMScheduler extends ScheduleBase {
  /** Reads the model output only during step(). */
  override readonly keepsModelOutput: boolean = false;

  readonly name: ConcreteSchedulerName = 'ddpm';
  private readonly options: DdpmOptions;

  constructor(config: SchedulerConfig) {
    const options = configWithDefaults(config, DDPM_DEFAULTS, 'DDPMScheduler');
    super(options, 'DDPMScheduler');
    this.options = options;
    const c = this.className;
    requireSupported(c, 'prediction_type', options.prediction_type, ['epsilon', 'v_prediction', 'sample']);
    requireSupported(c, 'timestep_spacing', options.timestep_spacing, ['leading', 'trailing', 'linspace']);
    requireSupported(c, 'variance_type', options.variance_type, ['fixed_small', 'fixed_small_log', 'fixed_large']);
    requireSupported(c, 'thresholding', options.thresholding, [false]);
  }

  protected computeSchedule(numInferenceSteps: number): number[] {
    const o = this.options;
    if (numInferenceSteps > o.num_train_timesteps) {
      throw new Error(`${this.className}: numInferenceSteps ${numInferenceSteps} exceeds num_train_timesteps ${o.num_train_timesteps}`);
    }
    return ddimTimesteps(o.timestep_spacing, numInferenceSteps, o.num_train_timesteps, o.steps_offset);
  }

  /** previous_timestep: the next entry of the schedule, −1 after the last. */
  private previousTimestep(index: number): number {
    return index + 1 < this.fullTimesteps.length ? this.fullTimesteps[index + 1] : -1;
  }

  /** _get_variance for the fixed variance types (float32 tensor maths). */
  private stdDev(alphaProdT: number, alphaProdTPrev: number): number {
    const currentBetaT = fround(1 - fround(alphaProdT / alphaProdTPrev));
    let variance = fround(fround(fround(1 - alphaProdTPrev) / fround(1 - alphaProdT)) * currentBetaT);
    variance = Math.max(variance, fround(MIN_VARIANCE));
    switch (this.options.variance_type) {
      case 'fixed_small_log':
        return fround(Math.exp(fround(0.5 * fround(Math.log(variance))))); // multiplied in without a square root
      case 'fixed_large':
        return fround(Math.sqrt(currentBetaT));
      default:
        return fround(Math.sqrt(variance));
    }
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, generator?: TorchGenerator): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sample);
    const index = this.currentStepIndex(timestep, 'step');
    const prevT = this.previousTimestep(index);
    const alphaProdT = this.alphasCumprod[timestep];
    const alphaProdTPrev = prevT >= 0 ? this.alphasCumprod[prevT] : 1;
    const betaProdT = fround(1 - alphaProdT);
    const betaProdTPrev = fround(1 - alphaProdTPrev);
    const currentAlphaT = fround(alphaProdT / alphaProdTPrev);
    const currentBetaT = fround(1 - currentAlphaT);
    const { x0 } = predictOriginalAndEpsilon(this.options.prediction_type, modelOutput, sample, alphaProdT);
    if (this.options.clip_sample) clipSample(x0, this.options.clip_sample_range);
    const x0Coeff = fround(fround(alphaSigmaOf(alphaProdTPrev).sqrtAlpha * currentBetaT) / betaProdT);
    const sampleCoeff = fround(fround(fround(Math.sqrt(currentAlphaT)) * betaProdTPrev) / betaProdT);
    const prevSample = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) prevSample[i] = fround(x0Coeff * x0[i]) + fround(sampleCoeff * sample[i]);
    if (timestep > 0) {
      const noise = this.requireGenerator(generator).randn([modelOutput.length]);
      const std = this.stdDev(alphaProdT, alphaProdTPrev);
      for (let i = 0; i < prevSample.length; i++) prevSample[i] = prevSample[i] + fround(std * noise[i]);
    }
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
