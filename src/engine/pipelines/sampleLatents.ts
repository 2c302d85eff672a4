import type { LatentDistribution } from '../components/vaeEncoder';
import type { TorchGenerator } from '../noise/torchGenerator';
import { toUnetLatents, type VaeLatentScaling } from './vaeLatentScaling';

/**
 * diffusers retrieve_latents(sample_mode="sample") × scaling_factor: mean + std·randn from the job's
 * generator when the encoder gave latent_parameters; the graph's own sample otherwise (no draw).
 */
export function sampleLatents(dist: LatentDistribution, generator: TorchGenerator, scaling: number | VaeLatentScaling): Float32Array {
  const vae = typeof scaling === 'number' ? { scalingFactor: scaling } : scaling;
  const scalingFactor = vae.scalingFactor;
  // latents_mean / latents_std (when the VAE config has them): drawn in VAE space, then vaeLatentScaling.ts.
  const stats = vae.latentsMean !== undefined && vae.latentsStd !== undefined;
  const factor = stats ? 1 : scalingFactor;
  const out = new Float32Array(dist.mean.length);
  if (dist.std) {
    const noise = generator.randn([1, dist.channels, dist.height, dist.width]);
    for (let i = 0; i < out.length; i++) out[i] = (dist.mean[i] + dist.std[i] * noise[i]) * factor;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = dist.mean[i] * factor;
  }
  return stats ? toUnetLatents(out, dist.channels, vae) : out;
}
