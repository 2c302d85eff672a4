// A background-segmentation ONNX model (BRIA RMBG-1.4, rembg's u2net / isnet family): one image input [1, 3, H, W],
// its first output a saliency map [1, 1, h, w] (rembg reads ort_outs[0][:, 0]; RMBG-1.4's first output is its final
// side output). The input size comes from the graph's static dims, else from the preset; the normalisation always
// from the preset (segmentationPresets.ts), chosen by name or by the model's file / folder name.
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import type { ConcreteExecutionProvider } from '../../common/protocol/engineProtocol';
import { floatTensor, OnnxSession, toFloat32 } from '../runtime/ort';
import { singleOnnxModelFile } from '../upscale/singleOnnxModelFile';
import { PRESET_NAMES, presetByName, presetForPath, type SegmentationPreset } from './segmentationPresets';

export interface BackgroundModelInfo {
  file: string;
  input: string;
  output: string;
  dtype: 'float32' | 'float16';
  width: number;
  height: number;
  preset: SegmentationPreset;
  provider: ConcreteExecutionProvider;
}

function mismatch(file: string, why: string): RpcFailure {
  return new RpcFailure(ErrorCode.ModelMismatch, `${file} is not a background-segmentation model (one input image [1, 3, H, W], a mask [1, 1, h, w] out): ${why}.`);
}

function staticDim(dim: number | string | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

export class BackgroundModel {
  private constructor(
    private readonly session: OnnxSession,
    readonly info: BackgroundModelInfo,
  ) {}

  static async load(model: string, provider: ConcreteExecutionProvider, presetName?: string): Promise<BackgroundModel> {
    const file = singleOnnxModelFile(model, 'background-segmentation');
    let preset: SegmentationPreset | undefined;
    if (presetName !== undefined) {
      preset = presetByName(presetName);
      if (!preset) throw new RpcFailure(ErrorCode.InvalidParams, `--preset must be one of ${PRESET_NAMES.join(', ')}, got "${presetName}".`);
    } else {
      preset = presetForPath(file === model ? model : `${model}/model.onnx`);
      if (!preset) {
        throw new RpcFailure(
          ErrorCode.InvalidParams,
          `cannot tell how ${file} normalises its input from its name: pass --preset ${PRESET_NAMES.join('|')} (RMBG-1.4: rmbg; rembg's u2net, u2netp, silueta: u2net; isnet-*: isnet).`,
        );
      }
    }
    let session: OnnxSession;
    try {
      session = await OnnxSession.create(file, { provider });
    } catch (e) {
      throw new RpcFailure(ErrorCode.ModelMismatch, `cannot load ${file}: ${(e as Error).message.split('\n')[0]}`);
    }
    try {
      if (session.inputs.length !== 1) throw mismatch(file, `it has ${session.inputs.length} inputs (${session.inputs.map((i) => i.name).join(', ')})`);
      const input = session.inputs[0];
      const output = session.outputs[0];
      if (!output) throw mismatch(file, 'it has no output');
      if (input.type !== 'float32' && input.type !== 'float16') throw mismatch(file, `its input ${input.name} is ${input.type}`);
      if (input.shape.length !== 4) throw mismatch(file, `its input ${input.name} has dims [${input.shape.join(', ')}], not 4`);
      const channels = staticDim(input.shape[1]);
      if (channels !== undefined && channels !== 3) throw mismatch(file, `its input has ${channels} channels, not 3`);
      if (output.type !== 'float32' && output.type !== 'float16') throw mismatch(file, `its output ${output.name} is ${output.type}`);
      if (output.shape.length !== 4 && output.shape.length !== 3) throw mismatch(file, `its output ${output.name} has dims [${output.shape.join(', ')}]`);
      const outChannels = output.shape.length === 4 ? staticDim(output.shape[1]) : 1;
      if (outChannels !== undefined && outChannels !== 1) throw mismatch(file, `its output has ${outChannels} channels, not 1 (a mask)`);
      const height = staticDim(input.shape[2]) ?? preset.size;
      const width = staticDim(input.shape[3]) ?? preset.size;
      return new BackgroundModel(session, { file, input: input.name, output: output.name, dtype: input.type, width, height, preset, provider });
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  /** The model's raw map for a normalised planar RGB input of the model's size: [h, w] floats. */
  async run(planes: Float32Array): Promise<{ data: Float32Array; width: number; height: number }> {
    const { input, output, dtype, width, height, file } = this.info;
    let result;
    try {
      result = await this.session.run({ [input]: floatTensor(dtype, planes, [1, 3, height, width]) }, [output]);
    } catch (e) {
      throw new RpcFailure(ErrorCode.ModelMismatch, `${file} failed on a ${width}×${height} input: ${(e as Error).message.split('\n')[0]}`);
    }
    const tensor = result[output];
    const dims = tensor.dims;
    const h = dims[dims.length - 2];
    const w = dims[dims.length - 1];
    if (dims[0] !== 1 || (dims.length === 4 && dims[1] !== 1) || dims.length < 3) throw mismatch(file, `its output is [${dims.join(', ')}], not [1, 1, h, w]`);
    return { data: toFloat32(tensor).subarray(0, h * w), width: w, height: h };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
