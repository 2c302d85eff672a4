// State shared by the schedulers: the ᾱ table, the full timestep schedule, the img2img cut
// (get_timesteps + set_begin_index) and diffusers' step-index bookkeeping.
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';
import { alphasCumprodOf, betasForConfig } from './betas';
import type { Scheduler, SchedulerStepBuffers, SchedulerStepOutput } from './scheduler';
import type { NoiseScheduleConfig } from './schedulerConfig';

/**
 * pipeline_stable_diffusion_img2img.py get_timesteps: the index of the first timestep that runs.
 * init_timestep = min(int(n·strength), n); t_start = max(n − init_timestep, 0).
 */
export function img2imgStartIndex(numInferenceSteps: number, strength: number): number {
  const initTimestep = Math.min(Math.floor(numInferenceSteps * strength), numInferenceSteps);
  return Math.max(numInferenceSteps - initTimestep, 0);
}

export function checkStepArguments(numInferenceSteps: number, strength: number): void {
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1) {
    throw new Error(`numInferenceSteps must be a positive integer, got ${numInferenceSteps}`);
  }
  if (!(strength > 0 && strength <= 1)) throw new Error(`strength must be in (0, 1], got ${strength}`);
}

export function checkSameLength(what: string, a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new Error(`${what}: arrays differ in length (${a.length} vs ${b.length})`);
}

export abstract class ScheduleBase implements Scheduler {
  abstract readonly name: ConcreteSchedulerName;
  /** diffusers' class attribute `order` (img2img starts at t_start · order). */
  readonly order: number = 1;
  readonly alphasCumprod: Float32Array;
  /** The whole schedule set_timesteps produced (diffusers' self.timesteps before the img2img cut). */
  protected fullTimesteps: number[] = [];
  /** set_begin_index(t_start · order). */
  protected beginIndex = 0;
  /** diffusers' _step_index: null until the first scaleModelInput / step / addNoise after setTimesteps. */
  protected stepIndex: number | null = null;
  private loopTimesteps: readonly number[] = [];

  protected constructor(noiseConfig: NoiseScheduleConfig, protected readonly className: string) {
    this.alphasCumprod = alphasCumprodOf(betasForConfig(noiseConfig));
  }

  get timesteps(): readonly number[] {
    return this.loopTimesteps;
  }

  get initNoiseSigma(): number {
    return 1;
  }

  /** One UNet evaluation per step unless a scheduler says otherwise. */
  get stepCount(): number {
    return this.loopTimesteps.length;
  }

  completedSteps(loopIndex: number): number {
    return Math.min(loopIndex + 1, this.stepCount);
  }

  /** With numInferenceSteps × strength < 1 no step is left: timesteps is then empty (the caller reports it). */
  setTimesteps(numInferenceSteps: number, strength = 1): void {
    checkStepArguments(numInferenceSteps, strength);
    const full = this.computeSchedule(numInferenceSteps);
    const begin = img2imgStartIndex(numInferenceSteps, strength) * this.order;
    this.useSchedule(full, Math.min(begin, full.length));
  }

  /** Installs a schedule and the index the loop starts at; resets the per-run state. */
  protected useSchedule(fullTimesteps: number[], beginIndex: number): void {
    this.fullTimesteps = fullTimesteps;
    this.beginIndex = beginIndex;
    this.loopTimesteps = Object.freeze(fullTimesteps.slice(beginIndex));
    this.stepIndex = null;
    this.resetRunState();
  }

  /** Builds the full schedule for n steps (and any per-step tables); returns its timesteps. */
  protected abstract computeSchedule(numInferenceSteps: number): number[];

  /** Clears solver history (DPM-Solver's previous model outputs). */
  protected resetRunState(): void {}

  /**
   * diffusers _init_step_index with a begin index: the first call starts at the begin index. The
   * caller must pass the timesteps in order; a different timestep means a broken loop, so it throws.
   */
  protected currentStepIndex(timestep: number, what: string): number {
    if (this.fullTimesteps.length === 0) throw new Error(`${this.className}: call setTimesteps before ${what}`);
    const index = this.stepIndex ?? this.beginIndex;
    if (index >= this.fullTimesteps.length) throw new Error(`${this.className}: ${what} called after the last step`);
    if (this.fullTimesteps[index] !== timestep) {
      throw new Error(`${this.className}: ${what} got timestep ${timestep}, expected ${this.fullTimesteps[index]} (step ${index})`);
    }
    this.stepIndex = index;
    return index;
  }

  scaleModelInput(sample: Float32Array, _timestep: number, out?: Float32Array): Float32Array {
    if (!out) return sample;
    out.set(sample);
    return out;
  }

  /** Safe by default: a scheduler that keeps no model output says so (and the loop reuses its guidance buffer). */
  readonly keepsModelOutput: boolean = true;

  abstract step(modelOutput: Float32Array, timestep: number, sample: Float32Array, generator?: TorchGenerator, out?: SchedulerStepBuffers): SchedulerStepOutput;
  abstract addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array;

  protected requireGenerator(generator: TorchGenerator | undefined): TorchGenerator {
    if (!generator) throw new Error(`${this.className}: step needs a TorchGenerator for its noise, and none was passed`);
    return generator;
  }
}
