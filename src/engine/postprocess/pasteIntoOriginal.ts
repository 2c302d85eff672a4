import type { GrayMask, RasterImage } from '../../common/image/imageTypes';
import { resizeImage } from '../../node/image/imageCodec';
import { compositeOutsideMask } from '../image/compositeOutsideMask';
import type { Rect } from '../../common/mask/maskRect';
import { pasteRaster } from '../image/rasterOps';
import type { PostProcessStep } from './postProcessStep';

/**
 * Inpainting's last step (A1111 `modules/processing.py` apply_overlay / paste-back of "only masked"): the generated
 * region resized to the box it covers, pasted into the original, and the original kept outside the (soft) mask.
 */
export function pasteIntoOriginal(original: RasterImage, box: Rect, softMask: GrayMask): PostProcessStep {
  return {
    name: `paste back into ${original.width}×${original.height} and composite outside the mask`,
    apply: async (generated: RasterImage): Promise<RasterImage> => {
      const fitted =
        generated.width === box.width && generated.height === box.height ? generated : await resizeImage(generated, box.width, box.height, 'fill');
      return compositeOutsideMask(original, pasteRaster(original, fitted, box.x, box.y), softMask);
    },
  };
}
