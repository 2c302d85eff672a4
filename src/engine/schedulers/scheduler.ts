// The one interface every scheduler implements (diffusers SchedulerMixin semantics, flat NCHW arrays).
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import type { TorchGenerator } from '../noise/torchGenerator';

export interface SchedulerStepOutput {
  prevSample: Float32Array;
  /** x0 predicted at this step (after clipping where the scheduler clips); LCM: its `denoised` output. */
  predOriginalSample: Float32Array;
}

/**
 * Buffers a step may write its outputs into instead of allocating (each as long as the sample, aliasing neither the
 * sample nor the model output). The step returns them as its outputs; they are the caller's until it passes them again.
 * A scheduler that keeps an output for later steps (multistep solvers) allocates that one regardless.
 */
export interface SchedulerStepBuffers {
  prevSample: Float32Array;
  predOriginalSample: Float32Array;
}

export interface Scheduler {
  readonly name: ConcreteSchedulerName;
  readonly order: number;
  /**
   * Whether step() keeps a reference to a model output after it returns (multistep solvers keep past outputs). When
   * false, the loop may pass the same buffer as the model output every step.
   */
  readonly keepsModelOutput: boolean;
  /** Valid after setTimesteps. */
  readonly initNoiseSigma: number;
  /**
   * The timesteps the denoising loop runs, in order (already cut for strength < 1). Second-order
   * schedulers (Heun, DPM++ SDE: diffusers order 2) and PLMS list more entries than steps: the loop
   * runs every entry (one UNet evaluation each) and counts progress with completedSteps.
   */
  readonly timesteps: readonly number[];
  /** The steps the user sees for this run (after the img2img cut): timesteps.length for one-evaluation schedulers. */
  readonly stepCount: number;
  /** The steps complete after running timesteps[0 … loopIndex] (0 … stepCount, stepCount after the last entry). */
  completedSteps(loopIndex: number): number;
  /** ᾱ table (length num_train_timesteps). */
  readonly alphasCumprod: Float32Array;
  /**
   * strength in (0, 1], default 1 = txt2img; < 1 = img2img as diffusers' img2img pipeline does
   * (get_timesteps: t_start · order, + set_begin_index); LCM uses its own strength rule
   * (scheduling_lcm.py set_timesteps). When
   * numInferenceSteps × strength leaves no step, timesteps is empty (no error).
   */
  setTimesteps(numInferenceSteps: number, strength?: number): void;
  /**
   * diffusers scale_model_input. With `out` (the UNet's input buffer, as long as sample), the result is written there
   * and `out` is returned, so the loop does not allocate or copy a latent per step; without it, a new array (or the
   * sample itself, for schedulers that do not scale).
   */
  scaleModelInput(sample: Float32Array, timestep: number, out?: Float32Array): Float32Array;
  /**
   * Ancestral / LCM noise is drawn as generator.randn([modelOutput.length]) in diffusers' order. With `out`, a
   * scheduler may write its outputs there (see SchedulerStepBuffers) instead of allocating them.
   */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, generator?: TorchGenerator, out?: SchedulerStepBuffers): SchedulerStepOutput;
  /** diffusers add_noise (img2img start, and the inpaint re-noise at the NEXT timestep after a step). */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array;
}
