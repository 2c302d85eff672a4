// Writes the "analytic oracle" Stable Diffusion test model: tiny ONNX graphs in the diffusers ONNX folder layout
// (diffusers pipelines/onnx_utils.py) with the I/O names, dtypes and dims of real exports (diffusers convert script, optimum, Olive), whose outputs are known in
// closed form (analyticOracle.ts implements the same maths). Text encoder: one-hot concept embeddings. UNet: the
// exact noise (or v) that takes `sample` to the prompt's target latent. VAE: linear (linearVae.ts).

import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { GraphBuilder, tensorAttr } from '../onnx/graphBuilder';
import { encodeModel, makeTensor, type Dim, type TensorElemType } from '../../src/node/onnx/onnxWriter';
import { toFloat16Array } from '../../src/engine/tensor/float16';
import { resolveAnalyticOptions, type AnalyticModelOptions } from './analyticModelOptions';
import { AnalyticOracle, buildAnalyticTables, type AnalyticTables } from './analyticOracle';
import {
  COLOUR_RANGE,
  EDGE_SHARPNESS,
  EMBEDDING_DIM,
  POSITION_RANGE,
  RING_HALF_WIDTH,
  SHAPE_RANGE,
  shapeConcepts,
  type ShapeConcept,
} from './concepts';
import {
  decoderBias,
  decoderWeight,
  encoderBias,
  encoderWeight,
  LATENT_CHANNELS,
  RGB_CHANNELS,
  VAE_BLOCK_OUT_CHANNELS,
  VAE_SCALE,
} from './linearVae';
import { identityConv, identityGemm, identityLinear, LORA_LAYER_PATHS } from './loraLayers';
import { finalNormParams, LAYER_NORM_EPS, layerEmbedding } from './textEncoderLayers';
import { MODEL_MAX_LENGTH, tokenizerFiles } from './tokenizerFiles';
import { NUM_TRAIN_TIMESTEPS, trainingSigmas } from './trainingSigmas';

export { resolveAnalyticOptions, type AnalyticModelOptions } from './analyticModelOptions';

const ONNX_FILE = 'model.onnx';
const PRODUCER = 'local-diffusion analytic model';
/** optimum's size_threshold for external data (optimum exporters/onnx size_threshold). */
const EXTERNAL_THRESHOLD_BYTES = 100;
/** logvar of the latent_parameters variant: std = exp(−15) ≈ 3e-7 (diffusers clamps logvar to [−30, 20]). */
const LATENT_LOGVAR = -30;
const DIFFUSERS_VERSION = '0.30.0';

/** Symbolic dim names of the diffusers convert script / optimum (diffusers scripts/convert_stable_diffusion_checkpoint_to_onnx.py dynamic_axes). */
const DIM = { batch: 'batch', channels: 'channels', height: 'height', width: 'width', sequence: 'sequence' } as const;

export interface Dims {
  batch: Dim;
  sequence: Dim;
  /** latent spatial dims */
  height: Dim;
  width: Dim;
  /** image spatial dims */
  imageHeight: Dim;
  imageWidth: Dim;
  /** channel dims of inputs: symbolic with a dynamic size (as the diffusers script), else fixed */
  channels: (n: number) => Dim;
}

export function dimsOf(o: AnalyticModelOptions): Dims {
  const fixedBatch = o.batch !== 'dynamic';
  if (o.size === 'dynamic') {
    return {
      batch: fixedBatch ? o.batch : DIM.batch,
      sequence: fixedBatch ? MODEL_MAX_LENGTH : DIM.sequence,
      height: DIM.height,
      width: DIM.width,
      imageHeight: 'image_height',
      imageWidth: 'image_width',
      channels: () => DIM.channels,
    };
  }
  return {
    batch: fixedBatch ? o.batch : DIM.batch,
    sequence: fixedBatch ? MODEL_MAX_LENGTH : DIM.sequence,
    height: o.size.height / VAE_SCALE,
    width: o.size.width / VAE_SCALE,
    imageHeight: o.size.height,
    imageWidth: o.size.width,
    channels: (n) => n,
  };
}

