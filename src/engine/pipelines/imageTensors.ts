// Pixels ⇄ VAE tensors, as diffusers' VaeImageProcessor: [0, 255] → [-1, 1] planar (normalize: 2x − 1),
// and back with clip(x/2 + 0.5, 0, 1)·255 rounded (numpy_to_pil).
import type { RasterImage } from '../image/imageTypes';

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

/** Planar RGB in about [-1, 1] → interleaved RGB bytes. */
export function planarToRaster(rgb: Float32Array, height: number, width: number): RasterImage {
  const n = width * height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.fround(rgb[c * n + i] / 2 + 0.5);
      data[i * 3 + c] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
    }
  }
  return { width, height, channels: 3, data };
}
