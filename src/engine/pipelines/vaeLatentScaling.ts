// VAE space ⇄ UNet space (diffusers `pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py` decode and
// `pipeline_stable_diffusion_xl_img2img.py` prepare_latents): with the VAE config's latents_mean / latents_std,
// unet = (vae − mean)·scaling_factor / std and vae = unet·std / scaling_factor + mean, per channel; without them
// unet = vae·scaling_factor.
import type { ModelInfo } from '../../common/protocol/engineProtocol';

export type VaeLatentScaling = Pick<ModelInfo['vae'], 'scalingFactor' | 'latentsMean' | 'latentsStd'>;

function channelStats(vae: VaeLatentScaling, channels: number): { mean: number[]; std: number[] } | undefined {
  const { latentsMean: mean, latentsStd: std } = vae;
  if (!mean || !std || mean.length !== channels || std.length !== channels) return undefined;
  return { mean, std };
}

/** VAE-space latents (channels × plane) → UNet space, in place on a copy. */
export function toUnetLatents(vaeLatents: Float32Array, channels: number, vae: VaeLatentScaling): Float32Array {
  const out = new Float32Array(vaeLatents.length);
  const stats = channelStats(vae, channels);
  const plane = vaeLatents.length / channels;
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / plane);
    out[i] = stats ? ((vaeLatents[i] - stats.mean[c]) * vae.scalingFactor) / stats.std[c] : vaeLatents[i] * vae.scalingFactor;
  }
  return out;
}

/** UNet-space latents → VAE space (what the decoder takes). */
export function toVaeLatents(unetLatents: Float32Array, channels: number, vae: VaeLatentScaling): Float32Array {
  const out = new Float32Array(unetLatents.length);
  const stats = channelStats(vae, channels);
  const plane = unetLatents.length / channels;
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / plane);
    out[i] = stats ? (unetLatents[i] * stats.std[c]) / vae.scalingFactor + stats.mean[c] : unetLatents[i] / vae.scalingFactor;
  }
  return out;
}
