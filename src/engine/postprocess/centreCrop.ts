import type { RasterImage } from '../../common/image/imageTypes';
import { cropRaster } from '../image/rasterOps';
import type { PostProcessStep } from './postProcessStep';

/** Crops the middle width × height of the image (generated at the next size the UNet takes, see unetSizeMultiple.ts). */
export function centreCrop(width: number, height: number): PostProcessStep {
  return {
    name: `centre crop to ${width}×${height}`,
    apply: async (image: RasterImage): Promise<RasterImage> => {
      if (image.width === width && image.height === height) return image;
      if (image.width < width || image.height < height) {
        throw new Error(`centre crop: the image is ${image.width}×${image.height}, smaller than ${width}×${height}.`);
      }
      const x = Math.floor((image.width - width) / 2);
      const y = Math.floor((image.height - height) / 2);
      return cropRaster(image, { x, y, width, height });
    },
  };
}