/** The VAE/TAESD batch stays symbolic: pipelines decode one image at a time (diffusers pipeline_onnx_stable_diffusion.py decodes one image at a time). */
export const VAE_BATCH = DIM.batch;

function textEncoderGraph(o: AnalyticModelOptions, d: Dims, t: AnalyticTables): GraphBuilder {
  const g = new GraphBuilder('text_encoder');
  const ids = g.addInput('input_ids', o.idsType, [d.batch, d.sequence]);
  const table = g.addInitializer('embedding', t.embedding, [t.vocabSize, EMBEDDING_DIM]);
  let hidden = g.op1('Gather', [table, ids], { axis: 0 });
  if (o.textEncoderLayers !== null) hidden = hiddenStateOutputs(g, o, d, ids, o.textEncoderLayers);
  if (o.loraLayers) hidden = identityLinear(g, hidden, EMBEDDING_DIM, LORA_LAYER_PATHS.textEncoderQ, 101, o.floatType === 'float16');
  const pooled = g.op1('ReduceSum', [hidden, g.constInt64([1])], { keepdims: 0 });
  g.addOutput('last_hidden_state', o.floatType, [d.batch, d.sequence, EMBEDDING_DIM], g.cast(hidden, o.floatType, 'float32'));
  g.addOutput('pooler_output', o.floatType, [d.batch, EMBEDDING_DIM], g.cast(pooled, o.floatType, 'float32'));
  return g;
}

/** hidden_states.0 … .L as outputs (textEncoderLayers.ts); returns final_layer_norm(hidden_states.L). */
function hiddenStateOutputs(g: GraphBuilder, o: AnalyticModelOptions, d: Dims, ids: string, layers: number): string {
  if (!Number.isInteger(layers) || layers < 2) throw new Error(`analytic model: textEncoderLayers must be a whole number ≥ 2, got ${layers}`);
  const vocabSize = layerEmbedding(false).length / EMBEDDING_DIM;
  const below = g.op1('Gather', [g.addInitializer('layer_embedding', layerEmbedding(false), [vocabSize, EMBEDDING_DIM]), ids], { axis: 0 });
  const last = g.op1('Gather', [g.addInitializer('last_layer_embedding', layerEmbedding(true), [vocabSize, EMBEDDING_DIM]), ids], { axis: 0 });
  for (let k = 0; k <= layers; k++) {
    const layer = k === layers ? last : g.op1('Identity', [below]);
    g.addOutput(`hidden_states.${k}`, o.floatType, [d.batch, d.sequence, EMBEDDING_DIM], g.cast(layer, o.floatType, 'float32'));
  }
  const norm = finalNormParams();
  return g.op1('LayerNormalization', [last, g.addInitializer('final_layer_norm.weight', norm.scale, [EMBEDDING_DIM]), g.addInitializer('final_layer_norm.bias', norm.bias, [EMBEDDING_DIM])], {
    axis: -1,
    epsilon: LAYER_NORM_EPS,
  });
}

/** Slice [start, end) of `axis`. */
export function slice(g: GraphBuilder, value: string, start: number, end: number, axis: number): string {
  return g.op1('Slice', [value, g.constInt64([start]), g.constInt64([end]), g.constInt64([axis])]);
}

/** mask_s = sigmoid(k·(threshold − distance)) for one shape, from du [B,1,1,w], dv [B,1,h,1], r [B,1,h,w]. */
function shapeMaskGraph(g: GraphBuilder, shape: ShapeConcept, du: string, dv: string, r: string): string {
  let distance: string;
  let threshold = shape.size;
  switch (shape.shape) {
    case 'circle':
      distance = r;
      break;
    case 'square':
      distance = g.op1('Max', [g.op1('Abs', [du]), g.op1('Abs', [dv])]);
      break;
    case 'diamond':
      distance = g.op1('Add', [g.op1('Abs', [du]), g.op1('Abs', [dv])]);
      break;
    case 'ring':
      distance = g.op1('Abs', [g.op1('Sub', [r, g.constFloat(shape.size)])]);
      threshold = RING_HALF_WIDTH;
      break;
  }
  return g.op1('Sigmoid', [g.op1('Mul', [g.op1('Sub', [g.constFloat(threshold), distance]), g.constFloat(EDGE_SHARPNESS)])]);
}

