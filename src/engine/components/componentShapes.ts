import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import type { OnnxModel, OnnxValueInfo } from '../../node/onnx/onnxModel';
import type { TensorSpec } from '../runtime/ort';
import { sdxlAddedConditioning, type SdxlAddedConditioning } from './sdxlUnetInputs';

/** A dimension as declared: a fixed number, or 'dynamic' for a symbolic/unknown one. */
export type Dim = number | 'dynamic';

export function dimOf(spec: TensorSpec, index: number): Dim {
  const d = spec.shape[index];
  return typeof d === 'number' && d > 0 ? d : 'dynamic';
}

export function mismatch(component: string, message: string): RpcFailure {
  return new RpcFailure(ErrorCode.ModelMismatch, `${component}: ${message}`);
}

export function requireInput(component: string, inputs: readonly TensorSpec[], names: readonly string[]): TensorSpec {
  const found = inputs.find((i) => names.includes(i.name));
  if (!found) {
    throw mismatch(
      component,
      `expected an input named ${names.map((n) => `"${n}"`).join(' or ')}, the graph has ${describeSpecs(inputs)}.`,
    );
  }
  return found;
}

export function requireOutput(component: string, outputs: readonly TensorSpec[], names: readonly string[]): TensorSpec {
  const found = outputs.find((o) => names.includes(o.name));
  if (!found) {
    throw mismatch(
      component,
      `expected an output named ${names.map((n) => `"${n}"`).join(' or ')}, the graph has ${describeSpecs(outputs)}.`,
    );
  }
  return found;
}

export function requireFloat(component: string, spec: TensorSpec): 'float32' | 'float16' {
  if (spec.type === 'float32' || spec.type === 'float16') return spec.type;
  throw mismatch(component, `"${spec.name}" must be float32 or float16, the graph declares ${spec.type}.`);
}

export function describeSpecs(specs: readonly TensorSpec[]): string {
  return specs.map((s) => `${s.name}: ${s.type}[${s.shape.join(', ')}]`).join('; ') || 'none';
}

/**
 * Runs `total` items through a graph whose batch dim may be fixed: in chunks of the fixed size, padding the
 * last chunk by repeating its final item. `run(start, count, padded)` returns `padded` items of `itemSize` floats.
 */
export async function runInBatches(
  total: number,
  batch: Dim,
  itemSize: number,
  run: (start: number, count: number, padded: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  const chunk = batch === 'dynamic' ? total : batch;
  if (chunk === total) return run(0, total, total);
  const out = new Float32Array(total * itemSize);
  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start);
    const result = await run(start, count, chunk);
    out.set(result.subarray(0, count * itemSize), start * itemSize);
  }
  return out;
}

/** Concatenates `count` items (each `itemSize`) taken from `items` starting at `start`, repeating the last to `padded`. */
export function gatherBatch(items: readonly Float32Array[], start: number, count: number, padded: number): Float32Array {
  const itemSize = items[0].length;
  const out = new Float32Array(padded * itemSize);
  for (let i = 0; i < padded; i++) out.set(items[start + Math.min(i, count - 1)], i * itemSize);
  return out;
}

