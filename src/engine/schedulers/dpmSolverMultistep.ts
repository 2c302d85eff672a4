// DPMSolverMultistepScheduler (diffusers scheduling_dpmsolver_multistep.py) as DPM++ 2M (algorithm_type
// "dpmsolver++") and DPM++ 2M SDE ("sde-dpmsolver++"), solver_order 2, solver_type "midpoint"
// (https://huggingface.co/papers/2211.01095). The SDE variant draws generator.randn([numel]) on every step,
// before the update, as diffusers' step does (randn_tensor(model_output.shape, generator)).
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { sigmasFromAlphasCumprod, ZERO_SNR_LAST_ALPHA_CUMPROD } from './betas';
import { configWithDefaults, requireSupported } from './configWithDefaults';
import { karrasSigmas, logSigmasOf, sigmaToT } from './karrasSigmas';
import { checkSameLength, ScheduleBase } from './scheduleBase';
import type { SchedulerStepOutput } from './scheduler';
import type { BetaSchedule, FinalSigmasType, PredictionType, SchedulerConfig, TimestepSpacing } from './schedulerConfig';
import { interpOnIndexGrid, roundHalfEven, searchSortedLeft } from './scheduleMath';
import { dpmSolverTimesteps } from './timestepSpacing';

const fround = Math.fround;

/** DPMSolverMultistepScheduler.__init__ defaults (the keys this port reads or checks). */
export const DPM_SOLVER_MULTISTEP_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear' as BetaSchedule,
  trained_betas: null as number[] | null,
  solver_order: 2,
  prediction_type: 'epsilon' as PredictionType,
  thresholding: false,
  algorithm_type: 'dpmsolver++',
  solver_type: 'midpoint',
  lower_order_final: true,
  euler_at_final: false,
  use_karras_sigmas: false,
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  use_lu_lambdas: false,
  use_flow_sigmas: false,
  final_sigmas_type: 'zero' as FinalSigmasType,
  lambda_min_clipped: -Infinity,
  variance_type: null as string | null,
  timestep_spacing: 'linspace' as TimestepSpacing,
  steps_offset: 0,
  rescale_betas_zero_snr: false,
};
export type DpmSolverMultistepOptions = typeof DPM_SOLVER_MULTISTEP_DEFAULTS;

/** The fewer-than-15-steps rule of lower_order_final. */
const LOWER_ORDER_FINAL_MAX_STEPS = 15;

/** _sigma_to_alpha_sigma_t: α = 1/√(σ²+1), σ_t = σ·α (float32). */
export function alphaSigmaT(sigma: number): { alpha: number; sigmaT: number } {
  const alpha = fround(1 / fround(Math.sqrt(fround(fround(sigma * sigma) + 1))));
  return { alpha, sigmaT: fround(sigma * alpha) };
}

/** λ = log α − log σ_t (float32). */
export function lambdaOf(alpha: number, sigmaT: number): number {
  return fround(fround(Math.log(alpha)) - fround(Math.log(sigmaT)));
}

export class DPMSolverMultistepScheduler extends ScheduleBase {
  /** Keeps converted copies of past model outputs (convert_model_output), never the model output itself. */
  override readonly keepsModelOutput: boolean = false;

  readonly name: ConcreteSchedulerName;
  private readonly options: DpmSolverMultistepOptions;
  private readonly trainSigmas: Float32Array;
  private sigmaSchedule = new Float32Array(0);
  /** The previous step's x0 (model_outputs[-2] of a second-order solver). */
  private previousX0: Float32Array | null = null;
  /** lower_order_nums: how many steps have run, capped at the solver order. */
  private lowerOrderNums = 0;

  constructor(config: SchedulerConfig) {
    const options = configWithDefaults(config, DPM_SOLVER_MULTISTEP_DEFAULTS, 'DPMSolverMultistepScheduler');
    super(options, 'DPMSolverMultistepScheduler');
    this.options = options;
    const sde = options.algorithm_type === 'sde-dpmsolver++';
    this.name = sde
      ? options.use_karras_sigmas ? 'dpmpp-2m-sde-karras' : 'dpmpp-2m-sde'
      : options.use_karras_sigmas ? 'dpmpp-2m-karras' : 'dpmpp-2m';
    const c = this.className;
    requireSupported(c, 'prediction_type', options.prediction_type, ['epsilon', 'v_prediction', 'sample']);
    requireSupported(c, 'timestep_spacing', options.timestep_spacing, ['leading', 'trailing', 'linspace']);
    requireSupported(c, 'final_sigmas_type', options.final_sigmas_type, ['zero', 'sigma_min']);
    requireSupported(c, 'algorithm_type', options.algorithm_type, ['dpmsolver++', 'sde-dpmsolver++']);
    requireSupported(c, 'solver_order', options.solver_order, [2]);
    requireSupported(c, 'solver_type', options.solver_type, ['midpoint']);
    requireSupported(c, 'thresholding', options.thresholding, [false]);
    requireSupported(c, 'variance_type', options.variance_type, [null]);
    for (const key of ['use_exponential_sigmas', 'use_beta_sigmas', 'use_lu_lambdas', 'use_flow_sigmas'] as const) {
      requireSupported(c, key, options[key], [false]);
    }
    if (options.rescale_betas_zero_snr) this.alphasCumprod[this.alphasCumprod.length - 1] = ZERO_SNR_LAST_ALPHA_CUMPROD;
    this.trainSigmas = sigmasFromAlphasCumprod(this.alphasCumprod);
  }

