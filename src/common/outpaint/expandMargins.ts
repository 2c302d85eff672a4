// Expand canvas (outpainting from the inpaint editor): the pixels added on each side, the size they make, the
// margins snapped to the model's size multiple, and what is wrong with a set of margins before anything runs (the
// same rules as the engine's outpaint request: each margin within LIMITS.outpaintMargin, one above 0, the result
// within LIMITS.size). Pure: the host and the webview both use it.
import { LIMITS } from '../limits';
import type { OutpaintMargins } from '../protocol/engineProtocol';

export type ExpandMargins = OutpaintMargins;
export type ExpandSide = keyof ExpandMargins;

export const EXPAND_SIDES: readonly ExpandSide[] = ['left', 'top', 'right', 'bottom'];
export const ZERO_MARGINS: Readonly<ExpandMargins> = Object.freeze({ left: 0, top: 0, right: 0, bottom: 0 });

export function isZeroMargins(m: ExpandMargins): boolean {
  return m.left === 0 && m.top === 0 && m.right === 0 && m.bottom === 0;
}

export function sameMargins(a: ExpandMargins, b: ExpandMargins): boolean {
  return a.left === b.left && a.top === b.top && a.right === b.right && a.bottom === b.bottom;
}

/** The canvas size after expanding a width × height image by `m`. */
export function expandedSize(width: number, height: number, m: ExpandMargins): { width: number; height: number } {
  return { width: width + m.left + m.right, height: height + m.top + m.bottom };
}

/** The largest margin that is a multiple of `multiple` (the limit itself when the multiple is 1). */
function maxMargin(multiple: number): number {
  return Math.floor(LIMITS.outpaintMargin.max / multiple) * multiple;
}

/** A dragged margin: the nearest multiple of `multiple` (the model's size multiple), within 0 … the margin limit. */
export function snapMargin(value: number, multiple: number): number {
  const step = Number.isInteger(multiple) && multiple >= 1 ? multiple : 1;
  if (!Number.isFinite(value)) return 0;
  return Math.min(maxMargin(step), Math.max(0, Math.round(value / step) * step));
}

const SIDE_NAMES: Record<ExpandSide, string> = { left: 'Left', top: 'Top', right: 'Right', bottom: 'Bottom' };

/** Why these margins cannot expand a width × height image (one sentence saying what to do), else undefined. */
export function expandProblem(width: number, height: number, m: ExpandMargins): string | undefined {
  const { min, max } = LIMITS.outpaintMargin;
  for (const side of EXPAND_SIDES) {
    const v = m[side];
    if (!Number.isInteger(v) || v < min || v > max) return `${SIDE_NAMES[side]} margin must be a whole number from ${min} to ${max}.`;
  }
  if (isZeroMargins(m)) return 'Expand canvas: drag the frame outward, or type a margin above 0, before generating.';
  const size = expandedSize(width, height, m);
  if (size.width > LIMITS.size.max || size.height > LIMITS.size.max) {
    return `Expanding ${width}×${height} by these margins makes ${size.width}×${size.height}, over ${LIMITS.size.max} pixels a side: use smaller margins.`;
  }
  return undefined;
}
