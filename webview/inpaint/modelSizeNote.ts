// The line under the inpaint editor's prompt bar that says what the model takes and at what size this image will be
// worked on: the native size and the size multiple, then the whole image's generation size (the same computation as
// the engine's, src/common/sizing/generationSize.ts) or, with "Only masked", the size the masked area is worked at.
import type { InpaintModel } from '../../src/common/protocol/inpaintEditorProtocol';
import { sizeForUnet, wholeImageGenerationSize } from '../../src/common/sizing/generationSize';

export function modelSizeNote(model: InpaintModel, image: { width: number; height: number }, onlyMasked: boolean): string {
  const native = `${model.nativeWidth}×${model.nativeHeight}`;
  const head = `${model.name}: native ${native}, sides in multiples of ${model.sizeMultiple}${model.inpainting ? ', inpainting UNet' : ''}.`;
  if (onlyMasked) {
    const size = model.fixedSize ?? sizeForUnet(model.nativeWidth, model.nativeHeight, model.sizeMultiple);
    return `${head} Only masked: the area around the mask is worked on at ${size.width}×${size.height}, then pasted back.`;
  }
  const size = wholeImageGenerationSize(image.width, image.height, model);
  const same = size.width === image.width && size.height === image.height;
  return same
    ? `${head} This ${image.width}×${image.height} image is worked on at its own size.`
    : `${head} This ${image.width}×${image.height} image is worked on at ${size.width}×${size.height}, then brought back to ${image.width}×${image.height}.`;
}
