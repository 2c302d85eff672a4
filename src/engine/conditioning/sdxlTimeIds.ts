// SDXL's micro-conditioning (diffusers `pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py`
// _get_add_time_ids): add_time_ids = original_size + crops_coords_top_left + target_size, each (height, width) /
// (top, left); defaults original_size = target_size = the generated (height, width), crops (0, 0). The negative
// side uses the same values unless negative sizes are given (they are not here).

export interface SdxlSizeConditioning {
  /** The generated size in pixels. */
  width: number;
  height: number;
  /** original_size; default the generated size. */
  originalSize?: { width: number; height: number };
  /** crops_coords_top_left; default (0, 0). */
  cropTopLeft?: { top: number; left: number };
}

/** [orig_h, orig_w, crop_top, crop_left, target_h, target_w]. */
export function sdxlTimeIds(size: SdxlSizeConditioning): Float32Array {
  const original = size.originalSize ?? { width: size.width, height: size.height };
  const crop = size.cropTopLeft ?? { top: 0, left: 0 };
  return Float32Array.of(original.height, original.width, crop.top, crop.left, size.height, size.width);
}

/**
 * The same conditioning at another generated size (the hires fix's second pass): only time_ids change, as a
 * diffusers SDXL img2img run at that size would compute them.
 */
export function withSdxlTimeIds<T extends { inputs: readonly { name: string; cond: Float32Array; uncond: Float32Array | null }[] }>(
  conditioning: T,
  timeIdsName: string,
  size: SdxlSizeConditioning,
): T {
  const timeIds = sdxlTimeIds(size);
  return {
    ...conditioning,
    inputs: conditioning.inputs.map((input) =>
      input.name === timeIdsName ? { ...input, cond: timeIds, uncond: input.uncond ? timeIds : null } : input,
    ),
  };
}
