// Inpainting (diffusers StableDiffusionInpaintPipeline), with A1111's mask handling around it:
//  - the mask is feathered (maskBlur), and with "only masked" the job runs on a crop around it (plus padding) at
//    the model's size (A1111 `modules/processing.py` StableDiffusionProcessingImg2Img.init, inpaint_full_res);
//  - 9-channel UNets: input = [scaled latents, mask, masked-image latents];
//  - 4-channel UNets: after every step, cells outside the mask are reset to the image latents re-noised to the
//    next timestep with the same initial noise (diffusers `pipeline_stable_diffusion_inpaint.py`, num_channels_unet 4);
//  - post-processing pastes the result back and keeps the original outside the soft mask.
// The mask is binarised at 0.5 and resized to the latent grid with nearest. RNG order as diffusers: image
// posterior sample, initial noise, masked-image posterior sample.
import type { GrayMask, RasterImage } from '../../common/image/imageTypes';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import type { LatentDistribution, VaeEncoder } from '../components/vaeEncoder';
import { defaultSizeForImage, type InpaintRequest } from '../generateRequest';
import { binarizeMask } from '../image/binarizeMask';
import { cropRegionForMask } from '../image/cropRegionForMask';
import { maskFromImage, toGrayMask } from '../image/maskFromImage';
import { cropMask, cropRaster, resizeMaskBilinear } from '../image/rasterOps';
import { featherMask } from '../../common/mask/maskFilters';
import { isEmptyRect, maskBounds, type Rect } from '../../common/mask/maskRect';
import { resizeMaskNearest } from '../image/resizeMaskNearest';
import { TorchGenerator } from '../noise/torchGenerator';
import { pasteIntoOriginal } from '../postprocess/pasteIntoOriginal';
import { sizeForUnet } from '../sizing/unetSizeMultiple';
import { decodeLatents } from './decodeLatents';
import { denoiseForJob } from './denoise';
import { decodeInput, fitTo } from './img2imgPipeline';
import { rasterToPlanar } from './imageTensors';
import { emptyTimings, latentShape, latentSize, prepareScheduler, type JobContext } from './jobContext';
import type { Pipeline, PipelineJob, PipelineOutput } from './pipeline';
import { checkFixedSize, prepareJob, resolveSchedulerName, runBatch } from './pipelineStages';
import { prepareLatents } from './prepareLatents';
import { sampleLatents } from './sampleLatents';

export interface InpaintInputs {
  image: LatentDistribution;
  /** Encoded masked image (9-channel UNets only). */
  maskedImage?: LatentDistribution;
  /** Binarised mask on the latent grid (height × width cells), 1 = repaint. */
  latentMask: Float32Array;
}

function invalid(message: string): RpcFailure {
  return new RpcFailure(ErrorCode.InvalidParams, message);
}

export class InpaintPipeline implements Pipeline<InpaintRequest> {
  readonly task = 'inpaint';

  async call(request: InpaintRequest, job: PipelineJob): Promise<PipelineOutput> {
    const { model } = job;
    const info = model.info;
    const warnings: string[] = [];
    job.emit({ stage: 'encodingImage' });
    const original = await decodeInput(request.initImage, 'init image');
    const softMask = await this.prepareMask(request, original);

    // The generation size and the region of the original it covers. The crop planner makes the region's aspect
    // match the generation size; sizes the UNet cannot take are rounded up the same way (no crop needed after).
    let width: number;
    let height: number;
    let region: Rect;
    if (request.inpaintArea === 'masked') {
      width = request.width ?? (info.unet.size === 'dynamic' ? info.nativeWidth : info.unet.size.width);
      height = request.height ?? (info.unet.size === 'dynamic' ? info.nativeHeight : info.unet.size.height);
      ({ width, height } = sizeForUnet(width, height, info.sizeMultiple));
      const box = maskBounds(softMask);
      if (isEmptyRect(box)) throw invalid('The mask is empty: paint the area to repaint in white.');
      region = cropRegionForMask(box, original.width, original.height, request.maskPadding, width, height);
    } else {
      const size = defaultSizeForImage(original.width, original.height, info);
      ({ width, height } = sizeForUnet(request.width ?? size.width, request.height ?? size.height, info.sizeMultiple));
      region = { x: 0, y: 0, width: original.width, height: original.height };
    }
    checkFixedSize(info, width, height);

    const schedulerName = resolveSchedulerName(model, request.scheduler, warnings);
    const prepared = await prepareJob(job, request, { schedulerName, width, height, strength: request.strength, warnings, timings: emptyTimings() });
    const { ctx } = prepared;
    const sourceImage = await fitTo(cropRaster(original, region), width, height, undefined);
    const sourceMask = resizeMaskBilinear(cropMask(softMask, region), width, height);
    if (isEmptyRect(maskBounds(binarizeMask(sourceMask, 0.5)))) {
      warnings.push('The mask is fainter than 50% everywhere: the model repaints nothing, only the soft edge blends.');
    }
    const inputs = await prepareInpaint(ctx, sourceImage, sourceMask);
    const images = await runBatch(
      job,
      request,
      prepared,
      (seed) => this.image(ctx, inputs, seed),
      [pasteIntoOriginal(original, region, softMask)],
      { width, height },
    );
    return { images, width: original.width, height: original.height, scheduler: schedulerName, warnings, timings: ctx.timings };
  }

