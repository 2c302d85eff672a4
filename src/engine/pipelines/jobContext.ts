import type { ConcreteSchedulerName, PreviewImage } from '../../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure, type Cancellation } from '../../common/protocol/rpc';
import type { PipelineModel } from '../model/pipelineModel';
import { createScheduler } from '../schedulers/createScheduler';
import type { Scheduler } from '../schedulers/scheduler';
import type { PromptEmbeddings } from './promptEmbeddings';

/** Mutable timing counters of one job (milliseconds). */
export interface JobTimings {
  denoiseMs: number;
  previewMs: number;
  decodeMs: number;
  encodeImageMs: number;
}

/** What every image of one generate request shares. */
export interface JobContext {
  model: PipelineModel;
  schedulerName: ConcreteSchedulerName;
  steps: number;
  guidanceScale: number;
  /** Denoising strength for img2img / inpaint (1 for txt2img). */
  strength: number;
  /** Generation size in pixels (multiples of the VAE scale factor). */
  width: number;
  height: number;
  embeddings: PromptEmbeddings;
  timestepCond?: Float32Array;
  previewEvery: number;
  cancellation?: Cancellation;
  timings: JobTimings;
  onStep(step: number, steps: number, preview: PreviewImage | undefined): void;
}

export function latentSize(ctx: JobContext): { height: number; width: number; channels: number } {
  const scale = ctx.model.info.vae.scaleFactor;
  return { height: ctx.height / scale, width: ctx.width / scale, channels: ctx.model.unet.latentChannels };
}

/** A fresh scheduler for one image, its timesteps set (cut for strength < 1). */
export function prepareScheduler(ctx: JobContext): Scheduler {
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
