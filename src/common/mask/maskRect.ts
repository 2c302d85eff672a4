// Integer pixel rectangles (the one Rect of the project) and the mask buffer type shared by the mask operations.
// Pure: no DOM, no Node. Used by the webview and, through imports, by the extension host.

/** An alpha mask: width × height bytes, row-major; 0 = keep, 255 = repaint, between = soft. */
export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** The one pixel rectangle type (masks, crops, pastes, regions): integers, empty when width or height is 0. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const EMPTY_RECT: Readonly<Rect> = Object.freeze({ x: 0, y: 0, width: 0, height: 0 });

export function createMask(width: number, height: number): Mask {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Invalid mask size ${width}×${height}.`);
  }
  return { width, height, data: new Uint8Array(width * height) };
}

export function fullRect(mask: Mask): Rect {
  return { x: 0, y: 0, width: mask.width, height: mask.height };
}

export function isEmptyRect(r: Rect): boolean {
  return r.width <= 0 || r.height <= 0;
}

/** The part of [x0, x1) × [y0, y1) inside the mask. */
export function clampRect(x0: number, y0: number, x1: number, y1: number, width: number, height: number): Rect {
  const left = Math.max(0, x0);
  const top = Math.max(0, y0);
  const right = Math.min(width, x1);
  const bottom = Math.min(height, y1);
  if (right <= left || bottom <= top) return { ...EMPTY_RECT };
  return { x: left, y: top, width: right - left, height: bottom - top };
}

export function unionRect(a: Rect, b: Rect): Rect {
  if (isEmptyRect(a)) return { ...b };
  if (isEmptyRect(b)) return { ...a };
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

/** `r` grown by `by` pixels on every side, clamped to the mask. */
export function expandRect(r: Rect, by: number, width: number, height: number): Rect {
  if (isEmptyRect(r)) return { ...EMPTY_RECT };
  return clampRect(r.x - by, r.y - by, r.x + r.width + by, r.y + r.height + by, width, height);
}

export function rectEquals(a: Rect, b: Rect): boolean {
  if (isEmptyRect(a) && isEmptyRect(b)) return true;
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/** A copy of the mask bytes inside `r` (row-major, r.width × r.height). */
export function readMaskRegion(mask: Mask, r: Rect): Uint8Array {
  const out = new Uint8Array(Math.max(0, r.width) * Math.max(0, r.height));
  if (isEmptyRect(r)) return out;
  for (let row = 0; row < r.height; row++) {
    const start = (r.y + row) * mask.width + r.x;
    out.set(mask.data.subarray(start, start + r.width), row * r.width);
  }
  return out;
}

/** Writes `data` (r.width × r.height bytes) into the mask at `r`. */
export function writeMaskRegion(mask: Mask, r: Rect, data: Uint8Array): void {
  if (isEmptyRect(r)) return;
  if (r.x < 0 || r.y < 0 || r.x + r.width > mask.width || r.y + r.height > mask.height) {
    throw new RangeError('Mask region lies outside the mask.');
  }
  if (data.length !== r.width * r.height) throw new RangeError('Mask region data has the wrong length.');
  for (let row = 0; row < r.height; row++) {
    mask.data.set(data.subarray(row * r.width, (row + 1) * r.width), (r.y + row) * mask.width + r.x);
  }
}

/** FNV-1a (32 bit) over the bytes inside `r`: a cheap check that two copies of a mask agree there. */
export function maskRegionHash(mask: Mask, r: Rect): number {
  let hash = 0x811c9dc5;
  if (isEmptyRect(r)) return hash >>> 0;
  const data = mask.data;
  for (let row = 0; row < r.height; row++) {
    const start = (r.y + row) * mask.width + r.x;
    const end = start + r.width;
    for (let i = start; i < end; i++) {
      hash ^= data[i]!;
      hash = Math.imul(hash, 0x01000193);
    }
  }
  return hash >>> 0;
}

/**
 * The one bounding box: the smallest rectangle holding every pixel > 0 (A1111 modules/masking.py get_crop_region,
 * PIL getbbox), empty when there is none. Takes the editor's 8-bit masks and the engine's float masks alike.
 */
export function maskBounds(mask: { readonly width: number; readonly height: number; readonly data: ArrayLike<number> }): Rect {
  const { width, height, data } = mask;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (data[row + x]! > 0) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first >= 0) {
      if (first < minX) minX = first;
      if (last > maxX) maxX = last;
      if (y < minY) minY = y;
      maxY = y;
    }
  }
  if (maxX < 0) return { ...EMPTY_RECT };
  return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

export function isMaskEmpty(mask: Mask): boolean {
  const data = mask.data;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

/**
 * Bounding box of the pixels that differ from a 4-neighbour (both pixels of each differing pair).
 * Outside this box expanded by r, every (2r+1)-window is uniform, so grow/shrink/feather leave it unchanged.
 */
export function edgeBounds(mask: Mask): Rect {
  const { width, height, data } = mask;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  const mark = (x: number, y: number): void => {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = data[row + x];
      if (x + 1 < width && data[row + x + 1] !== v) {
        mark(x, y);
        mark(x + 1, y);
      }
      if (y + 1 < height && data[row + width + x] !== v) {
        mark(x, y);
        mark(x, y + 1);
      }
    }
  }
  if (maxX < 0) return { ...EMPTY_RECT };
  return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}
