import type { LatentDistribution } from '../components/vaeEncoder';
import type { TorchGenerator } from '../noise/torchGenerator';

/**
 * diffusers retrieve_latents(sample_mode="sample") × scaling_factor: mean + std·randn from the job's
 * generator when the encoder gave latent_parameters; the graph's own sample otherwise (no draw).
 */
export function sampleLatents(dist: LatentDistribution, generator: TorchGenerator, scalingFactor: number): Float32Array {
  const out = new Float32Array(dist.mean.length);
  if (dist.std) {
    const noise = generator.randn([1, dist.channels, dist.height, dist.width]);
    for (let i = 0; i < out.length; i++) out[i] = (dist.mean[i] + dist.std[i] * noise[i]) * scalingFactor;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = dist.mean[i] * scalingFactor;
  }
  return out;
}
