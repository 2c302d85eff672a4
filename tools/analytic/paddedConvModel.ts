// Analytic models with one padded 3×3 convolution, for the seamless-tiling edit (src/node/onnx/circularPadding.ts).
// Their outputs are known in closed form for any padding mode:
//   blur:  y = box3×3(x) per channel (weights 1/9, pads 1). On a flat colour c the output is c everywhere only when
//          the padding wraps; with zero padding an edge pixel is c·6/9 and a corner c·4/9.
//   shift: y[i, j] = x[i − 1, j − 1] (a single 1 at the kernel's top-left, pads 1): with circular padding the image
//          rolls by one pixel right and down; with zero padding the first row / column become 0.
// [1, 3, height, width] float32 in and out, symbolic height and width (any size works).
import { writeOnnxModel } from '../../src/node/onnx/onnxWriter';
import { GraphBuilder, type AttrInput } from '../onnx/graphBuilder';

export type PaddedConvKernel = 'blur' | 'shift';
const CHANNELS = 3;
const K = 3;

export interface PaddedConvOptions {
  /** Default-domain opset (before 10, Slice takes its ranges as attributes: the rewrite writes those). */
  opsetVersion?: number;
  /** Write the Conv with auto_pad instead of pads (a graph the rewrite must refuse). */
  autoPad?: 'SAME_UPPER';
}

export async function writePaddedConvModel(file: string, kernel: PaddedConvKernel, options: PaddedConvOptions = {}): Promise<void> {
  const g = new GraphBuilder(`padded_conv_${kernel}`);
  const x = g.addInput('sample', 'float32', [1, CHANNELS, 'height', 'width']);
  const weights = new Float32Array(CHANNELS * K * K);
  for (let c = 0; c < CHANNELS; c++) {
    if (kernel === 'blur') weights.fill(1 / (K * K), c * K * K, (c + 1) * K * K);
    else weights[c * K * K] = 1;
  }
  const w = g.constFloat(weights, [CHANNELS, 1, K, K]);
  const padding: Record<string, AttrInput> = options.autoPad ? { auto_pad: options.autoPad } : { pads: [1, 1, 1, 1] };
  const y = g.op1('Conv', [x, w], { group: CHANNELS, kernel_shape: [K, K], ...padding }, { name: 'padded_conv' });
  g.addOutput('out', 'float32', [1, CHANNELS, 'height', 'width'], y);
  await writeOnnxModel(file, g.toModel(options.opsetVersion !== undefined ? { opsetVersion: options.opsetVersion } : {}));
}

/** The model's output in closed form: x is [3, height, width] planar; wrapX / wrapY: circular along that axis, else zeros. */
export function paddedConvOracle(x: Float32Array, width: number, height: number, kernel: PaddedConvKernel, wrapX: boolean, wrapY: boolean): Float64Array {
  const out = new Float64Array(x.length);
  const at = (c: number, i: number, j: number): number => {
    if (i < 0 || i >= height) {
      if (!wrapY) return 0;
      i = (i + height) % height;
    }
    if (j < 0 || j >= width) {
      if (!wrapX) return 0;
      j = (j + width) % width;
    }
    return x[(c * height + i) * width + j];
  };
  for (let c = 0; c < CHANNELS; c++) {
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        let sum = 0;
        if (kernel === 'shift') sum = at(c, i - 1, j - 1);
        else for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) sum += at(c, i + di, j + dj) / (K * K);
        out[(c * height + i) * width + j] = sum;
      }
    }
  }
  return out;
}