/**
 * Σ_i w_i·value_i / max(Σ_i w_i, 1) + fallback·relu(1 − Σ_i w_i), where `weighted` = Σ_i w_i·value_i and
 * `sum` = Σ_i w_i (broadcastable); the shared blend of colours and shapes.
 */
function blend(g: GraphBuilder, weighted: string, sum: string, fallback: string | null): string {
  const one = g.constFloat(1);
  const mean = g.op1('Div', [weighted, g.op1('Max', [sum, one])]);
  const rest = g.op1('Relu', [g.op1('Sub', [one, sum])]);
  return g.op1('Add', [mean, fallback ? g.op1('Mul', [fallback, rest]) : rest]);
}

/** x0*(prompt) [B, 4, h, w] from concept weights [B, D] and the spatial size of `sample`. */
export function targetLatentGraph(g: GraphBuilder, t: AnalyticTables, weights: string, sample: string): string {
  // Colour [B, 4, 1, 1].
  const wColour = slice(g, weights, COLOUR_RANGE[0], COLOUR_RANGE[1], 1);
  const colourSum = g.op1('ReduceSum', [wColour, g.constInt64([1])], { keepdims: 1 });
  const colourLatents = g.addInitializer('colour_latents', t.colourLatents, [COLOUR_RANGE[1] - COLOUR_RANGE[0], LATENT_CHANNELS]);
  const defaultLatent = g.addInitializer('default_latent', t.defaultLatent, [1, LATENT_CHANNELS]);
  const colour = blend(g, g.op1('MatMul', [wColour, colourLatents]), colourSum, defaultLatent);
  const colour4 = g.op1('Reshape', [colour, g.constInt64([0, LATENT_CHANNELS, 1, 1])]);

  // Coordinate grids from Shape(sample), so dynamic sizes work: u [w], v [h] in min-side units.
  const shape = g.op1('Shape', [sample]);
  const hInt = g.op1('Gather', [shape, g.constInt64(2)], { axis: 0 });
  const wInt = g.op1('Gather', [shape, g.constInt64(3)], { axis: 0 });
  const hFloat = g.cast(hInt, 'float32');
  const wFloat = g.cast(wInt, 'float32');
  const minSide = g.op1('Min', [hFloat, wFloat]);
  const half = g.constFloat(0.5);
  const axis = (size: string, sizeFloat: string): string => {
    const index = g.cast(g.op1('Range', [g.constInt64(0), size, g.constInt64(1)]), 'float32');
    return g.op1('Div', [g.op1('Sub', [g.op1('Add', [index, half]), g.op1('Mul', [sizeFloat, half])]), minSide]);
  };
  const u = g.op1('Reshape', [axis(wInt, wFloat), g.constInt64([1, 1, 1, -1])]);
  const v = g.op1('Reshape', [axis(hInt, hFloat), g.constInt64([1, 1, -1, 1])]);

  // Shape centre shifted by position words: (cx, cy) = Σ w_p·offset_p.
  const wPos = slice(g, weights, POSITION_RANGE[0], POSITION_RANGE[1], 1);
  const offsets = g.addInitializer('position_offsets', t.positionOffsets, [POSITION_RANGE[1] - POSITION_RANGE[0], 2]);
  const centre = g.op1('MatMul', [wPos, offsets]);
  const cx = g.op1('Reshape', [slice(g, centre, 0, 1, 1), g.constInt64([-1, 1, 1, 1])]);
  const cy = g.op1('Reshape', [slice(g, centre, 1, 2, 1), g.constInt64([-1, 1, 1, 1])]);
  const du = g.op1('Sub', [u, cx]); // [B, 1, 1, w]
  const dv = g.op1('Sub', [v, cy]); // [B, 1, h, 1]
  const r = g.op1('Sqrt', [g.op1('Add', [g.op1('Mul', [du, du]), g.op1('Mul', [dv, dv])])]); // [B, 1, h, w]

  // Mask [B, 1, h, w] = weighted mean of the shape masks, 1 where no shape is named.
  const masks = g.op1('Concat', shapeConcepts.map((s) => shapeMaskGraph(g, s, du, dv, r)), { axis: 1 });
  const wShape = slice(g, weights, SHAPE_RANGE[0], SHAPE_RANGE[1], 1);
  const wShape4 = g.op1('Reshape', [wShape, g.constInt64([0, -1, 1, 1])]);
  const shapeSum = g.op1('ReduceSum', [wShape4, g.constInt64([1])], { keepdims: 1 });
  const weightedMasks = g.op1('ReduceSum', [g.op1('Mul', [masks, wShape4]), g.constInt64([1])], { keepdims: 1 });
  const mask = blend(g, weightedMasks, shapeSum, null);

  // x0* = bg + mask·(colour − bg).
  const background = g.addInitializer('background_latent', t.backgroundLatent, [1, LATENT_CHANNELS, 1, 1]);
  return g.op1('Add', [background, g.op1('Mul', [mask, g.op1('Sub', [colour4, background])])]);
}