  /** The mask as a soft grey mask the size of the image, feathered by maskBlur. */
  private async prepareMask(request: InpaintRequest, original: RasterImage): Promise<GrayMask> {
    const maskImage = await decodeInput(request.mask, 'mask');
    if (maskImage.width !== original.width || maskImage.height !== original.height) {
      throw invalid(
        `The mask is ${maskImage.width}×${maskImage.height} but the image is ${original.width}×${original.height}: they must be the same size.`,
      );
    }
    const mask = maskFromImage(maskImage, original.width, original.height);
    featherMask(mask, request.maskBlur); // A1111 "Mask blur", on the 8-bit mask (0: none)
    if (isEmptyRect(maskBounds(mask))) throw invalid('The mask is empty: paint the area to repaint in white.');
    return toGrayMask(mask);
  }

  /** One seed: the generated image at the generation size (pasted back by post-processing). */
  async image(ctx: JobContext, inputs: InpaintInputs, seed: bigint): Promise<RasterImage> {
    const scaling = ctx.model.info.vae;
    const scheduler = prepareScheduler(ctx);
    const generator = new TorchGenerator(seed);
    const imageLatents = sampleLatents(inputs.image, generator, scaling);
    // diffusers' inpaint prepare_latents: pure noise × init_noise_sigma at full strength, else the noised image.
    const { latents, noise } = prepareLatents(scheduler, generator, latentShape(ctx), ctx.strength >= 1 ? undefined : imageLatents);
    let extraChannels: Float32Array | undefined;
    if (inputs.maskedImage) {
      const maskedLatents = sampleLatents(inputs.maskedImage, generator, scaling);
      extraChannels = new Float32Array(inputs.latentMask.length + maskedLatents.length);
      extraChannels.set(inputs.latentMask, 0);
      extraChannels.set(maskedLatents, inputs.latentMask.length);
    } else if (inputs.image.std) {
      // diffusers encodes the masked image for 4-channel UNets too, drawing from the generator; keep its
      // RNG order (ancestral step noise comes next) without paying for the encode.
      generator.randn([1, inputs.image.channels, inputs.image.height, inputs.image.width]);
    }
    const result = await denoiseForJob(
      ctx,
      scheduler,
      latents,
      generator,
      extraChannels ? { extraChannels } : { blend: { imageLatents, noise, mask: inputs.latentMask } },
    );
    return decodeLatents(ctx, result);
  }
}

/** Encodes what every seed of the job shares: the image, the masked image and the latent mask. */
export async function prepareInpaint(ctx: JobContext, image: RasterImage, mask: GrayMask): Promise<InpaintInputs> {
  const encoder: VaeEncoder | undefined = ctx.model.vaeEncoder;
  if (!encoder) throw new RpcFailure(ErrorCode.ModelMismatch, `${ctx.model.info.name} has no vae_encoder/: inpainting needs it.`);
  const start = performance.now();
  const condition = binarizeMask(mask, 0.5);
  const planar = rasterToPlanar(image);
  const encoded = await encoder.encode(planar, image.height, image.width);
  let maskedImage: LatentDistribution | undefined;
  if (ctx.model.unet.inChannels === 9) {
    const n = image.width * image.height;
    const masked = planar.slice();
    for (let i = 0; i < n; i++) {
      if (condition.data[i] >= 0.5) for (let c = 0; c < 3; c++) masked[c * n + i] = 0;
    }
    maskedImage = await encoder.encode(masked, image.height, image.width);
  }
  const { height, width } = latentSize(ctx);
  const latentMask = resizeMaskNearest(condition, width, height).data;
  ctx.timings.encodeImageMs += performance.now() - start;
  return { image: encoded, ...(maskedImage ? { maskedImage } : {}), latentMask };
}
