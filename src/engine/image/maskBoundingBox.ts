// Bounding box of the pixels to repaint (A1111 get_crop_region / PIL getbbox: non-zero pixels).
import { assertGrayMask, type GrayMask, type PixelBox } from '../../common/image/imageTypes';

/** Smallest box containing every pixel > 0, or null for an empty mask. */
export function maskBoundingBox(mask: GrayMask): PixelBox | null {
  assertGrayMask(mask);
  const { width, height, data } = mask;
  let x1 = width;
  let y1 = height;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (data[row + x] > 0) {
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        y2 = y;
      }
    }
  }
  return x2 < 0 ? null : { x: x1, y: y1, width: x2 - x1 + 1, height: y2 - y1 + 1 };
}
