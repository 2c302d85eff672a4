import type { RasterImage } from '../../common/image/imageTypes';
import { encodeImage } from '../../node/image/imageCodec';

/** The final PNG with the A1111 infotext in its `parameters` text chunk (A1111 `modules/images.py` save_image). */
export function encodeWithParameters(image: RasterImage, parameters: string): Promise<Uint8Array> {
  return encodeImage(image, 'png', { parameters });
}
