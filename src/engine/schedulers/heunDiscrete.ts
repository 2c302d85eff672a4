// HeunDiscreteScheduler (diffusers scheduling_heun_discrete.py; Karras et al. 2022 Algorithm 1 with
// s_churn = 0): two UNet evaluations per step. The Euler sigmas σ_0 … σ_{n−1}, 0 become
// [σ_0, σ_1, σ_1, …, σ_{n−1}, σ_{n−1}, 0] and the timesteps [t_0, t_1, t_1, …, t_{n−1}, t_{n−1}] (2n − 1
// entries); an entry with no stored derivative is the Euler predictor, the next one the trapezoid correction.
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { configWithDefaults, requireSupported } from './configWithDefaults';
import { EulerDiscreteScheduler } from './eulerDiscrete';
import { pairedCompletedSteps, pairedStepCount } from './pairedSteps';
import { clipSample } from './ddim';
import { checkSameLength } from './scheduleBase';
import type { SchedulerStepOutput } from './scheduler';
import type { BetaSchedule, PredictionType, SchedulerConfig, TimestepSpacing } from './schedulerConfig';

const fround = Math.fround;

/** HeunDiscreteScheduler.__init__ defaults (its beta_start / beta_end differ from Euler's). */
export const HEUN_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'linear' as BetaSchedule,
  trained_betas: null as number[] | null,
  prediction_type: 'epsilon' as PredictionType,
  use_karras_sigmas: false,
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  clip_sample: false,
  clip_sample_range: 1.0,
  timestep_spacing: 'linspace' as TimestepSpacing,
  steps_offset: 0,
};

/** [a_0, a_1, a_1, …, a_{k}, a_{k}] from [a_0, …, a_k] (torch.cat([x[:1], x[1:].repeat_interleave(2)])). */
export function repeatAfterFirst(values: ArrayLike<number>): number[] {
  const out: number[] = [values[0]];
  for (let i = 1; i < values.length; i++) out.push(values[i], values[i]);
  return out;
}

export class HeunDiscreteScheduler extends EulerDiscreteScheduler {
  override readonly name: ConcreteSchedulerName;
  override readonly order = 2;
  private readonly clip: { enabled: boolean; range: number };
  private prevDerivative: Float32Array | null = null;
  private dt: number | null = null;
  private firstOrderSample: Float32Array | null = null;

  constructor(config: SchedulerConfig) {
    const heun = configWithDefaults(config, HEUN_DEFAULTS, 'HeunDiscreteScheduler');
    const { clip_sample, clip_sample_range, ...eulerKeys } = heun;
    super(eulerKeys, 'HeunDiscreteScheduler');
    requireSupported(this.className, 'prediction_type', heun.prediction_type, ['epsilon', 'v_prediction', 'sample']);
    this.clip = { enabled: clip_sample, range: clip_sample_range };
    this.name = 'heun';
  }

  protected override computeSchedule(numInferenceSteps: number): number[] {
    const timesteps = super.computeSchedule(numInferenceSteps); // fills sigmaSchedule: n sigmas + 0
    const sigmas = this.sigmaSchedule;
    const inner = repeatAfterFirst(sigmas.subarray(0, sigmas.length - 1));
    this.sigmaSchedule = Float32Array.from([...inner, sigmas[sigmas.length - 1]]);
    return repeatAfterFirst(timesteps);
  }

  protected override resetRunState(): void {
    this.prevDerivative = null;
    this.dt = null;
    this.firstOrderSample = null;
  }

  override get stepCount(): number {
    return pairedStepCount(this.timesteps.length);
  }

  override completedSteps(loopIndex: number): number {
    return pairedCompletedSteps(loopIndex, this.timesteps.length);
  }

  override step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _generator?: TorchGenerator): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sample);
    const index = this.currentStepIndex(timestep, 'step');
    const firstOrder = this.dt === null;
    const sigma = firstOrder ? this.sigmaSchedule[index] : this.sigmaSchedule[index - 1];
    const sigmaNext = firstOrder ? this.sigmaSchedule[index + 1] : this.sigmaSchedule[index];
    const sigmaInput = firstOrder ? sigma : sigmaNext;
    const predOriginalSample = this.predictOriginal(modelOutput, sample, sigmaInput);
    if (this.clip.enabled) clipSample(predOriginalSample, this.clip.range);
    const prevSample = new Float32Array(sample.length);
    if (firstOrder) {
      const derivative = new Float32Array(sample.length);
      for (let i = 0; i < sample.length; i++) derivative[i] = fround(sample[i] - predOriginalSample[i]) / sigma;
      const dt = fround(sigmaNext - sigma);
      for (let i = 0; i < sample.length; i++) prevSample[i] = sample[i] + fround(derivative[i] * dt);
      this.prevDerivative = derivative;
      this.dt = dt;
      this.firstOrderSample = sample;
    } else {
      const previous = this.prevDerivative as Float32Array;
      const start = this.firstOrderSample as Float32Array;
      const dt = this.dt as number;
      for (let i = 0; i < sample.length; i++) {
        const d = fround(sample[i] - predOriginalSample[i]) / sigmaNext;
        const mean = fround(previous[i] + fround(d)) / 2;
        prevSample[i] = start[i] + fround(mean * dt);
      }
      this.prevDerivative = null;
      this.dt = null;
      this.firstOrderSample = null;
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}
