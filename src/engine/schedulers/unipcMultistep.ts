// UniPCMultistepScheduler (diffusers scheduling_unipc_multistep.py; https://huggingface.co/papers/2302.04867)
// with its defaults: predict_x0, solver_type "bh2", solver_order 2, lower_order_final, no disabled
// corrector steps. Each step first corrects the previous prediction with the new model output (UniC),
// then predicts the next sample (UniP).
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { sigmasFromAlphasCumprod, ZERO_SNR_LAST_ALPHA_CUMPROD } from './betas';
import { configWithDefaults, requireSupported } from './configWithDefaults';
import { alphaSigmaT, lambdaOf } from './dpmSolverMultistep';
import { karrasSigmas, logSigmasOf, sigmaToT } from './karrasSigmas';
import { checkSameLength, ScheduleBase } from './scheduleBase';
import type { SchedulerStepOutput } from './scheduler';
import type { BetaSchedule, FinalSigmasType, PredictionType, SchedulerConfig, TimestepSpacing } from './schedulerConfig';
import { interpOnIndexGrid, roundHalfEven } from './scheduleMath';
import { dpmSolverTimesteps } from './timestepSpacing';

const fround = Math.fround;

/** UniPCMultistepScheduler.__init__ defaults (the keys this port reads or checks). */
export const UNIPC_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear' as BetaSchedule,
  trained_betas: null as number[] | null,
  solver_order: 2,
  prediction_type: 'epsilon' as PredictionType,
  thresholding: false,
  predict_x0: true,
  solver_type: 'bh2',
  lower_order_final: true,
  use_karras_sigmas: false,
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  use_flow_sigmas: false,
  timestep_spacing: 'linspace' as TimestepSpacing,
  steps_offset: 0,
  final_sigmas_type: 'zero' as FinalSigmasType,
  rescale_betas_zero_snr: false,
  sigma_min: null as number | null,
  sigma_max: null as number | null,
};
export type UniPcOptions = typeof UNIPC_DEFAULTS;

/** UniPC's supported solver order (predictor order ≤ 2, corrector order ≤ 2). */
const UNIPC_ORDER = 2;

export class UniPCMultistepScheduler extends ScheduleBase {
  /** Keeps converted copies of past model outputs (convert_model_output), never the model output itself. */
  override readonly keepsModelOutput: boolean = false;

  readonly name: ConcreteSchedulerName = 'unipc';
  private readonly options: UniPcOptions;
  private readonly trainSigmas: Float32Array;
  private sigmaSchedule = new Float32Array(0);
  /** model_outputs: the converted (x0) outputs of the last two steps, oldest first. */
  private modelOutputs: Array<Float32Array | null> = [null, null];
  private lowerOrderNums = 0;
  private lastSample: Float32Array | null = null;
  private thisOrder = 1;

  constructor(config: SchedulerConfig) {
    const options = configWithDefaults(config, UNIPC_DEFAULTS, 'UniPCMultistepScheduler');
    super(options, 'UniPCMultistepScheduler');
    this.options = options;
    const c = this.className;
    requireSupported(c, 'prediction_type', options.prediction_type, ['epsilon', 'v_prediction', 'sample']);
    requireSupported(c, 'timestep_spacing', options.timestep_spacing, ['leading', 'trailing', 'linspace']);
    requireSupported(c, 'final_sigmas_type', options.final_sigmas_type, ['zero', 'sigma_min']);
    requireSupported(c, 'solver_order', options.solver_order, [UNIPC_ORDER]);
    // diffusers maps the DPM-Solver solver types to bh2 (register_to_config(solver_type="bh2")).
    requireSupported(c, 'solver_type', options.solver_type, ['bh2', 'midpoint', 'heun', 'logrho']);
    requireSupported(c, 'predict_x0', options.predict_x0, [true]);
    requireSupported(c, 'thresholding', options.thresholding, [false]);
    for (const key of ['use_exponential_sigmas', 'use_beta_sigmas', 'use_flow_sigmas'] as const) requireSupported(c, key, options[key], [false]);
    if (options.rescale_betas_zero_snr) this.alphasCumprod[this.alphasCumprod.length - 1] = ZERO_SNR_LAST_ALPHA_CUMPROD;
    this.trainSigmas = sigmasFromAlphasCumprod(this.alphasCumprod);
  }

  /** diffusers' scheduler.sigmas: one per timestep of the full schedule, then the final sigma. */
  get sigmas(): Float32Array {
    return this.sigmaSchedule;
  }

  protected computeSchedule(numInferenceSteps: number): number[] {
    const o = this.options;
    const T = o.num_train_timesteps;
    let timesteps = dpmSolverTimesteps(o.timestep_spacing, numInferenceSteps, T, T, o.steps_offset);
    let sigmas: number[];
    let last: number;
    if (o.use_karras_sigmas) {
      const sigmaMin = o.sigma_min ?? this.trainSigmas[0];
      const sigmaMax = o.sigma_max ?? this.trainSigmas[this.trainSigmas.length - 1];
      sigmas = karrasSigmas(sigmaMin, sigmaMax, numInferenceSteps);
      const logSigmas = logSigmasOf(this.trainSigmas);
      timesteps = sigmas.map((s) => roundHalfEven(sigmaToT(s, logSigmas)));
      last = o.final_sigmas_type === 'sigma_min' ? sigmas[sigmas.length - 1] : 0;
    } else {
      sigmas = timesteps.map((t) => interpOnIndexGrid(t, this.trainSigmas));
      last = o.final_sigmas_type === 'sigma_min' ? this.trainSigmas[0] : 0;
    }
    this.sigmaSchedule = Float32Array.from([...sigmas, last]);
    return timesteps;
  }

