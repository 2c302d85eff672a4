// The guided filter (He, Sun, Tang, "Guided Image Filtering", ECCV 2010 / TPAMI 2013, Algorithm 1), grey guide:
// the output is locally a linear function of the guide, q = a·I + b, with a = cov(I, p) / (var(I) + eps) and
// b = mean(p) − a·mean(I) over each (2r+1)² window, both then box-averaged. It snaps a coarse mask (upsampled from
// the model's input size) to the image's own edges; where the mask already is a linear function of the guide it
// is reproduced (up to the eps shrinkage), and flat regions stay flat.
import type { GrayMask } from '../../common/image/imageTypes';

/** Box mean over a (2r+1)² window clipped to the image (summed-area table). */
function boxMean(src: Float32Array, width: number, height: number, r: number): Float32Array {
  const sat = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += src[y * width + x];
      sat[(y + 1) * (width + 1) + x + 1] = sat[y * (width + 1) + x + 1] + row;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(height, y + r + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(width, x + r + 1);
      const sum = sat[y1 * (width + 1) + x1] - sat[y0 * (width + 1) + x1] - sat[y1 * (width + 1) + x0] + sat[y0 * (width + 1) + x0];
      out[y * width + x] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/** `guide` and `mask` the same size, values in 0..1. */
export function guidedFilter(guide: GrayMask, mask: GrayMask, radius: number, eps: number): GrayMask {
  const { width, height } = mask;
  if (guide.width !== width || guide.height !== height) throw new Error('guidedFilter: guide and mask differ in size');
  const n = width * height;
  const I = guide.data;
  const p = mask.data;
  const Ip = new Float32Array(n);
  const II = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    Ip[i] = I[i] * p[i];
    II[i] = I[i] * I[i];
  }
  const meanI = boxMean(I, width, height, radius);
  const meanP = boxMean(p, width, height, radius);
  const meanIp = boxMean(Ip, width, height, radius);
  const meanII = boxMean(II, width, height, radius);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const varI = meanII[i] - meanI[i] * meanI[i];
    a[i] = (meanIp[i] - meanI[i] * meanP[i]) / (varI + eps);
    b[i] = meanP[i] - a[i] * meanI[i];
  }
  const meanA = boxMean(a, width, height, radius);
  const meanB = boxMean(b, width, height, radius);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(1, Math.max(0, meanA[i] * I[i] + meanB[i]));
  return { width, height, data: out };
}
