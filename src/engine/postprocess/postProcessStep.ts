// The stage after the VAE decode: a list of steps each pipeline assembles (paste-back and composite outside the
// mask for inpainting, centre-crop to the asked size, and later upscalers or face restoration), run in order on each
// decoded image before it is encoded with its metadata (encodeWithParameters.ts).
import type { RasterImage } from '../../common/image/imageTypes';

export interface PostProcessStep {
  /** For logs and errors, e.g. 'centre crop to 72×72'. */
  readonly name: string;
  apply(image: RasterImage): Promise<RasterImage>;
}

export async function runPostProcess(image: RasterImage, steps: readonly PostProcessStep[]): Promise<RasterImage> {
  let out = image;
  for (const step of steps) out = await step.apply(out);
  return out;
}
