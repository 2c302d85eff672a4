// The size a generation runs at for a given image, shared by the engine (which runs it) and the editors (which say
// it): the image's own size when the UNet takes it and it is not much larger than the model's native area, else about
// the native area with the image's aspect ratio; then each side rounded up to what the UNet takes (the result is
// centre-cropped or resized back to the image, see src/engine/sizing/unetSizeMultiple.ts).

export interface GenerationSizeModel {
  nativeWidth: number;
  nativeHeight: number;
  /** The VAE's scale factor: latent cells are this many pixels. */
  vaeScaleFactor: number;
  /** Sides must be multiples of this (the VAE's factor × the UNet's down-sampling). */
  sizeMultiple: number;
  /** A UNet exported for one size only. */
  fixedSize?: { width: number; height: number };
}

/** Images up to this many times the native area are generated at their own size. */
export const OWN_SIZE_AREA_FACTOR = 1.5;

/** The size to generate at for an asked size: each side rounded up to the multiple (the result is centre-cropped). */
export function sizeForUnet(width: number, height: number, multiple: number): { width: number; height: number } {
  const up = (v: number): number => Math.ceil(v / multiple) * multiple;
  return { width: up(width), height: up(height) };
}

/** img2img and whole-image inpaint without an asked size: the image's size, or about the native area (see above). */
export function defaultSizeForImage(imageWidth: number, imageHeight: number, model: GenerationSizeModel): { width: number; height: number } {
  if (model.fixedSize) return model.fixedSize;
  const m = model.vaeScaleFactor;
  const nativeArea = model.nativeWidth * model.nativeHeight;
  if (imageWidth % m === 0 && imageHeight % m === 0 && imageWidth * imageHeight <= nativeArea * OWN_SIZE_AREA_FACTOR) {
    return { width: imageWidth, height: imageHeight };
  }
  const scale = Math.min(1, Math.sqrt(nativeArea / (imageWidth * imageHeight)));
  const round = (v: number): number => Math.max(m, Math.round((v * scale) / m) * m);
  return { width: round(imageWidth), height: round(imageHeight) };
}

/** What a whole-image inpaint (or an img2img) of this image runs at: defaultSizeForImage, then sizeForUnet. */
export function wholeImageGenerationSize(imageWidth: number, imageHeight: number, model: GenerationSizeModel): { width: number; height: number } {
  const size = defaultSizeForImage(imageWidth, imageHeight, model);
  return sizeForUnet(size.width, size.height, model.sizeMultiple);
}
