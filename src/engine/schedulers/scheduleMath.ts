// Bit-faithful ports of the few NumPy / PyTorch array helpers the diffusers schedulers use to build
// their timestep and sigma tables. Float32 results go through Math.fround where torch/numpy round.

/** np.round / torch.round: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.linspace(start, stop, num, endpoint) in float64: start + i·step, the last value forced to stop. */
export function numpyLinspace(start: number, stop: number, num: number, endpoint = true): number[] {
  const div = endpoint ? num - 1 : num;
  const step = (stop - start) / div;
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) out[i] = div > 0 ? i * step + start : start;
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

/** np.arange(start, stop, step) for floats: ceil((stop − start)/step) values start + i·((start + step) − start). */
export function numpyArange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const delta = start + step - start;
  const out = new Array<number>(length);
  for (let i = 0; i < length; i++) out[i] = start + i * delta;
  return out;
}

/** np.interp(x, arange(fp.length), fp) in float64 (numpy compiled_base.c arr_interp). */
export function interpOnIndexGrid(x: number, fp: ArrayLike<number>): number {
  const last = fp.length - 1;
  if (!(x > 0)) return fp[0]; // x <= xp[0] (and NaN-safe)
  if (x >= last) return fp[last];
  const j = Math.floor(x);
  if (j === x) return fp[j];
  const slope = fp[j + 1] - fp[j]; // (fp[j+1] − fp[j]) / (xp[j+1] − xp[j]) with unit spacing
  return slope * (x - j) + fp[j];
}

/** torch.linspace(start, end, steps, dtype=torch.float32) on CPU (RangeFactoriesKernel.cpp linspace_kernel). */
export function torchLinspaceFloat32(startIn: number, endIn: number, steps: number): Float32Array {
  const f = Math.fround;
  const start = f(startIn);
  const end = f(endIn);
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const step = f(f(end - start) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < halfway ? f(start + f(step * i)) : f(end - f(step * (steps - i - 1)));
  return out;
}

/** torch.searchsorted(sorted, value) (side "left"): the first index whose entry is >= value. */
export function searchSortedLeft(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