/** σ(t) from the training table, linear in fractional t (clamped to [0, 999]); returns [√ᾱ, √(1 − ᾱ)] scalars. */
export function noiseLevelGraph(g: GraphBuilder, timestep: string, type: TensorElemType): [string, string] {
  const t = g.op1('Gather', [g.op1('Reshape', [g.cast(timestep, 'float32', type), g.constInt64([-1])]), g.constInt64(0)], { axis: 0 });
  const last = NUM_TRAIN_TIMESTEPS - 1;
  const clamped = g.op1('Clip', [t, g.constFloat(0), g.constFloat(last)]);
  const lower = g.op1('Min', [g.op1('Floor', [clamped]), g.constFloat(last - 1)]);
  const frac = g.op1('Sub', [clamped, lower]);
  const index = g.cast(lower, 'int64');
  const sigmas = g.addInitializer('training_sigmas', trainingSigmas, [NUM_TRAIN_TIMESTEPS]);
  const s0 = g.op1('Gather', [sigmas, index], { axis: 0 });
  const s1 = g.op1('Gather', [sigmas, g.op1('Add', [index, g.constInt64(1)])], { axis: 0 });
  const one = g.constFloat(1);
  const sigma = g.op1('Add', [g.op1('Mul', [s0, g.op1('Sub', [one, frac])]), g.op1('Mul', [s1, frac])]);
  // ᾱ = 1/(σ² + 1): √ᾱ = 1/√(σ² + 1), √(1 − ᾱ) = σ/√(σ² + 1).
  const root = g.op1('Sqrt', [g.op1('Add', [g.op1('Mul', [sigma, sigma]), one])]);
  return [g.op1('Div', [one, root]), g.op1('Div', [sigma, root])];
}

/** Deterministic pseudo-random weights in [−a, a] (xorshift32), for the benchmark MatMul chain. */
function randomMatrix(size: number, seed: number): Float32Array {
  const out = new Float32Array(size * size);
  const amplitude = Math.sqrt(3 / size); // unit variance of each MatMul output for unit-variance inputs
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = (state / 0xffffffff) * 2 * amplitude - amplitude;
  }
  return out;
}

