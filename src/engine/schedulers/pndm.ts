// PNDMScheduler (diffusers scheduling_pndm.py; https://huggingface.co/papers/2202.09778): with
// skip_prk_steps (the SD 1.5 scheduler_config.json) it is PLMS, a 4th-order linear multistep method on
// ε; without it the first three steps are pseudo Runge-Kutta (4 UNet evaluations each).
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { alphaSigmaOf } from './betas';
import { configWithDefaults, requireSupported } from './configWithDefaults';
import { checkSameLength, img2imgStartIndex, checkStepArguments, ScheduleBase } from './scheduleBase';
import type { SchedulerStepOutput } from './scheduler';
import type { BetaSchedule, PredictionType, SchedulerConfig, TimestepSpacing } from './schedulerConfig';
import { numpyArange, numpyLinspace, roundHalfEven } from './scheduleMath';

const fround = Math.fround;

/** PNDMScheduler.__init__ defaults. */
export const PNDM_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear' as BetaSchedule,
  trained_betas: null as number[] | null,
  skip_prk_steps: false,
  set_alpha_to_one: false,
  prediction_type: 'epsilon' as PredictionType,
  timestep_spacing: 'leading' as TimestepSpacing,
  steps_offset: 0,
};
export type PndmOptions = typeof PNDM_DEFAULTS;

/** pndm_order: the PRK warm-up covers this many timesteps of the schedule. */
const PNDM_ORDER = 4;
/** UNet evaluations per PRK step. */
const PRK_EVALUATIONS = 4;

/** x ← a·x + b·y elementwise in float32 (a, b are Python floats cast to the tensor dtype). */
function axpby(a: number, x: Float32Array, b: number, y: Float32Array): Float32Array {
  const fa = fround(a);
  const fb = fround(b);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = fround(fa * x[i]) + fround(fb * y[i]);
  return out;
}

/** set_timesteps with skip_prk_steps: the ascending base timesteps, the second-to-last repeated, descending. */
function plmsList(ascending: readonly number[]): number[] {
  return [...ascending.slice(0, -1), ...ascending.slice(-2, -1), ...ascending.slice(-1)].reverse();
}

export class PNDMScheduler extends ScheduleBase {
  /** Keeps past model outputs themselves (diffusers' `ets`). */
  override readonly keepsModelOutput: boolean = true;

  readonly name: ConcreteSchedulerName = 'pndm';
  private readonly options: PndmOptions;
  private readonly finalAlphaCumprod: number;
  private numInferenceSteps = 0;
  private prkTimesteps: number[] = [];
  private plmsTimesteps: number[] = [];
  private counter = 0;
  private ets: Float32Array[] = [];
  private curModelOutput: Float32Array | null = null;
  private curSample: Float32Array | null = null;
  /** Absolute index of the first loop entry (the img2img cut). */
  private loopBegin = 0;

