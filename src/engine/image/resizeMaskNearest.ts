// Nearest-neighbour mask resize like torch.nn.functional.interpolate(mode='nearest')
// (aten/src/ATen/native/UpSample.h nearest_idx): src = min(floor(dst · scale), in − 1) with
// scale = (float) in / out computed in float32.
import { assertGrayMask, type GrayMask } from '../../common/image/imageTypes';

export function resizeMaskNearest(mask: GrayMask, width: number, height: number): GrayMask {
  assertGrayMask(mask);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`invalid mask size ${width}x${height}`);
  const xs = nearestIndices(mask.width, width);
  const ys = nearestIndices(mask.height, height);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = ys[y] * mask.width;
    for (let x = 0; x < width; x++) out[y * width + x] = mask.data[row + xs[x]];
  }
  return { width, height, data: out };
}

function nearestIndices(inputSize: number, outputSize: number): Int32Array {
  const indices = new Int32Array(outputSize);
  const scale = Math.fround(inputSize / outputSize);
  for (let i = 0; i < outputSize; i++) {
    if (outputSize === inputSize) indices[i] = i;
    else if (outputSize === 2 * inputSize) indices[i] = i >> 1;
    else indices[i] = Math.min(Math.floor(Math.fround(i * scale)), inputSize - 1);
  }
  return indices;
}
