// A1111 "Inpaint area: Only masked" crop box (modules/masking.py get_crop_region + expand_crop_region):
// pad the mask's bounding box, then grow its shorter side to the processing aspect ratio,
// centred, shifted back inside the image and clamped.
import type { Rect } from '../../common/mask/maskRect';

export function cropRegionForMask(
  box: Rect,
  imageWidth: number,
  imageHeight: number,
  padding: number,
  targetWidth: number,
  targetHeight: number,
): Rect {
  if (box.width <= 0 || box.height <= 0) throw new Error(`empty mask box ${box.width}x${box.height}`);
  if (targetWidth <= 0 || targetHeight <= 0) throw new Error(`invalid processing size ${targetWidth}x${targetHeight}`);
  if (padding < 0) throw new Error(`padding must be ≥ 0, got ${padding}`);
  // get_crop_region: (x1, y1, x2, y2) with exclusive x2 / y2, padded and clamped to the image.
  let x1 = Math.max(box.x - padding, 0);
  let y1 = Math.max(box.y - padding, 0);
  let x2 = Math.min(box.x + box.width + padding, imageWidth);
  let y2 = Math.min(box.y + box.height + padding, imageHeight);

  // expand_crop_region
  const ratioCrop = (x2 - x1) / (y2 - y1);
  const ratioProcessing = targetWidth / targetHeight;
  if (ratioCrop > ratioProcessing) {
    const desiredHeight = (x2 - x1) / ratioProcessing;
    const diff = Math.trunc(desiredHeight - (y2 - y1));
    y1 -= Math.floor(diff / 2);
    y2 += diff - Math.floor(diff / 2);
    if (y2 >= imageHeight) {
      const over = y2 - imageHeight;
      y2 -= over;
      y1 -= over;
    }
    if (y1 < 0) {
      y2 -= y1;
      y1 = 0;
    }
    if (y2 >= imageHeight) y2 = imageHeight;
  } else {
    const desiredWidth = (y2 - y1) * ratioProcessing;
    const diff = Math.trunc(desiredWidth - (x2 - x1));
    x1 -= Math.floor(diff / 2);
    x2 += diff - Math.floor(diff / 2);
    if (x2 >= imageWidth) {
      const over = x2 - imageWidth;
      x2 -= over;
      x1 -= over;
    }
    if (x1 < 0) {
      x2 -= x1;
      x1 = 0;
    }
    if (x2 >= imageWidth) x2 = imageWidth;
  }
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}
