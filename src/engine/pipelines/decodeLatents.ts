import type { RasterImage } from '../../common/image/imageTypes';
import { planarToRaster } from './imageTensors';
import { latentSize, type JobContext } from './jobContext';
import { checkFinite } from './checkFinite';
import { toVaeLatents } from './vaeLatentScaling';

/** UNet-space latents → RGB bytes through the VAE decoder (latents / scaling_factor, diffusers `vae.decode(latents / vae.config.scaling_factor)`; with latents_mean/std as diffusers' SDXL pipeline), refusing a NaN/Inf decode (checkFinite.ts). */
export async function decodeLatents(ctx: Pick<JobContext, 'model' | 'width' | 'height' | 'timings'>, latents: Float32Array): Promise<RasterImage> {
  const start = performance.now();
  const { channels, height, width } = latentSize(ctx);
  const vae = ctx.model.info.vae;
  let unscaled: Float32Array;
  if (vae.latentsMean !== undefined && vae.latentsStd !== undefined) unscaled = toVaeLatents(latents, channels, vae);
  else {
    const scaling = vae.scalingFactor;
    unscaled = new Float32Array(latents.length);
    for (let i = 0; i < latents.length; i++) unscaled[i] = latents[i] / scaling;
  }
  const decoded = await ctx.model.vaeDecoder.decode(unscaled, channels, height, width);
  checkFinite(decoded.rgb, ctx.model.info);
  const image = planarToRaster(decoded.rgb, decoded.height, decoded.width);
  ctx.timings.decodeMs += performance.now() - start;
  return image;
}