/** The benchmark load: X = W₀ + mean(sample); X = tanh(X·W_i) for each layer; returns 0·mean(X) (a scalar). */
/**
 * Benchmark load: per batch item, a [rows, n] activation (input-dependent through the item's mean) goes through
 * `layers` MatMul+Tanh with distinct n×n weights; the result × 0 is added to the output. Cost grows with the
 * batch like a real UNet's convolutions do; the weights can be made as large as a real UNet's.
 */
function heavyGraph(g: GraphBuilder, sample: string, heavy: NonNullable<AnalyticModelOptions['heavy']>): string {
  const n = heavy.matmulSize;
  const rows = heavy.rowsPerItem ?? n;
  const itemMean = g.op1('ReduceMean', [sample], { axes: [1, 2, 3], keepdims: 1 }); // [B, 1, 1, 1]
  const mean = g.op1('Reshape', [itemMean, g.constInt64([-1, 1, 1])]); // [B, 1, 1]
  let x = g.op1('Add', [g.addInitializer('heavy_w0', randomMatrix(n, 1).subarray(0, rows * n), [rows, n]), mean]);
  const half = heavy.weightType === 'float16';
  if (half) x = g.cast(x, 'float16', 'float32');
  for (let i = 1; i <= heavy.layers; i++) {
    const w = randomMatrix(n, i + 1);
    const weight = half ? g.addInitializer(`heavy_w${i}`, toFloat16Array(w), [n, n], 'float16') : g.addInitializer(`heavy_w${i}`, w, [n, n]);
    // Named by module scope as torch.onnx names a Linear's MatMul, so the benchmark can merge a LoRA into it.
    x = g.op1('Tanh', [g.op1('MatMul', [x, weight], {}, { name: `/heavy/layers.${i}/MatMul` })]);
  }
  if (half) x = g.cast(x, 'float32', 'float16');
  return g.op1('Mul', [g.op1('ReduceMean', [x], { keepdims: 0 }), g.constFloat(0)]);
}

/**
 * The latents and the target x0 of a UNet whose input is `sample` with `channels` channels: a 9-channel (inpainting)
 * input is [scaled latents 4, mask 1, masked-image latents 4] (diffusers pipeline_onnx_stable_diffusion_inpaint.py),
 * and its target keeps the masked image outside the mask, x0 = m·x0* + (1 − m)·masked; any other is the latents.
 */
export function inpaintingTargetGraph(g: GraphBuilder, sample: string, x0: string, channels: number): { latents: string; x0: string } {
  if (channels !== 9) return { latents: sample, x0 };
  const latents = slice(g, sample, 0, LATENT_CHANNELS, 1);
  const mask = slice(g, sample, LATENT_CHANNELS, LATENT_CHANNELS + 1, 1);
  const masked = slice(g, sample, LATENT_CHANNELS + 1, 2 * LATENT_CHANNELS + 1, 1);
  const keep = g.op1('Sub', [g.constFloat(1), mask]);
  return { latents, x0: g.op1('Add', [g.op1('Mul', [mask, x0]), g.op1('Mul', [keep, masked])]) };
}

/** The noise that takes x0 to `latents` at noise level (√ᾱ, √(1 − ᾱ)): ε = (x_t − √ᾱ·x0) / √(1 − ᾱ). */
export function epsilonGraph(g: GraphBuilder, latents: string, x0: string, sqrtAlpha: string, sqrtOneMinusAlpha: string): string {
  return g.op1('Div', [g.op1('Sub', [latents, g.op1('Mul', [sqrtAlpha, x0])]), sqrtOneMinusAlpha]);
}

