// A mask carried onto an expanded canvas: the old mask at `offset` in a `width` × `height` mask, the new area
// unmasked (0). What applying an Expand canvas result does to the document's mask. Pure.
import { createMask, type Mask } from './maskRect';

export function expandMask(mask: Mask, width: number, height: number, offset: { x: number; y: number }): Mask {
  const { x, y } = offset;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x + mask.width > width || y + mask.height > height) {
    throw new RangeError(`A ${mask.width}×${mask.height} mask at (${x}, ${y}) does not fit in ${width}×${height}.`);
  }
  const out = createMask(width, height);
  for (let row = 0; row < mask.height; row++) {
    out.data.set(mask.data.subarray(row * mask.width, (row + 1) * mask.width), (y + row) * width + x);
  }
  return out;
}
