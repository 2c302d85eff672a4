// The mask's outline, for the inpaint editor's "Outline" mask style (contrasts with any content).
import type { Mask } from './maskRect';

/** A masked pixel (≥ half) with an unmasked 4-neighbour or on the image border. */
export function isMaskEdge(mask: Mask, x: number, y: number): boolean {
  const at = (px: number, py: number) => mask.data[py * mask.width + px]! >= 128;
  if (!at(x, y)) return false;
  if (x === 0 || y === 0 || x === mask.width - 1 || y === mask.height - 1) return true;
  return !at(x - 1, y) || !at(x + 1, y) || !at(x, y - 1) || !at(x, y + 1);
}
