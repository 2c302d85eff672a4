// A super-resolution ONNX model of the Real-ESRGAN family: one image input NCHW RGB in 0..1, one image output s×
// larger (xinntao/Real-ESRGAN scripts/pytorch2onnx.py exports `input` → `output` with dynamic batch/height/width;
// older exports have auto names, so the names are read from the graph). The element type (float32 / float16) and
// the scale come from the graph: from static dims when both sides have them, else from one probe run on a small
// image (the output's size over the input's).
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import type { ConcreteExecutionProvider } from '../../common/protocol/engineProtocol';
import { floatTensor, OnnxSession, toFloat32, type TensorSpec } from '../runtime/ort';
import { singleOnnxModelFile } from './singleOnnxModelFile';

/** Side of the probe image when the graph's dims do not give the scale (small: any fully-convolutional net runs it). */
const PROBE_SIZE = 16;

export interface UpscaleModelInfo {
  file: string;
  input: string;
  output: string;
  dtype: 'float32' | 'float16';
  scale: number;
  /** The graph's fixed input size, when it has one. */
  fixedSize?: { width: number; height: number };
  provider: ConcreteExecutionProvider;
}

function mismatch(file: string, why: string): RpcFailure {
  return new RpcFailure(ErrorCode.ModelMismatch, `${file} is not a super-resolution model (one input image NCHW RGB, one output image): ${why}.`);
}

function staticDim(dim: number | string | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

/** Checks that a spec is a float NCHW tensor with 3 channels (or a symbolic channel dim). */
function checkImageSpec(file: string, spec: TensorSpec, what: string): 'float32' | 'float16' {
  if (spec.type !== 'float32' && spec.type !== 'float16') throw mismatch(file, `its ${what} ${spec.name} is ${spec.type}, not float32 or float16`);
  if (spec.shape.length !== 4) throw mismatch(file, `its ${what} ${spec.name} has ${spec.shape.length} dims [${spec.shape.join(', ')}], not 4 (NCHW)`);
  const channels = staticDim(spec.shape[1]);
  if (channels !== undefined && channels !== 3) throw mismatch(file, `its ${what} ${spec.name} has ${channels} channels, not 3 (RGB)`);
  return spec.type;
}

export class UpscaleModel {
  private constructor(
    private readonly session: OnnxSession,
    readonly info: UpscaleModelInfo,
  ) {}

  static async load(model: string, provider: ConcreteExecutionProvider): Promise<UpscaleModel> {
    const file = singleOnnxModelFile(model, 'super-resolution');
    let session: OnnxSession;
    try {
      session = await OnnxSession.create(file, { provider });
    } catch (e) {
      throw new RpcFailure(ErrorCode.ModelMismatch, `cannot load ${file}: ${(e as Error).message.split('\n')[0]}`);
    }
    try {
      if (session.inputs.length !== 1) throw mismatch(file, `it has ${session.inputs.length} inputs (${session.inputs.map((i) => i.name).join(', ')})`);
      if (session.outputs.length < 1) throw mismatch(file, 'it has no output');
      const input = session.inputs[0];
      const output = session.outputs[0];
      const dtype = checkImageSpec(file, input, 'input');
      checkImageSpec(file, output, 'output');
      const inH = staticDim(input.shape[2]);
      const inW = staticDim(input.shape[3]);
      const outH = staticDim(output.shape[2]);
      const outW = staticDim(output.shape[3]);
      const fixedSize = inH !== undefined && inW !== undefined ? { width: inW, height: inH } : undefined;
      let scale: number;
      if (fixedSize && outH !== undefined && outW !== undefined) {
        scale = outW / fixedSize.width;
        if (outH / fixedSize.height !== scale) throw mismatch(file, `its output ${outW}×${outH} is not one scale of its input ${inW}×${inH}`);
      } else {
        const probe = fixedSize ?? { width: PROBE_SIZE, height: PROBE_SIZE };
        const probed = new UpscaleModel(session, { file, input: input.name, output: output.name, dtype, scale: 1, provider });
        const out = await probed.runRaw(new Float32Array(3 * probe.width * probe.height).fill(0.5), probe.width, probe.height);
        if (out.channels !== 3) throw mismatch(file, `its output has ${out.channels} channels, not 3`);
        scale = out.width / probe.width;
        if (out.height / probe.height !== scale) throw mismatch(file, `a ${probe.width}×${probe.height} input gave ${out.width}×${out.height}, not one scale`);
      }
      if (!Number.isInteger(scale) || scale < 1) throw mismatch(file, `its scale is ${scale}, not a whole number ≥ 1`);
      return new UpscaleModel(session, { file, input: input.name, output: output.name, dtype, scale, provider, ...(fixedSize ? { fixedSize } : {}) });
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  /** Runs one window: `rgb` planar CHW floats in 0..1; returns the output planar, unclamped. */
  private async runRaw(rgb: Float32Array, width: number, height: number): Promise<{ data: Float32Array; width: number; height: number; channels: number }> {
    let result;
    try {
      result = await this.session.run({ [this.info.input]: floatTensor(this.info.dtype, rgb, [1, 3, height, width]) }, [this.info.output]);
    } catch (e) {
      throw new RpcFailure(ErrorCode.ModelMismatch, `${this.info.file} failed on a ${width}×${height} input: ${(e as Error).message.split('\n')[0]}`);
    }
    const tensor = result[this.info.output];
    const dims = tensor.dims;
    if (dims.length !== 4 || dims[0] !== 1) throw mismatch(this.info.file, `its output is [${dims.join(', ')}], not [1, 3, H, W]`);
    return { data: toFloat32(tensor), channels: dims[1], height: dims[2], width: dims[3] };
  }

  /** One window through the model: planar RGB 0..1 in, planar RGB (scale× larger) out. */
  async run(rgb: Float32Array, width: number, height: number): Promise<Float32Array> {
    const out = await this.runRaw(rgb, width, height);
    const s = this.info.scale;
    if (out.channels !== 3 || out.width !== width * s || out.height !== height * s) {
      throw mismatch(this.info.file, `a ${width}×${height} input gave [${out.channels}, ${out.height}, ${out.width}], expected [3, ${height * s}, ${width * s}]`);
    }
    return out.data;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