function unetGraph(o: AnalyticModelOptions, d: Dims, t: AnalyticTables): GraphBuilder {
  const g = new GraphBuilder('unet');
  const channels = o.unetInChannels;
  const sampleIn = g.addInput('sample', o.floatType, [d.batch, d.channels(channels), d.height, d.width]);
  const timestepDims: Dim[] = o.timestep.shape === 'scalar' ? [] : o.timestep.shape === 'one' ? [1] : [d.batch];
  const timestep = g.addInput('timestep', o.timestep.type, timestepDims);
  const hiddenIn = g.addInput('encoder_hidden_states', o.floatType, [d.batch, d.sequence, EMBEDDING_DIM]);
  const sample = g.cast(sampleIn, 'float32', o.floatType);
  let hidden = g.cast(hiddenIn, 'float32', o.floatType);
  if (o.loraLayers) hidden = identityLinear(g, hidden, EMBEDDING_DIM, LORA_LAYER_PATHS.unetToK, 201, o.floatType === 'float16');

  let weights = g.op1('ReduceSum', [hidden, g.constInt64([1])], { keepdims: 0 }); // [B, D]
  if (o.loraLayers) weights = identityGemm(g, weights, EMBEDDING_DIM, LORA_LAYER_PATHS.unetGemm);
  let x0 = targetLatentGraph(g, t, weights, sample);
  if (o.loraLayers) x0 = identityConv(g, identityConv(g, x0, 1, LORA_LAYER_PATHS.unetConv1x1), 3, LORA_LAYER_PATHS.unetConv3x3);
  const inpainting = inpaintingTargetGraph(g, sample, x0, channels);
  x0 = inpainting.x0;
  const [sqrtAlpha, sqrtOneMinusAlpha] = noiseLevelGraph(g, timestep, o.timestep.type);
  const eps = epsilonGraph(g, inpainting.latents, x0, sqrtAlpha, sqrtOneMinusAlpha);
  // v = √ᾱ·ε − √(1 − ᾱ)·x0 (diffusers get_velocity).
  let out = o.predictionType === 'v_prediction'
    ? g.op1('Sub', [g.op1('Mul', [sqrtAlpha, eps]), g.op1('Mul', [sqrtOneMinusAlpha, x0])])
    : eps;
  if (o.heavy) out = g.op1('Add', [out, heavyGraph(g, sample, o.heavy)]);
  g.addOutput('out_sample', o.floatType, [d.batch, LATENT_CHANNELS, d.height, d.width], g.cast(out, o.floatType, 'float32'));
  return g;
}

/** Linear decoder as one ConvTranspose (kernel 8, stride 8): each latent cell becomes an 8×8 block of W·l/scale + b. */
/** Per-channel latents_mean / latents_std of a VAE config (diffusers AutoencoderKL): VAE latents = z·std + mean for the linear map's z. */
export interface LatentStats {
  mean: readonly number[];
  std: readonly number[];
}

export function decoderGraph(name: string, o: AnalyticModelOptions, d: Dims, latentScale: number, stats?: LatentStats): GraphBuilder {
  const g = new GraphBuilder(name);
  const latentIn = g.addInput('latent_sample', o.floatType, [VAE_BATCH, d.channels(LATENT_CHANNELS), d.height, d.width]);
  let latent = g.cast(latentIn, 'float32', o.floatType);
  if (stats) {
    const shape = [1, LATENT_CHANNELS, 1, 1];
    latent = g.op1('Div', [g.op1('Sub', [latent, g.constFloat(stats.mean, shape)]), g.constFloat(stats.std, shape)]);
  }
  const kernel = new Float32Array(LATENT_CHANNELS * RGB_CHANNELS * VAE_SCALE * VAE_SCALE);
  const block = VAE_SCALE * VAE_SCALE;
  for (let k = 0; k < LATENT_CHANNELS; k++) {
    for (let c = 0; c < RGB_CHANNELS; c++) {
      kernel.fill(decoderWeight[c * LATENT_CHANNELS + k] / latentScale, (k * RGB_CHANNELS + c) * block, (k * RGB_CHANNELS + c + 1) * block);
    }
  }
  const weight = g.addInitializer('decoder_weight', kernel, [LATENT_CHANNELS, RGB_CHANNELS, VAE_SCALE, VAE_SCALE]);
  const bias = g.addInitializer('decoder_bias', decoderBias, [RGB_CHANNELS]);
  let rgb = g.op1('ConvTranspose', [latent, weight, bias], {
    kernel_shape: [VAE_SCALE, VAE_SCALE],
    strides: [VAE_SCALE, VAE_SCALE],
  });
  if (o.decoderBlur && name === 'vae_decoder') {
    const blur = g.addInitializer('decoder_blur', new Float32Array(RGB_CHANNELS * 9).fill(1 / 9), [RGB_CHANNELS, 1, 3, 3]);
    rgb = g.op1('Conv', [rgb, blur], { group: RGB_CHANNELS, kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'decoder_blur_conv' });
  }
  g.addOutput('sample', o.floatType, [VAE_BATCH, RGB_CHANNELS, d.imageHeight, d.imageWidth], g.cast(rgb, o.floatType, 'float32'));
  return g;
}