  protected override resetRunState(): void {
    this.modelOutputs = [null, null];
    this.lowerOrderNums = 0;
    this.lastSample = null;
    this.thisOrder = 1;
  }

  /** convert_model_output with predict_x0: the data prediction at σ. */
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

  private lambdaAt(index: number): number {
    const { alpha, sigmaT } = alphaSigmaT(this.sigmaSchedule[index]);
    return lambdaOf(alpha, sigmaT);
  }

  /**
   * The shared part of UniP and UniC from schedule index `from` to `to`: x_t_ = (σ_t/σ_s0)·x − α_t·h_φ1·m0,
   * the bh2 B(h) = e^{−h} − 1, and (for order 2) r_k of the older output at index `older`.
   */
  private coefficients(from: number, to: number, older: number | null) {
    const { alpha: alphaT, sigmaT } = alphaSigmaT(this.sigmaSchedule[to]);
    const { sigmaT: sigmaS0 } = alphaSigmaT(this.sigmaSchedule[from]);
    const lambdaS0 = this.lambdaAt(from);
    const h = fround(this.lambdaAt(to) - lambdaS0);
    const hh = -h;
    const hPhi1 = fround(Math.expm1(hh));
    const bH = hPhi1; // bh2
    const rk = older === null ? null : fround(fround(this.lambdaAt(older) - lambdaS0) / h);
    return { alphaT, sampleScale: fround(sigmaT / sigmaS0), hh, hPhi1, bH, rk };
  }

  /** x_t_ = sampleScale·x − α_t·h_φ1·m0 (float32). */
  private baseUpdate(x: Float32Array, m0: Float32Array, c: { alphaT: number; sampleScale: number; hPhi1: number }): Float32Array {
    const m0Scale = fround(c.alphaT * c.hPhi1);
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = fround(c.sampleScale * x[i]) - fround(m0Scale * m0[i]);
    return out;
  }

  /** multistep_uni_p_bh_update: ρ_p = ½ for order 2. */
  private predict(sample: Float32Array, index: number, order: number): Float32Array {
    const m0 = this.modelOutputs[1] as Float32Array;
    const older = order >= 2 ? this.modelOutputs[0] : null;
    const c = this.coefficients(index, index + 1, older ? index - 1 : null);
    const xt = this.baseUpdate(sample, m0, c);
    if (older && c.rk !== null) {
      const scale = fround(c.alphaT * c.bH);
      const rho = 0.5;
      for (let i = 0; i < xt.length; i++) {
        const d1 = fround(older[i] - m0[i]) / c.rk;
        xt[i] = xt[i] - fround(scale * fround(rho * fround(d1)));
      }
    }
    return xt;
  }

  /** multistep_uni_c_bh_update: ρ_c solves R·ρ = b (ρ_c = ½ for order 1). */
  private correct(modelT: Float32Array, lastSample: Float32Array, index: number, order: number): Float32Array {
    const m0 = this.modelOutputs[1] as Float32Array;
    const older = order >= 2 ? this.modelOutputs[0] : null;
    const c = this.coefficients(index - 1, index, older ? index - 2 : null);
    const xt = this.baseUpdate(lastSample, m0, c);
    let rhoOlder = 0;
    let rhoT = 0.5;
    if (older && c.rk !== null) {
      // b_1 = (h_φ1/hh − 1)/B(h), b_2 = 2·((h_φ1/hh − 1)/hh − ½)/B(h); R = [[1, 1], [r_k, 1]].
      const phi2 = fround(fround(c.hPhi1 / c.hh) - 1);
      const b1 = fround(phi2 / c.bH);
      const phi3 = fround(fround(phi2 / c.hh) - 0.5);
      const b2 = fround(fround(phi3 * 2) / c.bH);
      rhoOlder = fround((b1 - b2) / (1 - c.rk));
      rhoT = fround(b1 - rhoOlder);
    }
    const scale = fround(c.alphaT * c.bH);
    for (let i = 0; i < xt.length; i++) {
      const corr = older && c.rk !== null ? fround(rhoOlder * fround(fround(older[i] - m0[i]) / c.rk)) : 0;
      const d1t = fround(modelT[i] - m0[i]);
      xt[i] = xt[i] - fround(scale * fround(corr + fround(rhoT * d1t)));
    }
    return xt;
  }

  step(modelOutput: Float32Array, timestep: number, sampleIn: Float32Array, _generator?: TorchGenerator): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sampleIn);
    const index = this.currentStepIndex(timestep, 'step');
    let sample = sampleIn;
    const converted = this.convertModelOutput(modelOutput, sample, this.sigmaSchedule[index]);
    if (index > 0 && this.lastSample !== null) sample = this.correct(converted, this.lastSample, index, this.thisOrder);
    this.modelOutputs = [this.modelOutputs[1], converted];
    const count = this.fullTimesteps.length;
    const order = this.options.lower_order_final ? Math.min(UNIPC_ORDER, count - index) : UNIPC_ORDER;
    this.thisOrder = Math.min(order, this.lowerOrderNums + 1);
    this.lastSample = sample;
    const prevSample = this.predict(sample, index, this.thisOrder);
    if (this.lowerOrderNums < UNIPC_ORDER) this.lowerOrderNums++;
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample: converted };
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
