// Pixels ⇄ VAE tensors, as diffusers' VaeImageProcessor: [0, 255] → [-1, 1] planar (normalize: 2x − 1),
// and back with clip(x/2 + 0.5, 0, 1)·255 rounded (numpy_to_pil).
import type { RasterImage } from '../../common/image/imageTypes';

/** Interleaved RGB(A) bytes → planar RGB in [-1, 1] (alpha ignored). */
export function rasterToPlanar(image: RasterImage): Float32Array {
  const { width, height, channels, data } = image;
  const n = width * height;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[c * n + i] = (data[i * channels + c] / 255) * 2 - 1;
  }
  return out;
}

/**
 * Planar RGB in about [-1, 1] → interleaved RGB bytes. A Uint8ClampedArray store clamps to [0, 255] and rounds
 * half to even, as numpy's round() does in diffusers' numpy_to_pil.
 */
export function planarToRaster(rgb: Float32Array, height: number, width: number): RasterImage {
  const n = width * height;
  const out = new Uint8ClampedArray(n * 3);
  const r = rgb.subarray(0, n);
  const g = rgb.subarray(n, 2 * n);
  const b = rgb.subarray(2 * n, 3 * n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[j] = (r[i] + 1) * 127.5;
    out[j + 1] = (g[i] + 1) * 127.5;
    out[j + 2] = (b[i] + 1) * 127.5;
  }
  return { width, height, channels: 3, data: new Uint8Array(out.buffer) };
}