/** Linear encoder: 8×8 AveragePool, then W⁺ as a 1×1 Conv with bias −W⁺b; latent_parameters appends logvar −30. */
export function encoderGraph(o: AnalyticModelOptions, d: Dims, flavour: 'latent_sample' | 'latent_parameters', stats?: LatentStats): GraphBuilder {
  const g = new GraphBuilder('vae_encoder');
  const imageIn = g.addInput('sample', o.floatType, [VAE_BATCH, d.channels(RGB_CHANNELS), d.imageHeight, d.imageWidth]);
  const pooled = g.op1('AveragePool', [g.cast(imageIn, 'float32', o.floatType)], {
    kernel_shape: [VAE_SCALE, VAE_SCALE],
    strides: [VAE_SCALE, VAE_SCALE],
  });
  const weight = g.addInitializer('encoder_weight', encoderWeight, [LATENT_CHANNELS, RGB_CHANNELS, 1, 1]);
  const bias = g.addInitializer('encoder_bias', encoderBias, [LATENT_CHANNELS]);
  let out = g.op1('Conv', [pooled, weight, bias], { kernel_shape: [1, 1] });
  if (stats) {
    const shape = [1, LATENT_CHANNELS, 1, 1];
    out = g.op1('Add', [g.op1('Mul', [out, g.constFloat(stats.std, shape)]), g.constFloat(stats.mean, shape)]);
  }
  let outChannels = LATENT_CHANNELS;
  if (flavour === 'latent_parameters') {
    const logvar = g.op1('ConstantOfShape', [g.op1('Shape', [out])], {
      value: tensorAttr(makeTensor('value', Float32Array.of(LATENT_LOGVAR), [1])),
    });
    out = g.op1('Concat', [out, logvar], { axis: 1 });
    outChannels = 2 * LATENT_CHANNELS;
  }
  g.addOutput(flavour, o.floatType, [VAE_BATCH, outChannels, d.height, d.width], g.cast(out, o.floatType, 'float32'));
  return g;
}

export function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');
}

/**
 * All files of the model folder (relative path with '/' → bytes), deterministic for given options.
 * The extra taesd_decoder/ folder is not listed in model_index.json (it is no diffusers component).
 */
