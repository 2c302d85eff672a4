// Image to image (diffusers StableDiffusionImg2ImgPipeline): the image's latents (posterior sample drawn
// first from the seed's generator), then noise from the same generator, added at the first remaining
// timestep (strength → start step, facts.md §2.9), then denoise.
import type { LatentDistribution } from '../components/vaeEncoder';
import type { RasterImage } from '../../common/image/imageTypes';
import { TorchGenerator } from '../noise/torchGenerator';
import { decodeLatents } from './decodeLatents';
import { denoiseForJob } from './denoise';
import { latentSize, prepareScheduler, type JobContext } from './jobContext';
import { sampleLatents } from './sampleLatents';

export async function img2img(ctx: JobContext, seed: number, encoded: LatentDistribution): Promise<RasterImage> {
  const { channels, height, width } = latentSize(ctx);
  const scheduler = prepareScheduler(ctx);
  const generator = new TorchGenerator(seed);
  const imageLatents = sampleLatents(encoded, generator, ctx.model.info.vae.scalingFactor);
  const noise = generator.randn([1, channels, height, width]);
  const latents = scheduler.addNoise(imageLatents, noise, scheduler.timesteps[0]);
  const result = await denoiseForJob(ctx, scheduler, latents, generator);
  return decodeLatents(ctx, result);
}
