// A1111's hires fix (AUTOMATIC1111 `modules/processing.py` StableDiffusionProcessingTxt2Img: sample, then
// sample_hr_pass): a txt2img image at the asked size, upscaled to floor(side × hr_scale) (a super-resolution ONNX
// model, or Lanczos), then image to image at that size with the hires strength and steps. The second pass draws from
// a fresh generator of the image's seed, as the img2img pipeline does, and reuses the first pass's conditioning; its schedule follows diffusers' get_timesteps (`hires steps` × strength steps run). Progress counts
// both passes' steps as one bar; every step, the upscale and every tile are cancel points.
import * as os from 'node:os';
import type { RasterImage } from '../../common/image/imageTypes';
import type { PreviewImage } from '../../common/protocol/engineProtocol';
import { throwIfCancelled } from '../cancellation';
import { withSdxlTimeIds } from '../conditioning/sdxlTimeIds';
import { hiresTargetSize, type HiresFix, type Txt2ImgRequest } from '../generateRequest';
import { TorchGenerator } from '../noise/torchGenerator';
import { centreCrop } from '../postprocess/centreCrop';
import { lanczosUpscale, upscaleImage } from '../upscale/upscaleImage';
import { UpscaleModel } from '../upscale/upscaleModel';
import { decodeLatents } from './decodeLatents';
import { denoiseForJob } from './denoise';
import { fitTo } from './img2imgPipeline';
import { rasterToPlanar } from './imageTensors';
import { latentShape, prepareScheduler, type JobContext } from './jobContext';
import { padEdges } from './padEdges';
import type { Pipeline, PipelineJob, PipelineOutput } from './pipeline';
import { generationSizeFor, runBatch } from './pipelineStages';
import { prepareLatents } from './prepareLatents';
import { sampleLatents } from './sampleLatents';
import { Txt2ImgPipeline, type PreparedTxt2Img } from './txt2imgPipeline';

/** Share of the machine's memory a Lanczos or model upscale of the first pass may use. */
const UPSCALE_MEMORY_SHARE = 0.25;

export class HiresFixPipeline implements Pipeline<Txt2ImgRequest> {
  readonly task = 'txt2img';
  private readonly txt2img = new Txt2ImgPipeline();

  async call(request: Txt2ImgRequest, job: PipelineJob): Promise<PipelineOutput> {
    const hires = request.hires;
    if (!hires) return this.txt2img.call(request, job);
    const first = await this.txt2img.prepare(request, job);
    const { warnings } = first;
    const target = hiresTargetSize(first.width, first.height, hires.scale);
    const size = generationSizeFor(job.model.info, target.width, target.height, warnings);
    const base = first.ctx;
    const added = job.model.unet.addedCond;
    // SDXL: the second pass's time_ids are its own size (conditioning/sdxlTimeIds.ts).
    const conditioning = added ? withSdxlTimeIds(base.conditioning, added.timeIds.name, size) : base.conditioning;
    const second: JobContext = { ...base, ...size, conditioning, steps: hires.steps || request.steps, strength: hires.strength };
    const firstSteps = prepareScheduler(base).stepCount;
    const secondSteps = prepareScheduler(second).stepCount;
    const onStep = base.onStep;
    const total = firstSteps + secondSteps;
    first.ctx = { ...base, onStep: (step, _steps, preview) => onStep(step, total, preview) };
    second.onStep = (step: number, _steps: number, preview: PreviewImage | undefined) => onStep(firstSteps + step, total, preview);
    const upscaler = hires.upscaler !== undefined ? await UpscaleModel.load(hires.upscaler, job.model.provider) : undefined;
    try {
      const images = await runBatch(
        job,
        request,
        first,
        (seed) => this.image(first, second, hires, upscaler, target, seed, job),
        [centreCrop(target.width, target.height)],
        // A1111 writes the first pass's size with "Hires upscale" (create_infotext: Size = p.width × p.height).
        { width: first.width, height: first.height },
      );
      return { images, width: target.width, height: target.height, scheduler: base.schedulerName, warnings, timings: base.timings };
    } finally {
      await upscaler?.dispose();
    }
  }

  /** One seed: the first pass, the upscale, the second pass at the generation size (before the centre crop). */
  async image(
    first: PreparedTxt2Img,
    second: JobContext,
    hires: HiresFix,
    upscaler: UpscaleModel | undefined,
    target: { width: number; height: number },
    seed: bigint,
    job: PipelineJob,
  ): Promise<RasterImage> {
    const small = await runCentreCrop(await this.txt2img.image(first, seed), first.width, first.height);
    throwIfCancelled(job.cancellation);
    job.emit({ stage: 'encodingImage' });
    const upscaled = await this.upscale(small, hires, upscaler, job);
    const source = padEdges(await fitTo(upscaled, target.width, target.height, undefined), second.width, second.height);
    const encoder = second.model.vaeEncoder!;
    const encodeStart = performance.now();
    const encoded = await encoder.encode(rasterToPlanar(source), second.height, second.width);
    second.timings.encodeImageMs += performance.now() - encodeStart;
    throwIfCancelled(job.cancellation);
    const scheduler = prepareScheduler(second);
    const generator = new TorchGenerator(seed);
    const imageLatents = sampleLatents(encoded, generator, second.model.info.vae);
    const { latents } = prepareLatents(scheduler, generator, latentShape(second), imageLatents);
    return decodeLatents(second, await denoiseForJob(second, scheduler, latents, generator));
  }

  private async upscale(image: RasterImage, hires: HiresFix, upscaler: UpscaleModel | undefined, job: PipelineJob): Promise<RasterImage> {
    const memoryBudgetBytes = Math.floor(os.totalmem() * UPSCALE_MEMORY_SHARE);
    if (!upscaler) return lanczosUpscale(image, hires.scale, memoryBudgetBytes);
    const result = await upscaleImage(image, upscaler, {
      scale: hires.scale,
      memoryBudgetBytes,
      ...(job.cancellation ? { cancellation: job.cancellation } : {}),
    });
    return result.image;
  }
}

/** The first pass's centre crop to the asked size (when the UNet needed a larger one). */
async function runCentreCrop(image: RasterImage, width: number, height: number): Promise<RasterImage> {
  if (image.width === width && image.height === height) return image;
  return centreCrop(width, height).apply(image);
}
