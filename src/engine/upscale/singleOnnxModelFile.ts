// The one .onnx file of a single-network model (an upscaler, a background segmenter): a bare `.onnx` file, or a
// folder holding `model.onnx` (as TensorStack/Upscale-onnx lays out `RealESRGAN-2x/model.onnx`) or exactly one
// other .onnx file (a downloaded rembg model keeps its name, u2net.onnx). A diffusion
// model folder (diffusers' model_index.json, or unet/ + vae_decoder/) is refused with a message naming the kind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';

export function singleOnnxModelFile(model: string, kind: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(model);
  } catch {
    throw new RpcFailure(ErrorCode.ModelMissing, `the ${kind} model ${model} does not exist.`);
  }
  if (stat.isFile()) {
    if (!model.toLowerCase().endsWith('.onnx')) throw new RpcFailure(ErrorCode.ModelMismatch, `the ${kind} model ${model} is not an .onnx file.`);
    return model;
  }
  const looksDiffusion = fs.existsSync(path.join(model, 'model_index.json')) || fs.existsSync(path.join(model, 'unet'));
  if (looksDiffusion) {
    throw new RpcFailure(ErrorCode.ModelMismatch, `${model} is a diffusion model folder, not a ${kind} model (one .onnx file, or a folder with model.onnx).`);
  }
  const file = path.join(model, 'model.onnx');
  if (fs.existsSync(file)) return file;
  // A downloaded model folder keeps its graph's own name (rembg's u2net.onnx): the one .onnx file there.
  const graphs = fs.readdirSync(model).filter((name) => name.toLowerCase().endsWith('.onnx') && fs.statSync(path.join(model, name)).isFile());
  if (graphs.length === 1) return path.join(model, graphs[0]!);
  throw new RpcFailure(
    ErrorCode.ModelMismatch,
    graphs.length === 0
      ? `${model} has no model.onnx: a ${kind} model is one .onnx file, or a folder with model.onnx.`
      : `${model} has no model.onnx and ${graphs.length} other .onnx files (${graphs.join(', ')}): choose one of them.`,
  );
}