  constructor(config: SchedulerConfig) {
    const options = configWithDefaults(config, PNDM_DEFAULTS, 'PNDMScheduler');
    super({ ...options, rescale_betas_zero_snr: false }, 'PNDMScheduler');
    this.options = options;
    requireSupported(this.className, 'prediction_type', options.prediction_type, ['epsilon', 'v_prediction']);
    requireSupported(this.className, 'timestep_spacing', options.timestep_spacing, ['leading', 'trailing', 'linspace']);
    this.finalAlphaCumprod = options.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  /** diffusers' prk_timesteps (empty with skip_prk_steps). */
  get prk(): readonly number[] {
    return this.prkTimesteps;
  }

  /** diffusers' plms_timesteps. */
  get plms(): readonly number[] {
    return this.plmsTimesteps;
  }

  /** The ascending _timesteps of set_timesteps. */
  private baseTimesteps(n: number): number[] {
    const o = this.options;
    const T = o.num_train_timesteps;
    switch (o.timestep_spacing) {
      case 'linspace':
        return numpyLinspace(0, T - 1, n).map(roundHalfEven);
      case 'leading': {
        const ratio = Math.floor(T / n);
        return Array.from({ length: n }, (_, i) => i * ratio + o.steps_offset);
      }
      default:
        return numpyArange(T, 0, -(T / n))
          .map((t) => roundHalfEven(t) - 1)
          .reverse();
    }
  }

  protected computeSchedule(n: number): number[] {
    this.numInferenceSteps = n;
    const base = this.baseTimesteps(n);
    if (this.options.skip_prk_steps) {
      this.prkTimesteps = [];
      this.plmsTimesteps = plmsList(base);
    } else {
      const half = Math.floor(Math.floor(this.options.num_train_timesteps / n) / 2);
      const tail = base.slice(-PNDM_ORDER);
      const prk: number[] = [];
      for (const t of tail) prk.push(t, t + half); // repeat(2) + tile([0, half])
      const repeated: number[] = [];
      for (const t of prk.slice(0, -1)) repeated.push(t, t);
      this.prkTimesteps = repeated.slice(1, -1).reverse();
      this.plmsTimesteps = base.slice(0, -3).reverse();
    }
    return [...this.prkTimesteps, ...this.plmsTimesteps];
  }

  /**
   * img2img with PLMS: diffusers' pipelines cut the txt2img list at t_start (get_timesteps), so for
   * t_start ≥ 2 the loop starts one timestep noisier than the strength asks and PLMS's warm-up (the
   * repeated second entry) falls on two different timesteps, skipping one interval with the sample
   * treated as less noisy than it is. This port keeps diffusers' start *step* t_start (the same start
   * timestep as DDIM at that strength) and runs the remaining n − t_start steps as their own PLMS list,
   * so img2img converges like txt2img. The PRK variant (skip_prk_steps false) cuts as diffusers does.
   */
  override setTimesteps(numInferenceSteps: number, strength = 1): void {
    checkStepArguments(numInferenceSteps, strength);
    const full = this.computeSchedule(numInferenceSteps);
    const tStart = img2imgStartIndex(numInferenceSteps, strength);
    if (tStart >= numInferenceSteps) {
      this.loopBegin = full.length; // no step left (n·strength < 1): an empty loop, as for the other schedulers
      this.useSchedule(full, full.length);
    } else if (this.options.skip_prk_steps && tStart > 0) {
      this.plmsTimesteps = plmsList(this.baseTimesteps(numInferenceSteps).slice(0, numInferenceSteps - tStart));
      this.loopBegin = 0;
      this.useSchedule([...this.plmsTimesteps], 0);
    } else {
      this.loopBegin = tStart * this.order;
      this.useSchedule(full, this.loopBegin);
    }
  }

  protected override resetRunState(): void {
    this.counter = 0;
    this.ets = [];
    this.curModelOutput = null;
    this.curSample = null;
  }

  /**
   * User steps finished after the absolute schedule entry j (PRK: 4 evaluations a step; PLMS: the first
   * step takes 2 evaluations, except for a one-step list).
   */
  private stepsDoneAt(j: number): number {
    if (j < 0) return 0;
    const prkCount = this.prkTimesteps.length;
    if (j < prkCount) return Math.floor((j + 1) / PRK_EVALUATIONS);
    if (prkCount > 0) return prkCount / PRK_EVALUATIONS + (j - prkCount + 1);
    return this.fullTimesteps.length === 1 ? 1 : j;
  }

  override get stepCount(): number {
    const loop = this.timesteps.length;
    if (loop === 0) return 0;
    return this.stepsDoneAt(this.loopBegin + loop - 1) - this.stepsDoneAt(this.loopBegin - 1);
  }

  override completedSteps(loopIndex: number): number {
    const done = this.stepsDoneAt(this.loopBegin + loopIndex) - this.stepsDoneAt(this.loopBegin - 1);
    return Math.max(0, Math.min(done, this.stepCount));
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _generator?: TorchGenerator): SchedulerStepOutput {
    checkSameLength(`${this.className}.step`, modelOutput, sample);
    if (this.numInferenceSteps === 0) throw new Error(`${this.className}: call setTimesteps before step`);
    if (this.counter < this.prkTimesteps.length && !this.options.skip_prk_steps) return this.stepPrk(modelOutput, timestep, sample);
    return this.stepPlms(modelOutput, timestep, sample);
  }

  private stepPrk(modelOutput: Float32Array, timestep: number, sample: Float32Array): SchedulerStepOutput {
    const T = this.options.num_train_timesteps;
    const diffToPrev = this.counter % 2 ? 0 : Math.floor(Math.floor(T / this.numInferenceSteps) / 2);
    const prevTimestep = timestep - diffToPrev;
    const t = this.prkTimesteps[Math.floor(this.counter / 4) * 4];
    const phase = this.counter % 4;
    let output = modelOutput;
    const accumulate = (weight: number): void => {
      const prev = this.curModelOutput;
      const w = fround(weight);
      const next = new Float32Array(modelOutput.length);
      for (let i = 0; i < next.length; i++) next[i] = (prev ? prev[i] : 0) + fround(w * modelOutput[i]);
      this.curModelOutput = next;
    };
    if (phase === 0) {
      accumulate(1 / 6);
      this.ets.push(modelOutput);
      this.curSample = sample;
    } else if (phase === 1 || phase === 2) {
      accumulate(1 / 3);
    } else {
      const prev = this.curModelOutput;
      const w = fround(1 / 6);
      output = new Float32Array(modelOutput.length);
      for (let i = 0; i < output.length; i++) output[i] = (prev ? prev[i] : 0) + fround(w * modelOutput[i]);
      this.curModelOutput = null;
    }
    const curSample = this.curSample ?? sample;
    const prevSample = this.prevSample(curSample, t, prevTimestep, output);
    this.counter++;
    return { prevSample, predOriginalSample: this.predictOriginal(curSample, t, output) };
  }

  private stepPlms(modelOutput: Float32Array, timestepIn: number, sampleIn: Float32Array): SchedulerStepOutput {
    const ratio = Math.floor(this.options.num_train_timesteps / this.numInferenceSteps);
    let timestep = timestepIn;
    let sample = sampleIn;
    let prevTimestep = timestep - ratio;
    if (this.counter !== 1) {
      this.ets = this.ets.slice(-3);
      this.ets.push(modelOutput);
    } else {
      prevTimestep = timestep;
      timestep = timestep + ratio;
    }
    const e = this.ets;
    const k = e.length;
    let output: Float32Array;
    if (k === 1 && this.counter === 0) {
      output = modelOutput;
      this.curSample = sample;
    } else if (k === 1 && this.counter === 1) {
      output = new Float32Array(modelOutput.length);
      for (let i = 0; i < output.length; i++) output[i] = fround(modelOutput[i] + e[0][i]) / 2;
      sample = this.curSample ?? sample;
      this.curSample = null;
    } else if (k === 2) {
      output = new Float32Array(modelOutput.length);
      for (let i = 0; i < output.length; i++) output[i] = fround(fround(3 * e[1][i]) - e[0][i]) / 2;
    } else if (k === 3) {
      output = new Float32Array(modelOutput.length);
      for (let i = 0; i < output.length; i++) {
        output[i] = fround(fround(fround(23 * e[2][i]) - fround(16 * e[1][i])) + fround(5 * e[0][i])) / 12;
      }
    } else {
      const w = fround(1 / 24);
      output = new Float32Array(modelOutput.length);
      for (let i = 0; i < output.length; i++) {
        const sum = fround(fround(fround(fround(55 * e[3][i]) - fround(59 * e[2][i])) + fround(37 * e[1][i])) - fround(9 * e[0][i]));
        output[i] = fround(w * sum);
      }
    }
    const prevSample = this.prevSample(sample, timestep, prevTimestep, output);
    this.counter++;
    return { prevSample, predOriginalSample: this.predictOriginal(sample, timestep, output) };
  }

  /** ᾱ at a timestep, or final_alpha_cumprod below 0. */
  private alphaAt(t: number): number {
    return t >= 0 ? this.alphasCumprod[t] : this.finalAlphaCumprod;
  }

  /** ε from the model output (v_prediction: ε = √ᾱ·v + √(1−ᾱ)·x). */
  private epsilonOf(modelOutput: Float32Array, sample: Float32Array, alphaProdT: number): Float32Array {
    if (this.options.prediction_type !== 'v_prediction') return modelOutput;
    const { sqrtAlpha, sqrtOneMinusAlpha } = alphaSigmaOf(alphaProdT);
    return axpby(sqrtAlpha, modelOutput, sqrtOneMinusAlpha, sample);
  }

  /** _get_prev_sample: formula (9) of the PNDM paper, float32 tensor maths. */
  private prevSample(sample: Float32Array, timestep: number, prevTimestep: number, modelOutput: Float32Array): Float32Array {
    const alphaProdT = this.alphaAt(timestep);
    const alphaProdTPrev = this.alphaAt(prevTimestep);
    const betaProdT = fround(1 - alphaProdT);
    const betaProdTPrev = fround(1 - alphaProdTPrev);
    const eps = this.epsilonOf(modelOutput, sample, alphaProdT);
    const sampleCoeff = fround(Math.sqrt(fround(alphaProdTPrev / alphaProdT)));
    const denom = fround(
      fround(alphaProdT * fround(Math.sqrt(betaProdTPrev))) + fround(Math.sqrt(fround(fround(alphaProdT * betaProdT) * alphaProdTPrev))),
    );
    const diff = fround(alphaProdTPrev - alphaProdT);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = fround(sampleCoeff * sample[i]) - fround(fround(diff * eps[i]) / denom);
    return out;
  }

  /** x0 = (x − √(1−ᾱ)·ε)/√ᾱ: PNDM returns none; the previews use this. */
  private predictOriginal(sample: Float32Array, timestep: number, modelOutput: Float32Array): Float32Array {
    const alphaProdT = this.alphaAt(timestep);
    const eps = this.epsilonOf(modelOutput, sample, alphaProdT);
    const { sqrtAlpha, sqrtOneMinusAlpha } = alphaSigmaOf(alphaProdT);
    const x0 = new Float32Array(sample.length);
    for (let i = 0; i < x0.length; i++) x0[i] = fround(sample[i] - fround(sqrtOneMinusAlpha * eps[i])) / sqrtAlpha;
    return x0;
  }

  /** √ᾱ_t·x0 + √(1−ᾱ_t)·noise (add_noise indexes ᾱ by the timestep itself). */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    checkSameLength(`${this.className}.addNoise`, originalSamples, noise);
    if (!Number.isInteger(timestep) || timestep < 0 || timestep >= this.alphasCumprod.length) {
      throw new Error(`${this.className}: addNoise got timestep ${timestep}, not in 0…${this.alphasCumprod.length - 1}`);
    }
    const { sqrtAlpha, sqrtOneMinusAlpha } = alphaSigmaOf(this.alphasCumprod[timestep]);
    const out = new Float32Array(originalSamples.length);
    for (let i = 0; i < out.length; i++) out[i] = fround(sqrtAlpha * originalSamples[i]) + fround(sqrtOneMinusAlpha * noise[i]);
    return out;
  }
}
