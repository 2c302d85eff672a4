// Inpainting (diffusers StableDiffusionInpaintPipeline), at the generation size:
//  - 9-channel UNets: input = [scaled latents, mask, masked-image latents] (facts.md §1.4);
//  - 4-channel UNets: after every step, cells outside the mask are reset to the image latents re-noised
//    to the next timestep with the same initial noise (facts.md §7).
// The mask is binarised at 0.5 and resized to the latent grid with nearest. RNG order as diffusers: image
// posterior sample, initial noise, masked-image posterior sample.
import type { LatentDistribution } from '../components/vaeEncoder';
import { binarizeMask } from '../image/binarizeMask';
import type { GrayMask, RasterImage } from '../../common/image/imageTypes';
import { resizeMaskNearest } from '../image/resizeMaskNearest';
import { TorchGenerator } from '../noise/torchGenerator';
import { decodeLatents } from './decodeLatents';
import { denoiseForJob } from './denoise';
import { rasterToPlanar } from './imageTensors';
import { latentSize, prepareScheduler, type JobContext } from './jobContext';
import { sampleLatents } from './sampleLatents';

export interface InpaintInputs {
  image: LatentDistribution;
  /** Encoded masked image (9-channel UNets only). */
  maskedImage?: LatentDistribution;
  /** Binarised mask on the latent grid (height × width cells), 1 = repaint. */
  latentMask: Float32Array;
}

/** Encodes what every seed of the job shares: the image, the masked image and the latent mask. */
export async function prepareInpaint(ctx: JobContext, image: RasterImage, mask: GrayMask): Promise<InpaintInputs> {
  const encoder = ctx.model.vaeEncoder;
  if (!encoder) throw new Error('vae_encoder is required to inpaint');
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

/** One seed: returns the generated image at the generation size (not yet composited). */
export async function inpaint(ctx: JobContext, seed: number, inputs: InpaintInputs): Promise<RasterImage> {
  const { channels, height, width } = latentSize(ctx);
  const scaling = ctx.model.info.vae.scalingFactor;
  const scheduler = prepareScheduler(ctx);
  const generator = new TorchGenerator(seed);
  const imageLatents = sampleLatents(inputs.image, generator, scaling);
  const noise = generator.randn([1, channels, height, width]);
  let latents: Float32Array;
  if (ctx.strength >= 1) {
    latents = new Float32Array(noise.length);
    for (let i = 0; i < noise.length; i++) latents[i] = noise[i] * scheduler.initNoiseSigma;
  } else {
    latents = scheduler.addNoise(imageLatents, noise, scheduler.timesteps[0]);
  }
  let conditioning: Float32Array | undefined;
  if (inputs.maskedImage) {
    const maskedLatents = sampleLatents(inputs.maskedImage, generator, scaling);
    conditioning = new Float32Array(inputs.latentMask.length + maskedLatents.length);
    conditioning.set(inputs.latentMask, 0);
    conditioning.set(maskedLatents, inputs.latentMask.length);
  } else if (inputs.image.std) {
    // diffusers encodes the masked image for 4-channel UNets too, drawing from the generator; keep its
    // RNG order (ancestral step noise comes next) without paying for the encode.
    generator.randn([1, inputs.image.channels, inputs.image.height, inputs.image.width]);
  }
  const result = await denoiseForJob(ctx, scheduler, latents, generator, conditioning ? { conditioning } : { blend: { imageLatents, noise, mask: inputs.latentMask } });
  return decodeLatents(ctx, result);
}
