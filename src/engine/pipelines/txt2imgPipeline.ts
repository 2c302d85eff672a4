// Text to image (diffusers StableDiffusionPipeline): latents = randn(seed) × initNoiseSigma, denoise, decode, then
// post-processing (a centre crop when the UNet needed a larger size). A 9-channel inpainting UNet can draw from text
// too: mask 1 everywhere, masked image = mid-grey (A1111 `modules/processing.py` txt2img_image_conditioning).
import type { RasterImage } from '../../common/image/imageTypes';
import type { Txt2ImgRequest } from '../generateRequest';
import { TorchGenerator } from '../noise/torchGenerator';
import { centreCrop } from '../postprocess/centreCrop';
import { decodeLatents } from './decodeLatents';
import { denoiseForJob } from './denoise';
import { emptyTimings, latentShape, prepareScheduler, type JobContext } from './jobContext';
import type { Pipeline, PipelineJob, PipelineOutput } from './pipeline';
import { generationSizeFor, prepareJob, resolveSchedulerName, runBatch, type PreparedJob } from './pipelineStages';
import { prepareLatents } from './prepareLatents';

/** What every seed of a txt2img job shares. */
export interface PreparedTxt2Img extends PreparedJob {
  /** The asked (output) size. */
  width: number;
  height: number;
  /** 9-channel UNets: the blank inpainting conditioning. */
  extraChannels?: Float32Array;
  warnings: string[];
}

export class Txt2ImgPipeline implements Pipeline<Txt2ImgRequest> {
  readonly task = 'txt2img';

  async call(request: Txt2ImgRequest, job: PipelineJob): Promise<PipelineOutput> {
    const prepared = await this.prepare(request, job);
    const { ctx, width, height } = prepared;
    const images = await runBatch(job, request, prepared, (seed) => this.image(prepared, seed), [centreCrop(width, height)], { width, height });
    return { images, width, height, scheduler: ctx.schedulerName, warnings: prepared.warnings, timings: ctx.timings };
  }

  /** The size, scheduler and conditioning of the job. */
  async prepare(request: Txt2ImgRequest, job: PipelineJob): Promise<PreparedTxt2Img> {
    const { model } = job;
    const info = model.info;
    const warnings: string[] = [];
    const width = request.width ?? info.nativeWidth;
    const height = request.height ?? info.nativeHeight;
    const size = generationSizeFor(info, width, height, warnings);
    const schedulerName = resolveSchedulerName(model, request.scheduler, warnings);
    const { ctx, cursor } = await prepareJob(job, request, { schedulerName, ...size, strength: 1, warnings, timings: emptyTimings() });
    const extraChannels = model.unet.inChannels === 9 ? await blankInpaintChannels(ctx) : undefined;
    return { ctx, cursor, width, height, ...(extraChannels ? { extraChannels } : {}), warnings };
  }

  /** The final latents of one seed (UNet space; the parity test compares them with PyTorch's). */
  async latents(prepared: PreparedTxt2Img, seed: bigint): Promise<Float32Array> {
    const { ctx } = prepared;
    const scheduler = prepareScheduler(ctx);
    const generator = new TorchGenerator(seed);
    const { latents } = prepareLatents(scheduler, generator, latentShape(ctx));
    return denoiseForJob(ctx, scheduler, latents, generator, prepared.extraChannels ? { extraChannels: prepared.extraChannels } : {});
  }

  /** One seed's image at the generation size (before post-processing). */
  async image(prepared: PreparedTxt2Img, seed: bigint): Promise<RasterImage> {
    return decodeLatents(prepared.ctx, await this.latents(prepared, seed));
  }
}

/** A 9-channel UNet drawing from text alone: mask 1 everywhere, masked image = mid-grey (zeros in [-1, 1]). */
async function blankInpaintChannels(ctx: JobContext): Promise<Float32Array> {
  const { model, width, height } = ctx;
  const scale = model.info.vae.scaleFactor;
  const cells = (width / scale) * (height / scale);
  const channels = new Float32Array(cells * (1 + model.unet.latentChannels));
  channels.fill(1, 0, cells);
  if (model.vaeEncoder) {
    const encoded = await model.vaeEncoder.encode(new Float32Array(3 * width * height), height, width);
    const scaling = model.info.vae.scalingFactor;
    for (let i = 0; i < encoded.mean.length; i++) channels[cells + i] = encoded.mean[i] * scaling;
  }
  return channels;
}
