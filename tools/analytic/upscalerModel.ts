// Analytic super-resolution and segmentation models for the upscale / remove-background tests: outputs known in
// closed form (upscalerOracle below), built with our own ONNX writer.
//   upscaler: y = nearest×s( box5×5(x) ) per channel, the blur with zero padding (Conv pads 2), so its receptive
//   field reaches 2 px across any tile border: a tiling with less context than that gives a different result.
//   segmenter: mask = mean over RGB of the normalised input (a 1×1 Conv), static [1, 3, size, size].
import type { RasterImage } from '../../src/common/image/imageTypes';
import { writeOnnxModel, type TensorElemType } from '../../src/node/onnx/onnxWriter';
import { GraphBuilder } from '../onnx/graphBuilder';

/** The box blur's radius: 5×5. */
export const UPSCALER_BLUR_RADIUS = 2;

export interface UpscalerOptions {
  scale: number;
  dtype: 'float32' | 'float16';
  /** Input/output names (Real-ESRGAN's export uses input/output). */
  inputName?: string;
  outputName?: string;
  /** A fixed input side (static dims, as some exports have); default symbolic height/width. */
  fixedSize?: number;
}

export async function writeUpscalerModel(file: string, options: UpscalerOptions): Promise<void> {
  const k = 2 * UPSCALER_BLUR_RADIUS + 1;
  const g = new GraphBuilder('analytic_upscaler');
  const type: TensorElemType = options.dtype;
  const n = options.fixedSize;
  const x = g.addInput(options.inputName ?? 'input', type, n !== undefined ? [1, 3, n, n] : ['batch', 3, 'height', 'width']);
  const x32 = g.cast(x, 'float32', type);
  const weights = g.constFloat(new Float32Array(3 * k * k).fill(1 / (k * k)), [3, 1, k, k]);
  const blurred = g.op1('Conv', [x32, weights], { group: 3, kernel_shape: [k, k], pads: [2, 2, 2, 2] });
  const scales = g.constFloat([1, 1, options.scale, options.scale], [4]);
  const up = g.op1('Resize', [blurred, '', scales], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  const y = g.cast(up, type, 'float32');
  g.addOutput(options.outputName ?? 'output', type, n !== undefined ? [1, 3, n * options.scale, n * options.scale] : ['batch', 3, 'height_out', 'width_out'], y);
  await writeOnnxModel(file, g.toModel());
}

/** The upscaler's result in closed form (float64), quantised as RealESRGANer does: clamp, ×255, round. */
export function upscalerOracle(image: RasterImage, scale: number): Float64Array {
  const { width, height, channels } = image;
  const r = UPSCALER_BLUR_RADIUS;
  const k = (2 * r + 1) ** 2;
  const out = new Float64Array(width * scale * height * scale * 3);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < height && xx >= 0 && xx < width) sum += image.data[(yy * width + xx) * channels + c] / 255;
          }
        }
        const v = Math.round(Math.min(1, Math.max(0, sum / k)) * 255);
        for (let j = 0; j < scale; j++) for (let i = 0; i < scale; i++) out[((y * scale + j) * width * scale + x * scale + i) * 3 + c] = v;
      }
    }
  }
  return out;
}

export async function writeSegmenterModel(file: string, size: number): Promise<void> {
  const g = new GraphBuilder('analytic_segmenter');
  const x = g.addInput('input', 'float32', [1, 3, size, size]);
  const w = g.constFloat([1 / 3, 1 / 3, 1 / 3], [1, 3, 1, 1]);
  const y = g.op1('Conv', [x, w], { kernel_shape: [1, 1] });
  g.addOutput('output', 'float32', [1, 1, size, size], y);
  await writeOnnxModel(file, g.toModel());
}

/** A graph with two inputs (x + y): not an image model. */
export async function writeTwoInputModel(file: string): Promise<void> {
  const g = new GraphBuilder('two_inputs');
  const a = g.addInput('a', 'float32', [1, 3, 'h', 'w']);
  const b = g.addInput('b', 'float32', [1, 3, 'h', 'w']);
  g.addOutput('out', 'float32', [1, 3, 'h', 'w'], g.op1('Add', [a, b]));
  await writeOnnxModel(file, g.toModel());
}