export function buildAnalyticModelFiles(options: Partial<AnalyticModelOptions> = {}): Map<string, Uint8Array> {
  const o = resolveAnalyticOptions(options);
  const d = dimsOf(o);
  const t = buildAnalyticTables(o.scalingFactor);
  const files = new Map<string, Uint8Array>();
  const model = (folder: string, g: GraphBuilder, external?: string | null): void => {
    const encoded = encodeModel(g.toModel({ producerName: PRODUCER }), external ? { location: external, threshold: EXTERNAL_THRESHOLD_BYTES } : undefined);
    files.set(`${folder}/${ONNX_FILE}`, encoded.model);
    if (external && encoded.externalData) files.set(`${folder}/${external}`, encoded.externalData);
  };

  const component = ['diffusers', 'OnnxRuntimeModel'];
  const index: Record<string, unknown> = {
    _class_name: o.unetInChannels === 9 ? 'OnnxStableDiffusionInpaintPipeline' : 'OnnxStableDiffusionPipeline',
    _diffusers_version: DIFFUSERS_VERSION,
    feature_extractor: [null, null],
    requires_safety_checker: false,
    safety_checker: [null, null],
    scheduler: ['diffusers', String(o.schedulerConfig._class_name ?? 'EulerDiscreteScheduler')],
    text_encoder: component,
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: component,
    vae_decoder: component,
    ...(o.vaeEncoder ? { vae_encoder: component } : {}),
  };
  files.set('model_index.json', json(index));
  files.set('scheduler/scheduler_config.json', json(o.schedulerConfig));
  for (const [name, text] of Object.entries(tokenizerFiles(o.padToken))) files.set(`tokenizer/${name}`, new TextEncoder().encode(text));

  model('text_encoder', textEncoderGraph(o, d, t));
  // Heavy weights are big: they go to a side file unless asked to be embedded.
  model('unet', unetGraph(o, d, t), o.externalData ?? (o.heavy && !o.heavy.embedded ? 'model.onnx_data' : null));
  model('vae_decoder', decoderGraph('vae_decoder', o, d, 1));
  if (o.vaeEncoder) model('vae_encoder', encoderGraph(o, d, o.vaeEncoder));
  if (o.taesd) model('taesd_decoder', decoderGraph('taesd_decoder', o, d, o.scalingFactor));

  if (o.writeConfigs) {
    const vaeConfig = {
      _class_name: 'AutoencoderKL',
      _diffusers_version: DIFFUSERS_VERSION,
      block_out_channels: VAE_BLOCK_OUT_CHANNELS,
      in_channels: RGB_CHANNELS,
      latent_channels: LATENT_CHANNELS,
      out_channels: RGB_CHANNELS,
      sample_size: o.sampleSize,
      scaling_factor: o.scalingFactor,
    };
    const oracle = new AnalyticOracle(o);
    files.set('text_encoder/config.json', json({
      architectures: ['CLIPTextModel'],
      hidden_size: EMBEDDING_DIM,
      ...(o.textEncoderLayers !== null ? { layer_norm_eps: LAYER_NORM_EPS, num_hidden_layers: o.textEncoderLayers } : {}),
      max_position_embeddings: MODEL_MAX_LENGTH,
      model_type: 'clip_text_model',
      projection_dim: EMBEDDING_DIM,
      vocab_size: t.vocabSize,
    }));
    files.set('unet/config.json', json({
      _class_name: 'UNet2DConditionModel',
      _diffusers_version: DIFFUSERS_VERSION,
      addition_embed_type: null,
      cross_attention_dim: EMBEDDING_DIM,
      in_channels: o.unetInChannels,
      out_channels: LATENT_CHANNELS,
      sample_size: o.sampleSize / VAE_SCALE,
      time_cond_proj_dim: null,
    }));
    // latent_rgb_factors/bias (our own keys): rgb = Σ_k z_k·M[k] + bias on UNet-space z, exact for this VAE.
    files.set('vae_decoder/config.json', json({ ...vaeConfig, latent_rgb_factors: oracle.latentRgbFactors(), latent_rgb_bias: oracle.latentRgbBias() }));
    if (o.vaeEncoder) files.set('vae_encoder/config.json', json(vaeConfig));
    if (o.taesd) {
      files.set('taesd_decoder/config.json', json({
        _class_name: 'AutoencoderTiny',
        _diffusers_version: DIFFUSERS_VERSION,
        latent_channels: LATENT_CHANNELS,
        scaling_factor: 1,
      }));
    }
  }
  return files;
}

/** Writes the analytic model folder into `dir` (created if needed; existing files of the same names replaced). */
export async function writeAnalyticModel(dir: string, options: Partial<AnalyticModelOptions> = {}): Promise<void> {
  for (const [relative, bytes] of buildAnalyticModelFiles(options)) {
    const file = path.join(dir, ...relative.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, bytes);
  }
}
