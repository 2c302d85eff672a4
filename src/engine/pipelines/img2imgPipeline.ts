// Image to image (diffusers StableDiffusionImg2ImgPipeline): the image's latents (posterior sample drawn first from
// the seed's generator), then noise from the same generator added at the first remaining timestep (strength cuts
// the timesteps, diffusers get_timesteps), denoise, decode, then post-processing (a centre crop when the UNet
// needed a larger size: the source is edge-padded to it so the crop lines up with the source).
import type { RasterImage } from '../../common/image/imageTypes';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import type { LatentDistribution } from '../components/vaeEncoder';
import { defaultSizeForImage, type Img2ImgRequest } from '../generateRequest';
import { decodeImage, resizeImage } from '../../node/image/imageCodec';
import { TorchGenerator } from '../noise/torchGenerator';
import { centreCrop } from '../postprocess/centreCrop';
import { decodeLatents } from './decodeLatents';
import { denoiseForJob } from './denoise';
import { rasterToPlanar } from './imageTensors';
import { emptyTimings, latentShape, prepareScheduler } from './jobContext';
import { padEdges } from './padEdges';
import type { Pipeline, PipelineJob, PipelineOutput } from './pipeline';
import { generationSizeFor, prepareJob, resolveSchedulerName, runBatch, type PreparedJob } from './pipelineStages';
import { prepareLatents } from './prepareLatents';
import { sampleLatents } from './sampleLatents';

/** Decodes an encoded input image, failing as InvalidParams with what it was. */
export async function decodeInput(bytes: Uint8Array, what: string): Promise<RasterImage> {
  return decodeImage(bytes).catch((e: unknown) => {
    throw new RpcFailure(ErrorCode.InvalidParams, `The ${what} could not be read: ${e instanceof Error ? e.message : String(e)}`);
  });
}

/** The image at the given size (resized with sharp when it differs, with a warning). */
export async function fitTo(image: RasterImage, width: number, height: number, warnings: string[] | undefined): Promise<RasterImage> {
  if (image.width === width && image.height === height) return image;
  warnings?.push(`The image (${image.width}×${image.height}) was resized to ${width}×${height} for generation.`);
  return resizeImage(image, width, height, 'fill');
}

export class Img2ImgPipeline implements Pipeline<Img2ImgRequest> {
  readonly task = 'img2img';

  async call(request: Img2ImgRequest, job: PipelineJob): Promise<PipelineOutput> {
    const { model } = job;
    const info = model.info;
    const warnings: string[] = [];
    job.emit({ stage: 'encodingImage' });
    const original = await decodeInput(request.initImage, 'init image');
    const fallback = defaultSizeForImage(original.width, original.height, info);
    const width = request.width ?? fallback.width;
    const height = request.height ?? fallback.height;
    const size = generationSizeFor(info, width, height, warnings);
    const schedulerName = resolveSchedulerName(model, request.scheduler, warnings);
    const prepared = await prepareJob(job, request, { schedulerName, ...size, strength: request.strength, warnings, timings: emptyTimings() });
    const { ctx } = prepared;
    const source = padEdges(await fitTo(original, width, height, warnings), size.width, size.height);
    const encodeStart = performance.now();
    const encoder = model.vaeEncoder;
    if (!encoder) throw new RpcFailure(ErrorCode.ModelMismatch, `${info.name} has no vae_encoder/: image-to-image needs it.`);
    const encoded = await encoder.encode(rasterToPlanar(source), size.height, size.width);
    ctx.timings.encodeImageMs += performance.now() - encodeStart;
    const images = await runBatch(job, request, prepared, (seed) => this.image(prepared, encoded, seed), [centreCrop(width, height)], {
      width,
      height,
    });
    return { images, width, height, scheduler: schedulerName, warnings, timings: ctx.timings };
  }

  /** One seed's image at the generation size (before post-processing). */
  async image(prepared: PreparedJob, encoded: LatentDistribution, seed: bigint): Promise<RasterImage> {
    const { ctx } = prepared;
    const scheduler = prepareScheduler(ctx);
    const generator = new TorchGenerator(seed);
    const imageLatents = sampleLatents(encoded, generator, ctx.model.info.vae);
    const { latents } = prepareLatents(scheduler, generator, latentShape(ctx), imageLatents);
    return decodeLatents(ctx, await denoiseForJob(ctx, scheduler, latents, generator));
  }
}