  /** diffusers' scheduler.sigmas: one per timestep of the full schedule, then the final sigma. */
  get sigmas(): Float32Array {
    return this.sigmaSchedule;
  }

  /** num_train_timesteps minus the timesteps whose λ falls below lambda_min_clipped. */
  private lastTimestep(): number {
    const n = this.alphasCumprod.length;
    const flippedLambdas = new Float32Array(n);
    for (let t = 0; t < n; t++) {
      const alphaCumprod = this.alphasCumprod[n - 1 - t];
      flippedLambdas[t] = lambdaOf(fround(Math.sqrt(alphaCumprod)), fround(Math.sqrt(fround(1 - alphaCumprod))));
    }
    return n - searchSortedLeft(flippedLambdas, this.options.lambda_min_clipped);
  }

  protected computeSchedule(numInferenceSteps: number): number[] {
    const o = this.options;
    let timesteps = dpmSolverTimesteps(o.timestep_spacing, numInferenceSteps, o.num_train_timesteps, this.lastTimestep(), o.steps_offset);
    let sigmas: number[];
    if (o.use_karras_sigmas) {
      // From the full training table: σ_min = σ(0), σ_max = σ(T − 1); timesteps rounded back.
      sigmas = karrasSigmas(this.trainSigmas[0], this.trainSigmas[this.trainSigmas.length - 1], numInferenceSteps);
      const logSigmas = logSigmasOf(this.trainSigmas);
      timesteps = sigmas.map((s) => sigmaToT(s, logSigmas));
      if (o.beta_schedule !== 'squaredcos_cap_v2') timesteps = timesteps.map(roundHalfEven);
      timesteps = timesteps.map(Math.trunc); // .to(torch.int64)
    } else {
      sigmas = timesteps.map((t) => interpOnIndexGrid(t, this.trainSigmas));
    }
    const last = o.final_sigmas_type === 'sigma_min' ? this.trainSigmas[0] : 0;
    this.sigmaSchedule = Float32Array.from([...sigmas, last]);
    return timesteps;
  }

  protected override resetRunState(): void {
    this.previousX0 = null;
    this.lowerOrderNums = 0;
  }

