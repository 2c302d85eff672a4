// Whole-mask filters: grow/shrink (grey-level dilation/erosion by a disc) and feather (Gaussian blur).
// Pure and deterministic (same bytes in the webview, the extension host and the engine). Each filter works only
// inside the pixels that can change (the edge box plus the filter radius) and returns that rectangle.
// featherMask is the one feather: the editor's Feather tool and the engine's "Mask blur" both call it.

import { EMPTY_RECT, edgeBounds, expandRect, isEmptyRect, type Mask, type Rect } from './maskRect';

/** Half-width of the disc's horizontal chord at vertical offset dy: largest w with w² + dy² ≤ r². */
export function discChord(radius: number, dy: number): number {
  const rest = radius * radius - dy * dy;
  if (rest < 0) return -1;
  let w = Math.floor(Math.sqrt(rest));
  while ((w + 1) * (w + 1) <= rest) w++;
  while (w * w > rest) w--;
  return w;
}

/** Pixels that grow/shrink by `pixels` or feather by `sigma` may change (the mask before the filter). */
export function filterBounds(mask: Mask, reach: number): Rect {
  if (reach <= 0) return { ...EMPTY_RECT };
  return expandRect(edgeBounds(mask), reach, mask.width, mask.height);
}

/**
 * Sliding maximum of half-width w over `src[offset .. offset + n)` (values outside count as 0),
 * written to dst[0 .. n). van Herk / Gil-Werman: O(n) whatever w is. `pad`, `g`, `h` are scratch
 * buffers of at least n + 2w bytes.
 */
function slidingMax(
  src: Uint8Array,
  offset: number,
  n: number,
  w: number,
  dst: Uint8Array,
  pad: Uint8Array,
  g: Uint8Array,
  h: Uint8Array,
): void {
  if (w === 0) {
    dst.set(src.subarray(offset, offset + n));
    return;
  }
  const k = 2 * w + 1;
  const m = n + 2 * w; // pad[j] = src[offset + j − w], or 0 outside
  pad.fill(0, 0, w);
  pad.set(src.subarray(offset, offset + n), w);
  pad.fill(0, w + n, m);
  // g: running max from the start of each block of k; h: running max to the end of each block.
  for (let j = 0, b = 0; j < m; j++, b++) {
    if (b === k) b = 0;
    const v = pad[j]!;
    const prev = g[j - 1]!;
    g[j] = b === 0 || v > prev ? v : prev;
  }
  const lastBlockEnd = m - 1;
  for (let j = m - 1; j >= 0; j--) {
    const v = pad[j]!;
    if (j === lastBlockEnd || (j + 1) % k === 0) h[j] = v;
    else {
      const next = h[j + 1]!;
      h[j] = v > next ? v : next;
    }
  }
  // The window over pad[i .. i + k − 1] is the original [i − w, i + w].
  for (let i = 0; i < n; i++) {
    const a = h[i]!;
    const c = g[i + k - 1]!;
    dst[i] = a > c ? a : c;
  }
}

/** Grey-level dilation by a disc of `radius` inside `region`; pixels outside the image are ignored. */
function dilateRegion(mask: Mask, radius: number, region: Rect): void {
  const { width, height, data } = mask;
  // Columns needed: the region ± radius; rows needed: the region ± radius (clamped to the image).
  const spanX0 = Math.max(0, region.x - radius);
  const spanX1 = Math.min(width, region.x + region.width + radius);
  const spanW = spanX1 - spanX0;
  const rowY0 = Math.max(0, region.y - radius);
  const rowY1 = Math.min(height, region.y + region.height + radius);
  const rows = rowY1 - rowY0;
  const out = new Uint8Array(region.width * region.height);
  const hw = new Uint8Array(rows * spanW);
  const line = new Uint8Array(spanW);
  const pad = new Uint8Array(spanW + 2 * radius);
  const g = new Uint8Array(spanW + 2 * radius);
  const h = new Uint8Array(spanW + 2 * radius);
  const dxOffset = region.x - spanX0;
  // Group the disc's rows by chord half-width: each distinct w needs one horizontal pass.
  const byChord = new Map<number, number[]>();
  for (let dy = -radius; dy <= radius; dy++) {
    const w = discChord(radius, dy);
    const list = byChord.get(w);
    if (list) list.push(dy);
    else byChord.set(w, [dy]);
  }
  for (const [w, dys] of byChord) {
    for (let r = 0; r < rows; r++) {
      slidingMax(data, (rowY0 + r) * width + spanX0, spanW, w, line, pad, g, h);
      hw.set(line, r * spanW);
    }
    for (const dy of dys) {
      for (let y = 0; y < region.height; y++) {
        const sy = region.y + y + dy;
        if (sy < rowY0 || sy >= rowY1) continue;
        const srcRow = (sy - rowY0) * spanW + dxOffset;
        const dstRow = y * region.width;
        for (let x = 0; x < region.width; x++) {
          const v = hw[srcRow + x]!;
          if (v > out[dstRow + x]!) out[dstRow + x] = v;
        }
      }
    }
  }
  for (let y = 0; y < region.height; y++) {
    data.set(out.subarray(y * region.width, (y + 1) * region.width), (region.y + y) * width + region.x);
  }
}

