// EulerAncestralDiscreteScheduler (diffusers scheduling_euler_ancestral_discrete.py). Its timesteps,
// sigmas, init_noise_sigma, scale_model_input and add_noise equal EulerDiscreteScheduler's with the
// Euler-only options at their defaults, so it reuses that class and replaces the step.
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { requireSupported } from './configWithDefaults';
import { EulerDiscreteScheduler } from './eulerDiscrete';
import { checkSameLength } from './scheduleBase';
import type { SchedulerStepBuffers, SchedulerStepOutput } from './scheduler';
import type { SchedulerConfig } from './schedulerConfig';

const fround = Math.fround;

/** The config keys EulerAncestralDiscreteScheduler.__init__ knows (from_config drops the others). */
const EULER_ANCESTRAL_KEYS = [
  'num_train_timesteps',
  'beta_start',
  'beta_end',
  'beta_schedule',
  'trained_betas',
  'prediction_type',
  'timestep_spacing',
  'steps_offset',
  'rescale_betas_zero_snr',
] as const;

function ancestralConfig(config: SchedulerConfig): SchedulerConfig {
  const out: Record<string, unknown> = {};
  for (const key of EULER_ANCESTRAL_KEYS) if (config[key] !== undefined) out[key] = config[key];
  return out;
}

export class EulerAncestralDiscreteScheduler extends EulerDiscreteScheduler {
  override readonly name: ConcreteSchedulerName = 'euler-a';

  constructor(config: SchedulerConfig) {
    super(ancestralConfig(config), 'EulerAncestralDiscreteScheduler');
    requireSupported(this.className, 'prediction_type', this.options.prediction_type, ['epsilon', 'v_prediction']);
  }

  /**
   * σ_up = √(σ_next²·(σ² − σ_next²)/σ²), σ_down = √(σ_next² − σ_up²); x ← x + d·(σ_down − σ) + N(0,1)·σ_up.
   * The noise is drawn on every step, the last one included (σ_up = 0 there).
   */
  override step(modelOutput: Float32Array, timestep: number, sample: Float32Array, generator?: TorchGenerator, out?: SchedulerStepBuffers): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sample);
    if (out) checkSameLength(`${this.className}.step`, out.prevSample, out.predOriginalSample);
    const rng = this.requireGenerator(generator);
    const index = this.currentStepIndex(timestep, 'step');
    const sigma = this.sigmaSchedule[index];
    const predOriginalSample = this.predictOriginal(modelOutput, sample, sigma, out?.predOriginalSample);
    const sigmaToSq = fround(this.sigmaSchedule[index + 1] * this.sigmaSchedule[index + 1]);
    const sigmaFromSq = fround(sigma * sigma);
    const sigmaUp = fround(Math.sqrt(fround(fround(sigmaToSq * fround(sigmaFromSq - sigmaToSq)) / sigmaFromSq)));
    const sigmaDown = fround(Math.sqrt(fround(sigmaToSq - fround(sigmaUp * sigmaUp))));
    const dt = fround(sigmaDown - sigma);
    const noise = rng.randn([modelOutput.length]);
    const prevSample = out?.prevSample ?? new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const derivative = fround(fround(sample[i] - predOriginalSample[i]) / sigma);
      prevSample[i] = fround(sample[i] + fround(derivative * dt)) + fround(noise[i] * sigmaUp);
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}