  /** convert_model_output for dpmsolver++: the data prediction x0 at σ. */
  private convertModelOutput(modelOutput: Float32Array, sample: Float32Array, sigma: number): Float32Array {
    const { alpha, sigmaT } = alphaSigmaT(sigma);
    const x0 = new Float32Array(sample.length);
    const type = this.options.prediction_type;
    if (type === 'epsilon') {
      for (let i = 0; i < x0.length; i++) x0[i] = fround(sample[i] - fround(sigmaT * modelOutput[i])) / alpha;
    } else if (type === 'v_prediction') {
      for (let i = 0; i < x0.length; i++) x0[i] = fround(alpha * sample[i]) - fround(sigmaT * modelOutput[i]);
    } else {
      x0.set(modelOutput);
    }
    return x0;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, generator?: TorchGenerator): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sample);
    const o = this.options;
    if (o.algorithm_type === 'sde-dpmsolver++') return this.stepSde(modelOutput, timestep, sample, this.requireGenerator(generator));
    const index = this.currentStepIndex(timestep, 'step');
    const count = this.fullTimesteps.length;
    const lowerOrderFinal =
      index === count - 1 &&
      (o.euler_at_final || (o.lower_order_final && count < LOWER_ORDER_FINAL_MAX_STEPS) || o.final_sigmas_type === 'zero');
    const x0 = this.convertModelOutput(modelOutput, sample, this.sigmaSchedule[index]);

    const { alpha: alphaT, sigmaT } = alphaSigmaT(this.sigmaSchedule[index + 1]);
    const { alpha: alphaS0, sigmaT: sigmaS0 } = alphaSigmaT(this.sigmaSchedule[index]);
    const lambdaT = lambdaOf(alphaT, sigmaT);
    const lambdaS0 = lambdaOf(alphaS0, sigmaS0);
    const h = fround(lambdaT - lambdaS0);
    const sampleScale = fround(sigmaT / sigmaS0);
    const x0Scale = fround(alphaT * fround(fround(Math.exp(-h)) - 1)); // α_t·(e^{−h} − 1)
    const prevSample = new Float32Array(sample.length);
    const previous = this.previousX0;
    if (this.lowerOrderNums < 1 || lowerOrderFinal || previous === null) {
      // dpm_solver_first_order_update: x_t = (σ_t/σ_s)·x − α_t(e^{−h} − 1)·x0
      for (let i = 0; i < sample.length; i++) prevSample[i] = fround(sampleScale * sample[i]) - fround(x0Scale * x0[i]);
    } else {
      // multistep_dpm_solver_second_order_update, midpoint: − ½·α_t(e^{−h} − 1)·D1, D1 = (x0 − x0_prev)/r0
      const { alpha: alphaS1, sigmaT: sigmaS1 } = alphaSigmaT(this.sigmaSchedule[index - 1]);
      const h0 = fround(lambdaS0 - lambdaOf(alphaS1, sigmaS1));
      const inverseR0 = fround(1 / fround(h0 / h));
      const d1Scale = fround(0.5 * x0Scale);
      for (let i = 0; i < sample.length; i++) {
        const d1 = fround(inverseR0 * fround(x0[i] - previous[i]));
        prevSample[i] = fround(fround(sampleScale * sample[i]) - fround(x0Scale * x0[i])) - fround(d1Scale * d1);
      }
    }
    this.previousX0 = x0;
    if (this.lowerOrderNums < o.solver_order) this.lowerOrderNums++;
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample: x0 };
  }

  /**
   * sde-dpmsolver++ (midpoint): x_t = (σ_t/σ_s)e^{−h}·x + α_t(1 − e^{−2h})·D0 + ½α_t(1 − e^{−2h})·D1
   * + σ_t√(1 − e^{−2h})·z, first order (no D1) on the first step and where lower_order_final applies.
   */
  private stepSde(modelOutput: Float32Array, timestep: number, sample: Float32Array, generator: TorchGenerator): SchedulerStepOutput {
    const o = this.options;
    const index = this.currentStepIndex(timestep, 'step');
    const count = this.fullTimesteps.length;
    const lowerOrderFinal =
      index === count - 1 &&
      (o.euler_at_final || (o.lower_order_final && count < LOWER_ORDER_FINAL_MAX_STEPS) || o.final_sigmas_type === 'zero');
    const x0 = this.convertModelOutput(modelOutput, sample, this.sigmaSchedule[index]);
    const noise = generator.randn([modelOutput.length]);
    const { alpha: alphaT, sigmaT } = alphaSigmaT(this.sigmaSchedule[index + 1]);
    const { alpha: alphaS0, sigmaT: sigmaS0 } = alphaSigmaT(this.sigmaSchedule[index]);
    const lambdaT = lambdaOf(alphaT, sigmaT);
    const lambdaS0 = lambdaOf(alphaS0, sigmaS0);
    const h = fround(lambdaT - lambdaS0);
    const expMinus2h = fround(Math.exp(fround(-2 * h)));
    const sampleScale = fround(fround(sigmaT / sigmaS0) * fround(Math.exp(-h)));
    const x0Scale = fround(alphaT * fround(1 - expMinus2h)); // α_t(1 − e^{−2h})
    const noiseScale = fround(sigmaT * fround(Math.sqrt(fround(1 - expMinus2h))));
    const prevSample = new Float32Array(sample.length);
    const previous = this.previousX0;
    if (this.lowerOrderNums < 1 || lowerOrderFinal || previous === null) {
      for (let i = 0; i < sample.length; i++) {
        prevSample[i] = fround(fround(sampleScale * sample[i]) + fround(x0Scale * x0[i])) + fround(noiseScale * noise[i]);
      }
    } else {
      const { alpha: alphaS1, sigmaT: sigmaS1 } = alphaSigmaT(this.sigmaSchedule[index - 1]);
      const h0 = fround(lambdaS0 - lambdaOf(alphaS1, sigmaS1));
      const inverseR0 = fround(1 / fround(h0 / h));
      const d1Scale = fround(0.5 * x0Scale);
      for (let i = 0; i < sample.length; i++) {
        const d1 = fround(inverseR0 * fround(x0[i] - previous[i]));
        const deterministic = fround(fround(fround(sampleScale * sample[i]) + fround(x0Scale * x0[i])) + fround(d1Scale * d1));
        prevSample[i] = deterministic + fround(noiseScale * noise[i]);
      }
    }
    this.previousX0 = x0;
    if (this.lowerOrderNums < o.solver_order) this.lowerOrderNums++;
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample: x0 };
  }

  /** α_t·x + σ_t·noise with σ at the step index (after a step) or the begin index (before the first). */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    checkSameLength(`${this.className}.addNoise`, originalSamples, noise);
    const { alpha, sigmaT } = alphaSigmaT(this.sigmaSchedule[this.currentStepIndex(timestep, 'addNoise')]);
    const out = new Float32Array(originalSamples.length);
    for (let i = 0; i < out.length; i++) out[i] = fround(alpha * originalSamples[i]) + fround(sigmaT * noise[i]);
    return out;
  }
}