function invertRegion(mask: Mask, region: Rect): void {
  const { width, data } = mask;
  for (let y = region.y; y < region.y + region.height; y++) {
    const row = y * width;
    for (let x = region.x; x < region.x + region.width; x++) data[row + x] = 255 - data[row + x]!;
  }
}

/**
 * Grows (pixels > 0) or shrinks (pixels < 0) the mask by a disc of |pixels| radius: grey-level
 * dilation / erosion, so soft edges stay soft. Pixels beyond the image border are ignored (a mask
 * touching the border does not shrink away from it). Returns the rectangle that may have changed.
 */
export function growMask(mask: Mask, pixels: number): Rect {
  const radius = Math.abs(Math.trunc(pixels));
  if (radius === 0) return { ...EMPTY_RECT };
  const region = filterBounds(mask, radius);
  if (isEmptyRect(region)) return region;
  if (pixels > 0) {
    dilateRegion(mask, radius, region);
  } else {
    // Erosion = invert ∘ dilation ∘ invert; the inverted outside (0) is neutral for the max.
    const work = expandRect(region, radius, mask.width, mask.height);
    invertRegion(mask, work);
    dilateRegion(mask, radius, region);
    invertRegion(mask, work);
    // The ring between `work` and `region` was inverted twice: unchanged. `region` was dilated once
    // while inverted and inverted back once: the erosion.
  }
  return region;
}

/**
 * Kernel half-width for a Gaussian of `sigma`: int(2.5·sigma + 0.5), as A1111's mask blur
 * (modules/processing.py StableDiffusionProcessingImg2Img.init: cv2.GaussianBlur with ksize 2·int(2.5σ + 0.5) + 1).
 */
export function featherHalfWidth(sigma: number): number {
  return sigma > 0 ? Math.floor(2.5 * sigma + 0.5) : 0;
}

/** cv2.getGaussianKernel(2·half + 1, sigma): normalized exp(−x²/2σ²) for offsets −half … half. */
export function gaussianKernel(sigma: number): Float64Array {
  const half = featherHalfWidth(sigma);
  const kernel = new Float64Array(2 * half + 1);
  let sum = 0;
  for (let i = -half; i <= half; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    kernel[i + half] = v;
    sum += v;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / sum;
  return kernel;
}

/**
 * OpenCV borderInterpolate for BORDER_REFLECT_101 (…cb|abcd|cb…), cv2.GaussianBlur's default border; repeated
 * for kernels wider than the image.
 */
export function reflect101(p: number, length: number): number {
  if (length === 1) return 0;
  while (p < 0 || p >= length) p = p < 0 ? -p : 2 * (length - 1) - p;
  return p;
}

/**
 * Separable Gaussian blur of the mask in place, A1111's "Mask blur": horizontally, then vertically, border
 * BORDER_REFLECT_101 (a mask touching the border stays solid there), rounded back to 8 bits as cv2 does on the
 * 8-bit mask image. Returns the rectangle that may have changed.
 */
export function featherMask(mask: Mask, sigma: number): Rect {
  if (!(sigma >= 0)) throw new RangeError(`mask blur sigma must be ≥ 0, got ${sigma}`);
  const half = featherHalfWidth(sigma);
  if (half === 0) return { ...EMPTY_RECT };
  const region = filterBounds(mask, half);
  if (isEmptyRect(region)) return region;
  const { width, height, data } = mask;
  const kernel = gaussianKernel(sigma);
  const taps = kernel.length;
  // Reflected source indices of the taps: columns of the region, rows of the region (each ± half).
  const columns = new Int32Array(region.width * taps);
  for (let x = 0; x < region.width; x++) {
    for (let t = 0; t < taps; t++) columns[x * taps + t] = reflect101(region.x + x + t - half, width);
  }
  // The rows the vertical pass reads: the region's rows ± half, reflected (all inside [rowY0, rowY1)).
  const rowY0 = Math.max(0, region.y - half);
  const rowY1 = Math.min(height, region.y + region.height + half);
  const rows = rowY1 - rowY0;
  const rw = region.width;
  // Horizontal pass for those rows, columns of the region only. Each pixel sums taps −half … half in order.
  const tmp = new Float32Array(rows * rw);
  for (let r = 0; r < rows; r++) {
    const row = (rowY0 + r) * width;
    const base = r * rw;
    for (let x = 0; x < rw; x++) {
      let acc = 0;
      const c = x * taps;
      for (let t = 0; t < taps; t++) acc += kernel[t]! * data[row + columns[c + t]!]!;
      tmp[base + x] = acc;
    }
  }
  // Vertical pass, row by row, same tap order.
  const out = new Uint8Array(rw * region.height);
  const acc = new Float64Array(rw);
  for (let y = 0; y < region.height; y++) {
    acc.fill(0);
    const cy = region.y + y;
    for (let t = 0; t < taps; t++) {
      const sy = reflect101(cy + t - half, height);
      const src = (sy - rowY0) * rw;
      const kt = kernel[t]!;
      for (let x = 0; x < rw; x++) acc[x] = acc[x]! + kt * tmp[src + x]!;
    }
    const base = y * rw;
    for (let x = 0; x < rw; x++) {
      const v = Math.round(acc[x]!);
      out[base + x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  for (let y = 0; y < region.height; y++) {
    data.set(out.subarray(y * region.width, (y + 1) * region.width), (region.y + y) * width + region.x);
  }
  return region;
}
