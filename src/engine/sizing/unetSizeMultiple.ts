// The sizes a UNet takes. diffusers' UNet2DConditionModel halves the latent grid in every down block but the last
// (`unets/unet_2d_condition.py`: `is_final_block = i == len(block_out_channels) - 1`, and only non-final blocks
// add a Downsample2D), and its up blocks concatenate skip connections of the same size: a latent side that does
// not divide by 2^(down blocks − 1) ends in ONNX Runtime's Concat shape error. So width and height must be
// multiples of vae scale factor × 2^(down blocks − 1) (64 for Stable Diffusion 1.x/2.x: 8 × 2^3).

/** Pixels that width and height must be multiples of, from unet/config.json (the VAE's alone when it says nothing). */
export function unetSizeMultiple(unetConfig: Readonly<Record<string, unknown>> | null, vaeScaleFactor: number): number {
  return vaeScaleFactor * 2 ** Math.max(0, downBlockCount(unetConfig) - 1);
}

/** diffusers' config: `down_block_types` (one per block), else `block_out_channels` (the same length). */
function downBlockCount(config: Readonly<Record<string, unknown>> | null): number {
  const types = config?.down_block_types;
  if (Array.isArray(types) && types.length > 0) return types.length;
  const channels = config?.block_out_channels;
  if (Array.isArray(channels) && channels.length > 0) return channels.length;
  // Neither key: nothing says the graph down-samples, so only the VAE's own multiple is required.
  return 1;
}

/** The size to generate at for an asked size: each side rounded up to the multiple (the result is centre-cropped). */
export function sizeForUnet(width: number, height: number, multiple: number): { width: number; height: number } {
  const up = (v: number): number => Math.ceil(v / multiple) * multiple;
  return { width: up(width), height: up(height) };
}
