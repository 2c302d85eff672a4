// Mask operations on a width × height alpha mask (Uint8Array, 0 = keep … 255 = repaint).
// Pure and deterministic: the webview applies an op for instant feedback, the extension host applies
// the same op to its authoritative copy, and both must end with the same bytes. Only +, −, ×, ÷,
// sqrt, exp and rounding are used, and strokes compose by max (paint) / min (erase), so stamping a
// stroke segment by segment while the pointer moves equals stamping the finished stroke at once.

import type { MaskMode, MaskOp } from '../protocol/inpaintEditorProtocol';
import { featherHalfWidth, featherMask, filterBounds, growMask } from './maskFilters';
import { EMPTY_RECT, clampRect, fullRect, isEmptyRect, type Mask, type Rect } from './maskRect';

export interface BrushShape {
  /** Diameter in image pixels. */
  size: number;
  /** 0 = soft falloff over the whole radius, 1 = hard edge (with a one-pixel anti-aliased rim). */
  hardness: number;
  /** Peak value as a fraction of 255 (grey = soft repaint). */
  opacity: number;
}

export interface BrushExtent {
  /** Full coverage up to this distance from the stroke's centre line. */
  inner: number;
  /** No coverage from this distance on. */
  outer: number;
}

/** Where the falloff starts and ends. A band narrower than a pixel becomes a one-pixel anti-aliased rim. */
export function brushExtent(size: number, hardness: number): BrushExtent {
  const radius = size / 2;
  let inner = radius * Math.min(1, Math.max(0, hardness));
  let outer = radius;
  if (outer - inner < 1) {
    inner = Math.max(0, radius - 0.5);
    outer = radius + 0.5;
  }
  return { inner, outer };
}

/** Coverage 0…1 at distance d: 1 inside `inner`, smoothstep falloff to 0 at `outer`. */
export function brushCoverage(d: number, extent: BrushExtent): number {
  if (d <= extent.inner) return 1;
  if (d >= extent.outer) return 0;
  const t = (d - extent.inner) / (extent.outer - extent.inner);
  return 1 - t * t * (3 - 2 * t);
}

/** The mask value (0…255) a brush leaves at distance d. */
export function brushValue(d: number, extent: BrushExtent, opacity: number): number {
  return Math.round(255 * opacity * brushCoverage(d, extent));
}

/**
 * Pixels a brush with `outer` extent can touch around the box [minX, maxX] × [minY, maxY]
 * (pixel i has its centre at i + 0.5).
 */
function brushBounds(minX: number, minY: number, maxX: number, maxY: number, outer: number, width: number, height: number): Rect {
  return clampRect(
    Math.floor(minX - outer - 0.5),
    Math.floor(minY - outer - 0.5),
    Math.ceil(maxX + outer - 0.5) + 1,
    Math.ceil(maxY + outer - 0.5) + 1,
    width,
    height,
  );
}

function pointsBox(points: readonly number[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
}

/** Pixels a stroke through `points` can touch. */
export function strokeBounds(mask: Pick<Mask, 'width' | 'height'>, points: readonly number[], shape: BrushShape): Rect {
  if (points.length < 2) return { ...EMPTY_RECT };
  const { outer } = brushExtent(shape.size, shape.hardness);
  const box = pointsBox(points);
  return brushBounds(box.minX, box.minY, box.maxX, box.maxY, outer, mask.width, mask.height);
}

/**
 * Stamps the segment (ax, ay) → (bx, by) (a point when both ends are equal): every pixel gets the
 * brush value at its distance to the segment, combined by max (paint) or min with 255 − value (erase).
 * Returns the rectangle it visited.
 */
export function stampSegment(
  mask: Mask,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  mode: MaskMode,
  shape: BrushShape,
): Rect {
  const extent = brushExtent(shape.size, shape.hardness);
  const rect = brushBounds(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by), extent.outer, mask.width, mask.height);
  if (isEmptyRect(rect)) return rect;
  const { width, data } = mask;
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const outer2 = extent.outer * extent.outer;
  const inner2 = extent.inner * extent.inner;
  const full = Math.round(255 * shape.opacity);
  const erase = mode === 'erase';
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    const py = y + 0.5;
    const row = y * width;
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const px = x + 0.5;
      let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
      if (t < 0) t = 0;
      else if (t > 1) t = 1;
      const ex = px - (ax + t * dx);
      const ey = py - (ay + t * dy);
      const d2 = ex * ex + ey * ey;
      if (d2 >= outer2) continue;
      const value = d2 <= inner2 ? full : brushValue(Math.sqrt(d2), extent, shape.opacity);
      if (value === 0) continue;
      const i = row + x;
      if (erase) {
        const limit = 255 - value;
        if (data[i]! > limit) data[i] = limit;
      } else if (data[i]! < value) {
        data[i] = value;
      }
    }
  }
  return rect;
}

