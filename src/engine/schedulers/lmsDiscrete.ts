// LMSDiscreteScheduler (diffusers scheduling_lms_discrete.py): a linear multistep method of order 4 on the
// Euler derivative d = (x − x0)/σ. Its timesteps, sigmas (plain or Karras), init_noise_sigma,
// scale_model_input and add_noise equal EulerDiscreteScheduler's, so it reuses that class and replaces the step.
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { pickConfigKeys } from './configWithDefaults';
import { EulerDiscreteScheduler } from './eulerDiscrete';
import { lmsCoefficient } from './lmsCoefficient';
import { checkSameLength } from './scheduleBase';
import type { SchedulerStepOutput } from './scheduler';
import type { SchedulerConfig } from './schedulerConfig';

const fround = Math.fround;

/** The config keys LMSDiscreteScheduler.__init__ knows. */
const LMS_KEYS = [
  'num_train_timesteps',
  'beta_start',
  'beta_end',
  'beta_schedule',
  'trained_betas',
  'use_karras_sigmas',
  'use_exponential_sigmas',
  'use_beta_sigmas',
  'prediction_type',
  'timestep_spacing',
  'steps_offset',
] as const;

/** step(order=4): the default order of the multistep formula. */
export const LMS_ORDER = 4;

export class LMSDiscreteScheduler extends EulerDiscreteScheduler {
  override readonly name: ConcreteSchedulerName;
  private derivatives: Float32Array[] = [];

  constructor(config: SchedulerConfig) {
    super(pickConfigKeys(config, LMS_KEYS), 'LMSDiscreteScheduler');
    this.name = this.options.use_karras_sigmas ? 'lms-karras' : 'lms';
  }

  protected override resetRunState(): void {
    this.derivatives = [];
  }

  /** x ← x + Σ_j c_j·d_{−j}, c_j the integrated Lagrange basis over [σ_i, σ_{i+1}] (float32 tensor maths). */
  override step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _generator?: TorchGenerator): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sample);
    const index = this.currentStepIndex(timestep, 'step');
    const sigma = this.sigmaSchedule[index];
    const predOriginalSample = this.predictOriginal(modelOutput, sample, sigma);
    const derivative = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) derivative[i] = fround(sample[i] - predOriginalSample[i]) / sigma;
    this.derivatives.push(derivative);
    if (this.derivatives.length > LMS_ORDER) this.derivatives.shift();
    // diffusers: order = min(step_index + 1, 4) and zip(coefficients, reversed(derivatives)). After an img2img
    // cut (step_index starts at t_start) that pairs the first derivative with a 4th-order coefficient
    // (∫ of a Lagrange basis extrapolated from the skipped sigmas, ~2.3·Δσ) and overshoots the first
    // steps. This port warms up from the loop's start: order = min(derivatives so far, 4), the same as
    // diffusers whenever the loop starts at step 0 (txt2img).
    const order = Math.min(this.derivatives.length, LMS_ORDER);
    const terms = order;
    const sum = new Float32Array(sample.length);
    for (let j = 0; j < terms; j++) {
      const coeff = fround(lmsCoefficient(this.sigmaSchedule, order, index, j));
      const d = this.derivatives[this.derivatives.length - 1 - j];
      for (let i = 0; i < sum.length; i++) sum[i] = sum[i] + fround(coeff * d[i]);
    }
    const prevSample = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) prevSample[i] = sample[i] + sum[i];
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}
