// What every image of one generate request shares once a pipeline has resolved it: the model, the scheduler, the
// generation size, the conditioning, previews, cancellation and timings.
import type { ConcreteSchedulerName, PreviewImage } from '../../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure, type Cancellation } from '../../common/protocol/rpc';
import type { UnetConditioning } from '../conditioning/unetConditioning';
import type { PipelineModel } from '../model/pipelineModel';
import { createScheduler } from '../schedulers/createScheduler';
import type { Scheduler } from '../schedulers/scheduler';

/** Mutable timing counters of one job (milliseconds). */
export interface JobTimings {
  textEncodeMs: number;
  denoiseMs: number;
  previewMs: number;
  decodeMs: number;
  encodeImageMs: number;
}

export function emptyTimings(): JobTimings {
  return { textEncodeMs: 0, denoiseMs: 0, previewMs: 0, decodeMs: 0, encodeImageMs: 0 };
}

export interface JobContext {
  model: PipelineModel;
  schedulerName: ConcreteSchedulerName;
  steps: number;
  guidanceScale: number;
  /** Denoising strength for img2img / inpaint (1 for txt2img). */
  strength: number;
  /** Generation size in pixels (multiples of the UNet's size multiple). */
  width: number;
  height: number;
  conditioning: UnetConditioning;
  timestepCond?: Float32Array;
  previewEvery: number;
  cancellation?: Cancellation;
  timings: JobTimings;
  onStep(step: number, steps: number, preview: PreviewImage | undefined): void;
}

export function latentSize(ctx: Pick<JobContext, 'model' | 'width' | 'height'>): { height: number; width: number; channels: number } {
  const scale = ctx.model.info.vae.scaleFactor;
  return { height: ctx.height / scale, width: ctx.width / scale, channels: ctx.model.unet.latentChannels };
}

/** [1, channels, height, width] of the job's latent grid. */
export function latentShape(ctx: Pick<JobContext, 'model' | 'width' | 'height'>): [number, number, number, number] {
  const { channels, height, width } = latentSize(ctx);
  return [1, channels, height, width];
}

/** A fresh scheduler for one image, its timesteps set (cut for strength < 1). */
export function prepareScheduler(ctx: Pick<JobContext, 'model' | 'schedulerName' | 'steps' | 'strength'>): Scheduler {
  const scheduler = createScheduler(ctx.schedulerName, ctx.model.folder.schedulerConfig);
  scheduler.setTimesteps(ctx.steps, ctx.strength);
  if (scheduler.timesteps.length === 0) {
    throw new RpcFailure(
      ErrorCode.InvalidParams,
      `With strength ${ctx.strength} and ${ctx.steps} steps no denoising step runs: raise the steps or the strength.`,
    );
  }
  return scheduler;
}
