// The one latent set-up every pipeline uses (diffusers `prepare_latents` of StableDiffusionPipeline,
// StableDiffusionImg2ImgPipeline and StableDiffusionInpaintPipeline): the initial noise drawn from the seed's
// generator, then either noise × init_noise_sigma (from pure noise) or the image latents noised to the first
// timestep that runs (scheduler.add_noise; strength < 1 cuts the timesteps).
import type { TorchGenerator } from '../noise/torchGenerator';
import type { Scheduler } from '../schedulers/scheduler';

export interface PreparedLatents {
  /** Where the denoising loop starts. */
  latents: Float32Array;
  /** The initial noise (4-channel inpainting re-noises the image with it after every step). */
  noise: Float32Array;
}

/**
 * @param shape [1, channels, height, width] of the latent grid.
 * @param imageLatents UNet-space image latents to start from; undefined = start from pure noise.
 */
export function prepareLatents(
  scheduler: Scheduler,
  generator: TorchGenerator,
  shape: readonly [number, number, number, number],
  imageLatents?: Float32Array,
): PreparedLatents {
  const noise = generator.randn([...shape]);
  if (imageLatents) return { latents: scheduler.addNoise(imageLatents, noise, scheduler.timesteps[0]), noise };
  const sigma = scheduler.initNoiseSigma;
  const latents = new Float32Array(noise.length);
  for (let i = 0; i < noise.length; i++) latents[i] = noise[i] * sigma;
  return { latents, noise };
}