/** Stamps a whole stroke (consecutive segments; a single point is a dab). */
export function stampStroke(mask: Mask, points: readonly number[], mode: MaskMode, shape: BrushShape): Rect {
  if (points.length < 2) return { ...EMPTY_RECT };
  if (points.length === 2) stampSegment(mask, points[0]!, points[1]!, points[0]!, points[1]!, mode, shape);
  for (let i = 0; i + 3 < points.length; i += 2) {
    stampSegment(mask, points[i]!, points[i + 1]!, points[i + 2]!, points[i + 3]!, mode, shape);
  }
  return strokeBounds(mask, points, shape);
}

/** Pixels whose centres lie in [x, x + width) × [y, y + height). */
export function rectPixels(mask: Pick<Mask, 'width' | 'height'>, x: number, y: number, width: number, height: number): Rect {
  return clampRect(Math.ceil(x - 0.5), Math.ceil(y - 0.5), Math.ceil(x + width - 0.5), Math.ceil(y + height - 0.5), mask.width, mask.height);
}

/** Paints (max with the value) or erases (min with 255 − value) a rectangle. */
export function fillRect(mask: Mask, x: number, y: number, width: number, height: number, mode: MaskMode, opacity: number): Rect {
  const rect = rectPixels(mask, x, y, width, height);
  const value = Math.round(255 * opacity);
  const { data } = mask;
  for (let yy = rect.y; yy < rect.y + rect.height; yy++) {
    const row = yy * mask.width;
    for (let xx = rect.x; xx < rect.x + rect.width; xx++) {
      const i = row + xx;
      if (mode === 'erase') {
        if (data[i]! > 255 - value) data[i] = 255 - value;
      } else if (data[i]! < value) {
        data[i] = value;
      }
    }
  }
  return rect;
}

export function invertMask(mask: Mask): Rect {
  const { data } = mask;
  for (let i = 0; i < data.length; i++) data[i] = 255 - data[i]!;
  return fullRect(mask);
}

export function clearMask(mask: Mask): Rect {
  mask.data.fill(0);
  return fullRect(mask);
}

export function fillMask(mask: Mask): Rect {
  mask.data.fill(255);
  return fullRect(mask);
}

/**
 * The rectangle `op` may change when applied to `mask` as it is now (computed before applying it;
 * applyMaskOp returns the same rectangle). Undo captures this region; both sides hash it.
 */
export function maskOpBounds(mask: Mask, op: MaskOp): Rect {
  switch (op.kind) {
    case 'stroke':
      return strokeBounds(mask, op.points, op);
    case 'rect':
      return rectPixels(mask, op.x, op.y, op.width, op.height);
    case 'invert':
    case 'clear':
    case 'fill':
      return fullRect(mask);
    case 'grow':
      return filterBounds(mask, Math.abs(op.pixels));
    case 'feather':
      return filterBounds(mask, featherHalfWidth(op.sigma));
  }
}

/** Applies one op in place; returns the rectangle it may have changed (= maskOpBounds before applying). */
export function applyMaskOp(mask: Mask, op: MaskOp): Rect {
  switch (op.kind) {
    case 'stroke':
      return stampStroke(mask, op.points, op.mode, op);
    case 'rect':
      return fillRect(mask, op.x, op.y, op.width, op.height, op.mode, op.opacity);
    case 'invert':
      return invertMask(mask);
    case 'clear':
      return clearMask(mask);
    case 'fill':
      return fillMask(mask);
    case 'grow':
      return growMask(mask, op.pixels);
    case 'feather':
      return featherMask(mask, op.sigma);
  }
}
