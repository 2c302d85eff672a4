// Stages the pipelines share (diffusers' pipelines share `encode_prompt`, `prepare_latents` and the loop the same
// way): the scheduler choice, the generation size, the job context with its conditioning, and the batch loop that
// runs post-processing and encodes each image with its A1111 infotext.
import type { RasterImage } from '../../common/image/imageTypes';
import type { ConcreteSchedulerName, GeneratedImage, ModelInfo, SchedulerName } from '../../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import { seedForImage } from '../../common/seed';
import { throwIfCancelled } from '../cancellation';
import { conditionerFor } from '../conditioning/conditionerFor';
import type { GenerateRequest } from '../generateRequest';
import type { PipelineModel } from '../model/pipelineModel';
import { encodeWithParameters } from '../postprocess/encodeWithParameters';
import { runPostProcess, type PostProcessStep } from '../postprocess/postProcessStep';
import { removeBackgroundStep } from '../postprocess/removeBackgroundStep';
import { resolveDefaultScheduler } from '../schedulers/createScheduler';
import { sizeForUnet } from '../sizing/unetSizeMultiple';
import { guidanceScaleEmbedding } from './guidanceScaleEmbedding';
import { infotextFor } from './infotext';
import type { JobContext, JobTimings } from './jobContext';
import type { PipelineJob } from './pipeline';

/** `default` resolved through the model's scheduler_config.json (with a note when it had to choose). */
export function resolveSchedulerName(model: PipelineModel, requested: SchedulerName, warnings: string[]): ConcreteSchedulerName {
  if (requested !== 'default') return requested;
  const resolved = resolveDefaultScheduler(model.folder.schedulerConfig);
  if (resolved.note) warnings.push(resolved.note);
  return resolved.name;
}

/** Fails with the exported size when the UNet was exported for one size only. */
export function checkFixedSize(info: ModelInfo, width: number, height: number): void {
  if (info.unet.size !== 'dynamic' && (info.unet.size.width !== width || info.unet.size.height !== height)) {
    throw new RpcFailure(ErrorCode.InvalidParams, `This model's UNet was exported for ${info.unet.size.width}×${info.unet.size.height} only; ${width}×${height} was asked.`);
  }
}

/**
 * The size to generate at for an exact output size: itself when the UNet takes it, else the next size it takes
 * (centre-cropped afterwards, with a warning).
 */
export function generationSizeFor(info: ModelInfo, width: number, height: number, warnings: string[]): { width: number; height: number } {
  const size = sizeForUnet(width, height, info.sizeMultiple);
  if (size.width !== width || size.height !== height) {
    warnings.push(
      `${info.name}'s UNet takes sizes in multiples of ${info.sizeMultiple}: generated at ${size.width}×${size.height} and centre-cropped to ${width}×${height}.`,
    );
  }
  checkFixedSize(info, size.width, size.height);
  return size;
}

export interface PreparedJob {
  ctx: JobContext;
  cursor: BatchCursor;
}

export interface JobSettings {
  schedulerName: ConcreteSchedulerName;
  width: number;
  height: number;
  strength: number;
  warnings: string[];
  timings: JobTimings;
}

/** What one image of the batch is at (for progress). */
export interface BatchCursor {
  image: number;
  started: number;
}

/** Encodes the prompt (conditioning) and builds the context every image of the job shares. */
export async function prepareJob(
  job: PipelineJob,
  request: GenerateRequest,
  settings: JobSettings,
): Promise<PreparedJob> {
  const { model } = job;
  const info = model.info;
  const lcm = info.unet.timeCondProjDim;
  const guided = request.guidanceScale > 1 && lcm === null;
  throwIfCancelled(job.cancellation);
  job.emit({ stage: 'encodingPrompt' });
  const textStart = performance.now();
  const size = { width: settings.width, height: settings.height };
  const conditioning = await conditionerFor(model, { emphasis: request.emphasis, clipSkip: request.clipSkip, size }).encode(request.prompt, request.negativePrompt, guided);
  settings.timings.textEncodeMs += performance.now() - textStart;
  settings.warnings.push(...conditioning.warnings);
  const cursor: BatchCursor = { image: 0, started: performance.now() };
  const ctx: JobContext = {
    model,
    schedulerName: settings.schedulerName,
    steps: request.steps,
    guidanceScale: request.guidanceScale,
    strength: settings.strength,
    width: settings.width,
    height: settings.height,
    conditioning,
    ...(lcm !== null ? { timestepCond: guidanceScaleEmbedding(request.guidanceScale, lcm) } : {}),
    previewEvery: request.previewEverySteps,
    ...(job.cancellation ? { cancellation: job.cancellation } : {}),
    timings: settings.timings,
    onStep: (step, steps, preview) => {
      job.emit({
        stage: 'denoising',
        image: cursor.image + 1,
        images: request.batchCount,
        step,
        steps,
        elapsedMs: Math.round(performance.now() - cursor.started),
        ...(preview ? { preview } : {}),
      });
      if (step === steps) job.emit({ stage: 'decoding', image: cursor.image + 1, images: request.batchCount });
    },
  };
  return { ctx, cursor };
}

/** Image i of the batch with seed + i: generate, post-process, encode with its infotext. */
export async function runBatch(
  job: PipelineJob,
  request: GenerateRequest,
  prepared: PreparedJob,
  generate: (seed: bigint) => Promise<RasterImage>,
  post: readonly PostProcessStep[],
  infotextSize: { width: number; height: number },
): Promise<GeneratedImage[]> {
  const { ctx, cursor } = prepared;
  const images: GeneratedImage[] = [];
  // `generate --remove-background`: the segmentation model is loaded once per job and cuts out every image last.
  const cutOut = request.removeBackground ? await removeBackgroundStep(request.removeBackground, job) : undefined;
  const steps = cutOut ? [...post, cutOut.step] : post;
  try {
    for (let index = 0; index < request.batchCount; index++) {
      throwIfCancelled(job.cancellation);
      const seed = seedForImage(request.seed, index);
      cursor.image = index;
      cursor.started = performance.now();
      const image = await runPostProcess(await generate(seed), steps);
      const parameters = infotextFor(request, {
        seed,
        scheduler: ctx.schedulerName,
        ...infotextSize,
        model: job.model.info.name,
        ...(job.modelHash ? { modelHash: job.modelHash } : {}),
        ...(job.loraHashes ? { loraHashes: job.loraHashes } : {}),
        ...(ctx.conditioning.infotext ? { conditioning: ctx.conditioning.infotext } : {}),
      });
      images.push({ png: await encodeWithParameters(image, parameters), seed: seed.toString(), parameters });
    }
  } finally {
    await cutOut?.dispose();
  }
  return images;
}