/** A graph's inputs and outputs, from a session's metadata or from the ONNX file (graphSignature). */
export interface GraphSignature {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/**
 * The signature ONNX Runtime reports for a model read by readOnnxModel: graph inputs that are also
 * initializers are left out (ORT lists them as overridable initializers), unknown dims are '' (ORT's empty
 * symbolic name), value types other than tensors are 'non-tensor'. One difference remains: where a graph leaves
 * an output dim unknown, ORT reports what its shape inference found; exports declare their outputs' dims, and
 * the engine falls back to the configs where a dim is not fixed.
 */
export function graphSignature(model: OnnxModel): GraphSignature {
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const spec = (v: OnnxValueInfo): TensorSpec => ({ name: v.name, type: v.type, shape: v.type === 'non-tensor' ? [] : [...v.dims] });
  return {
    inputs: model.graph.inputs.filter((i) => !initializers.has(i.name)).map(spec),
    outputs: model.graph.outputs.map(spec),
  };
}

/** What the engine needs to know of a text encoder's graph (textEncoder.ts, ModelInfo). */
export interface TextEncoderShape {
  idsType: 'int32' | 'int64';
  idsName: string;
  outputName: string;
  batch: Dim;
  sequenceLength: Dim;
  hiddenSize: Dim;
}

// CLIP text encoder: input_ids int32 or int64 [batch, sequence] → last_hidden_state [batch, sequence, hidden]
// (or `text_embeddings` in ORT demo engines), as diffusers' pipelines/onnx_utils.py exports feed it.
export function textEncoderShape(graph: GraphSignature, component = 'text_encoder'): TextEncoderShape {
  const ids = requireInput(component, graph.inputs, ['input_ids']);
  if (ids.type !== 'int32' && ids.type !== 'int64') {
    throw mismatch(component, `"input_ids" must be int32 or int64, the graph declares ${ids.type}.`);
  }
  if (ids.shape.length !== 2) throw mismatch(component, `"input_ids" must be [batch, sequence], got [${ids.shape.join(', ')}].`);
  // SDXL's CLIPTextModelWithProjection in the ORT demo names its pooled [batch, 1280] vector `text_embeddings`
  // and its penultimate layer `hidden_states`: the sequence output is the first of these names that is 3-D.
  const candidates = ['last_hidden_state', 'text_embeddings', 'hidden_states'];
  const hidden =
    candidates.map((n) => graph.outputs.find((o) => o.name === n && o.shape.length === 3)).find((o) => o !== undefined) ??
    requireOutput(component, graph.outputs, candidates.slice(0, 2));
  if (hidden.shape.length !== 3) {
    throw mismatch(component, `"${hidden.name}" must be [batch, sequence, hidden], got [${hidden.shape.join(', ')}].`);
  }
  return { idsType: ids.type, idsName: ids.name, outputName: hidden.name, batch: dimOf(ids, 0), sequenceLength: dimOf(ids, 1), hiddenSize: dimOf(hidden, 2) };
}

/** What the engine needs to know of a UNet's graph (unet.ts, ModelInfo). */
export interface UnetShape {
  inChannels: number;
  latentChannels: number;
  sampleType: 'float32' | 'float16';
  hiddenType: 'float32' | 'float16';
  timestepSpec: TensorSpec;
  batch: Dim;
  latentHeight: Dim;
  latentWidth: Dim;
  timeCondProjDim: number | null;
  outputName: string;
  sampleName: string;
  hiddenName: string;
  /** encoder_hidden_states' sequence length: fixed in static exports (prompts past it are truncated), else dynamic. */
  hiddenSequence: Dim;
  timestepCondSpec: TensorSpec | undefined;
  /** SDXL UNets (addition_embed_type "text_time"): the pooled text_embeds and time_ids inputs. */
  addedCond?: SdxlAddedConditioning;
}

/**
 * sample [B, C, h, w] (C = 4, or 9 for inpainting UNets), timestep (int64 / float32 / float16; shape [], [1] or
 * [batch]), encoder_hidden_states [B, 77, D], optional timestep_cond (LCM) → out_sample [B, 4, h, w].
 * @param pipelineClass model_index.json's _class_name: the last resort for the channel count when neither
 * the graph (symbolic dims, as the diffusers convert script exports) nor a config.json says it.
 */
export function unetShape(graph: GraphSignature, config: Record<string, unknown> | null, pipelineClass = ''): UnetShape {
  const component = 'unet';
  const sample = requireInput(component, graph.inputs, ['sample']);
  if (sample.shape.length !== 4) throw mismatch(component, `"sample" must be [batch, channels, height, width], got [${sample.shape.join(', ')}].`);
  const sampleType = requireFloat(component, sample);
  const timestepSpec = requireInput(component, graph.inputs, ['timestep']);
  if (!['int64', 'int32', 'float32', 'float16'].includes(timestepSpec.type)) {
    throw mismatch(component, `"timestep" must be int64, float32 or float16, the graph declares ${timestepSpec.type}.`);
  }
  if (timestepSpec.shape.length > 1) {
    throw mismatch(component, `"timestep" must be a scalar or 1-D, got [${timestepSpec.shape.join(', ')}].`);
  }
  const hidden = requireInput(component, graph.inputs, ['encoder_hidden_states']);
  const hiddenType = requireFloat(component, hidden);
  const addedCond = sdxlAddedConditioning(graph, config);
  const timestepCondSpec = graph.inputs.find((i) => i.name === 'timestep_cond');
  const condDim = timestepCondSpec ? dimOf(timestepCondSpec, 1) : 'dynamic';
  const configCondDim = typeof config?.time_cond_proj_dim === 'number' ? config.time_cond_proj_dim : null;
  const timeCondProjDim = timestepCondSpec ? (condDim === 'dynamic' ? configCondDim : condDim) : null;
  if (timestepCondSpec && timeCondProjDim === null) {
    throw mismatch(component, '"timestep_cond" has no fixed size and unet/config.json has no time_cond_proj_dim.');
  }
  const output = requireOutput(component, graph.outputs, ['out_sample', 'latent']);

  const channels = dimOf(sample, 1);
  const configChannels = typeof config?.in_channels === 'number' ? config.in_channels : null;
  // diffusers' OnnxStableDiffusionInpaintPipeline is the 9-channel one (NUM_UNET_INPUT_CHANNELS); the Legacy
  // inpaint pipeline and every other class use a 4-channel UNet.
  const classChannels = /Inpaint(?!.*Legacy)/.test(pipelineClass) ? 9 : 4;
  const inChannels = channels !== 'dynamic' ? channels : (configChannels ?? classChannels);
  if (inChannels !== 4 && inChannels !== 9) {
    throw mismatch(component, `expected 4 input channels (text-to-image) or 9 (inpainting), the graph takes ${inChannels}.`);
  }
  const outChannels = dimOf(output, 1);
  const latentChannels = outChannels === 'dynamic' ? (inChannels === 9 ? 4 : inChannels) : outChannels;
  if (inChannels === 9 && latentChannels * 2 + 1 !== 9) {
    throw mismatch(component, `a 9-channel inpainting UNet must output 4 channels, this one outputs ${latentChannels}.`);
  }
  return {
    inChannels,
    latentChannels,
    sampleType,
    hiddenType,
    timestepSpec,
    batch: dimOf(sample, 0),
    latentHeight: dimOf(sample, 2),
    latentWidth: dimOf(sample, 3),
    timeCondProjDim,
    outputName: output.name,
    sampleName: sample.name,
    hiddenSequence: dimOf(hidden, 1),
    hiddenName: hidden.name,
    timestepCondSpec,
    ...(addedCond ? { addedCond } : {}),
  };
}

/** What the engine needs to know of a VAE (or TAESD) decoder's graph. */
export interface VaeDecoderShape {
  inputType: 'float32' | 'float16';
  inputName: string;
  outputName: string;
  batch: Dim;
  latentChannels: Dim;
  latentHeight: Dim;
  latentWidth: Dim;
}

// latent_sample [B, 4, h, w] → sample [B, 3, 8h, 8w] (diffusers OnnxStableDiffusionPipeline's vae_decoder).
export function vaeDecoderShape(graph: GraphSignature, component = 'vae_decoder'): VaeDecoderShape {
  const input = requireInput(component, graph.inputs, ['latent_sample', 'latent']);
  if (input.shape.length !== 4) throw mismatch(component, `"${input.name}" must be [batch, channels, height, width].`);
  return {
    inputType: requireFloat(component, input),
    inputName: input.name,
    outputName: requireOutput(component, graph.outputs, ['sample', 'images']).name,
    batch: dimOf(input, 0),
    latentChannels: dimOf(input, 1),
    latentHeight: dimOf(input, 2),
    latentWidth: dimOf(input, 3),
  };
}

export type VaeEncoderOutputKind = 'latent_sample' | 'latent_parameters' | 'latent';

/** What the engine needs to know of a VAE encoder's graph. */
export interface VaeEncoderShape {
  inputType: 'float32' | 'float16';
  inputName: string;
  outputName: string;
  outputKind: VaeEncoderOutputKind;
  batch: Dim;
}

// sample [B, 3, H, W] → latent_sample / latent (sampled in the graph) or latent_parameters (mean ‖ logvar).
export function vaeEncoderShape(graph: GraphSignature): VaeEncoderShape {
  const component = 'vae_encoder';
  const input = requireInput(component, graph.inputs, ['sample', 'images']);
  const output = requireOutput(component, graph.outputs, ['latent_parameters', 'latent_sample', 'latent']);
  return {
    inputType: requireFloat(component, input),
    inputName: input.name,
    outputName: output.name,
    outputKind: output.name as VaeEncoderOutputKind,
    batch: dimOf(input, 0),
  };
}
