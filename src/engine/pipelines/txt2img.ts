// Text to image (diffusers StableDiffusionPipeline): latents = randn(seed) × initNoiseSigma, then denoise.
// A 9-channel inpainting UNet can also draw from text: mask 1 everywhere, masked image = mid-grey
// (A1111's txt2img conditioning for inpainting models).
import type { RasterImage } from '../../common/image/imageTypes';
import { TorchGenerator } from '../noise/torchGenerator';
import { decodeLatents } from './decodeLatents';
import { denoiseForJob } from './denoise';
import { latentSize, prepareScheduler, type JobContext } from './jobContext';

export async function txt2img(ctx: JobContext, seed: number, inpaintConditioning?: Float32Array): Promise<RasterImage> {
  const { channels, height, width } = latentSize(ctx);
  const scheduler = prepareScheduler(ctx);
  const generator = new TorchGenerator(seed);
  const noise = generator.randn([1, channels, height, width]);
  const latents = new Float32Array(noise.length);
  const sigma = scheduler.initNoiseSigma;
  for (let i = 0; i < latents.length; i++) latents[i] = noise[i] * sigma;
  const result = await denoiseForJob(ctx, scheduler, latents, generator, inpaintConditioning ? { conditioning: inpaintConditioning } : {});
  return decodeLatents(ctx, result);
}
