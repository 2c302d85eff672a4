import type { RasterImage } from '../../common/image/imageTypes';
import { planarToRaster } from './imageTensors';
import { latentSize, type JobContext } from './jobContext';

/** UNet-space latents → RGB bytes through the VAE decoder (latents / scaling_factor, diffusers `vae.decode(latents / vae.config.scaling_factor)`). */
export async function decodeLatents(ctx: Pick<JobContext, 'model' | 'width' | 'height' | 'timings'>, latents: Float32Array): Promise<RasterImage> {
  const start = performance.now();
  const { channels, height, width } = latentSize(ctx);
  const scaling = ctx.model.info.vae.scalingFactor;
  const unscaled = new Float32Array(latents.length);
  for (let i = 0; i < latents.length; i++) unscaled[i] = latents[i] / scaling;
  const decoded = await ctx.model.vaeDecoder.decode(unscaled, channels, height, width);
  const image = planarToRaster(decoded.rgb, decoded.height, decoded.width);
  ctx.timings.decodeMs += performance.now() - start;
  return image;
}
