// Writes the analytic SDXL test model: tiny ONNX graphs in optimum's SDXL layout (huggingface/optimum
// `optimum/exporters/utils.py` _get_submodels_for_export_diffusion; `optimum/exporters/onnx/model_configs.py`
// CLIPTextOnnxConfig, CLIPTextWithProjectionOnnxConfig, UNetOnnxConfig): text_encoder/ + tokenizer/,
// text_encoder_2/ + tokenizer_2/ (pads with "!", id 0), unet/ with `text_embeds` and `time_ids`, vae_decoder/ and
// vae_encoder/ with the SDXL scaling factor in their configs. Its output is known in closed form
// (sdxlAnalyticOracle.ts) and is right only when the pipeline conditions it as diffusers'
// StableDiffusionXLPipeline does (`pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py` encode_prompt,
// _get_add_time_ids):
//   text_encoder's hidden_states.{L1−1} (penultimate) carries the colour words, every other layer (and
//     last_hidden_state, pooler_output) names the wrong colour / position;
//   text_encoder_2's hidden_states.{L2−1} carries the shape words (other layers the wrong shape), its pooled
//     `text_embeds` the position words;
//   the UNet reads colours from encoder_hidden_states[..., 0:D1] and shapes from [..., D1:D1+D2] (D1 ≠ D2, so the
//     concatenation order matters), positions from text_embeds, and shifts its target latent by
//     TIME_IDS_PENALTY·Σ|time_ids − [H, W, 0, 0, H, W]| (H×W = the generated size), so swapped sizes fail.
// The rest (noise level, target latent, linear VAE) is the SD analytic model's (analyticModel.ts).
import { identityLinear } from './loraLayers';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { GraphBuilder } from '../onnx/graphBuilder';
import { encodeModel, type Dim } from '../../src/node/onnx/onnxWriter';
import {
  decoderGraph,
  dimsOf,
  encoderGraph,
  epsilonGraph,
  inpaintingTargetGraph,
  json,
  noiseLevelGraph,
  slice,
  targetLatentGraph,
  VAE_BATCH,
  type Dims,
  type LatentStats,
} from './analyticModel';
import { resolveAnalyticOptions, type AnalyticModelOptions, type TimestepShape, type TimestepType } from './analyticModelOptions';
import { buildAnalyticTables } from './analyticOracle';
import { COLOUR_RANGE, colourConcepts, EMBEDDING_DIM, POSITION_RANGE, positionConcepts, SHAPE_RANGE, shapeConcepts, type Concept } from './concepts';
import { LATENT_CHANNELS, RGB_CHANNELS, VAE_BLOCK_OUT_CHANNELS, VAE_SCALE } from './linearVae';
import { analyticVocabulary, MODEL_MAX_LENGTH, tokenizerFiles } from './tokenizerFiles';
import { BETA_END, BETA_START, NUM_TRAIN_TIMESTEPS } from './trainingSigmas';

/** SDXL's VAE scaling factor (stabilityai/stable-diffusion-xl-base-1.0 vae/config.json; diffusers AutoencoderKL). */
export const SDXL_SCALING_FACTOR = 0.13025;
/** text_encoder layers (CLIP-L has 12): hidden_states.0 … .L1, penultimate .L1−1. */
export const SDXL_TEXT_ENCODER_LAYERS = 4;
/** text_encoder_2 layers (OpenCLIP bigG has 32): hidden_states.0 … .L2, penultimate .L2−1. */
export const SDXL_TEXT_ENCODER_2_LAYERS = 6;
/** Hidden widths: text_encoder D1, text_encoder_2 D2 (different, as 768 and 1280 are), pooled P. */
export const SDXL_HIDDEN_1 = EMBEDDING_DIM;
export const SDXL_HIDDEN_2 = EMBEDDING_DIM + 2;
export const SDXL_POOLED = EMBEDDING_DIM;
/** Latent shift per unit of Σ|time_ids − expected| (pixels). */
export const TIME_IDS_PENALTY = 0.01;
/** diffusers StableDiffusionXLImg2ImgPipeline aesthetic_score default (refiner time_ids' last entry). */
const REFINER_AESTHETIC_SCORE = 6;
/** Far past float16's largest value (65504) for latents of magnitude ≥ 1. */
const OVERFLOW_GAIN = 1e5;

const ONNX_FILE = 'model.onnx';
const PRODUCER = 'local-diffusion analytic SDXL model';
const DIFFUSERS_VERSION = '0.30.0';

/** The SDXL module paths of the LoRA identity layers (SdxlAnalyticOptions.loraLayers). */
export const SDXL_LORA_LAYER_PATHS = {
  textEncoder2Q: 'text_model.encoder.layers.0.self_attn.q_proj',
  unetToK: 'down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k',
} as const;

export interface SdxlAnalyticOptions {
  /** input_ids dtype of text_encoder / text_encoder_2 (optimum: int64 both; Olive: int32 / int64). */
  idsType1: 'int32' | 'int64';
  idsType2: 'int32' | 'int64';
  floatType: 'float32' | 'float16';
  /** optimum ≥ 2024-11 exports a float scalar timestep; earlier ones int64 [batch]. */
  timestep: { type: TimestepType; shape: TimestepShape };
  unetInChannels: 4 | 9;
  vaeEncoder: 'latent_sample' | 'latent_parameters' | null;
  /** Output names of the text encoders: optimum's (hidden_states.N, text_embeds) or the ORT demo's (hidden_states, text_embeddings). */
  naming: 'optimum' | 'ort-demo';
  scalingFactor: number;
  /** Native size (unet sample_size × 8). */
  sampleSize: number;
  /** model_index.json force_zeros_for_empty_prompt (SDXL base and Turbo: true). */
  forceZerosForEmptyPrompt: boolean;
  /** The refiner layout: no text_encoder/, time_ids [B, 5] (with the aesthetic score), requires_aesthetics_score. */
  refiner: boolean;
  /** LCM-distilled UNet: a timestep_cond input of this width. */
  timeCondProjDim: number | null;
  /** A fp16 VAE decoder whose activations overflow (as the original SDXL VAE does in fp16): its output is ±Inf/NaN. */
  vaeOverflow: boolean;
  /** latents_mean / latents_std in the VAE configs (the VAE graphs honour them; diffusers AutoencoderKL). */
  latentStats: LatentStats | null;
  /** A com.microsoft GroupNorm in the UNet (as in ONNX Runtime's GPU-optimised exports): no CPU kernel. */
  cudaOnlyOp: boolean;
  /** Write a TAESD(XL) decoder folder of this name. */
  taesd: null | 'taesdxl_decoder' | 'taesd_decoder';
  /**
   * Identity layers at real SDXL module paths for LoRA tests (loraLayers.ts): text_encoder_2's
   * `text_model.encoder.layers.0.self_attn.q_proj` on its penultimate states, and the UNet's
   * `down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k` (SGM `input_blocks.4.1`, SDXL's first attention) on
   * encoder_hidden_states.
   */
  loraLayers: boolean;
  schedulerConfig: Record<string, unknown>;
}

/** stabilityai/stable-diffusion-xl-base-1.0 scheduler/scheduler_config.json (EulerDiscrete, leading, steps_offset 1). */
export function sdxlBaseSchedulerConfig(): Record<string, unknown> {
  return {
    _class_name: 'EulerDiscreteScheduler',
    _diffusers_version: DIFFUSERS_VERSION,
    beta_end: BETA_END,
    beta_schedule: 'scaled_linear',
    beta_start: BETA_START,
    interpolation_type: 'linear',
    num_train_timesteps: NUM_TRAIN_TIMESTEPS,
    prediction_type: 'epsilon',
    sample_max_value: 1.0,
    set_alpha_to_one: false,
    skip_prk_steps: true,
    steps_offset: 1,
    timestep_spacing: 'leading',
    trained_betas: null,
    use_karras_sigmas: false,
  };
}

/** stabilityai/sdxl-turbo scheduler/scheduler_config.json: EulerAncestralDiscrete with trailing spacing. */
export function sdxlTurboSchedulerConfig(): Record<string, unknown> {
  return { ...sdxlBaseSchedulerConfig(), _class_name: 'EulerAncestralDiscreteScheduler', timestep_spacing: 'trailing', steps_offset: 1 };
}

export function resolveSdxlOptions(given: Partial<SdxlAnalyticOptions> = {}): SdxlAnalyticOptions {
  const options = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<SdxlAnalyticOptions>;
  return {
    idsType1: 'int64',
    idsType2: 'int64',
    floatType: 'float32',
    timestep: { type: 'float32', shape: 'scalar' },
    unetInChannels: 4,
    vaeEncoder: 'latent_parameters',
    naming: 'optimum',
    scalingFactor: SDXL_SCALING_FACTOR,
    sampleSize: 256,
    forceZerosForEmptyPrompt: true,
    refiner: false,
    timeCondProjDim: null,
    vaeOverflow: false,
    cudaOnlyOp: false,
    latentStats: null,
    taesd: null,
    loraLayers: false,
    schedulerConfig: sdxlBaseSchedulerConfig(),
    ...options,
  };
}

/** The SD analytic options the shared graphs (VAE, target latent) take for these SDXL options. */
export function sharedAnalyticOptions(o: SdxlAnalyticOptions): AnalyticModelOptions {
  return resolveAnalyticOptions({
    floatType: o.floatType,
    timestep: o.timestep,
    unetInChannels: o.unetInChannels,
    vaeEncoder: o.vaeEncoder,
    scalingFactor: o.scalingFactor,
    sampleSize: o.sampleSize,
    schedulerConfig: o.schedulerConfig,
  });
}

/** Index of a concept among those of its kind, and its kind's list. */
function kindOf(concept: Concept): readonly Concept[] {
  return concept.kind === 'colour' ? colourConcepts : concept.kind === 'shape' ? shapeConcepts : positionConcepts;
}

const RANGE_START: Record<Concept['kind'], number> = { colour: COLOUR_RANGE[0], shape: SHAPE_RANGE[0], position: POSITION_RANGE[0] };

/** Markers on the last (spare) dimension of the right tables, which the UNet never reads: BOS 1 (so an encoded empty
 * prompt is not zeros, unlike force_zeros_for_empty_prompt's negative) and, in text_encoder_2's, "!" (id 0, its pad
 * token) 0.5, so the padding after the EOS shows in its hidden states. */
export const BOS_MARKER = 1;
export const PAD_MARKER = 0.5;

/**
 * An embedding table [vocab, width]: each word of `kind` one-hot on its concept's dimension, or (shift 1) on the next
 * concept of its kind (a "wrong" layer); the right tables (shift 0) carry the spare-dimension markers; all other
 * rows zero.
 */
export function sdxlLayerTable(kind: Concept['kind'], width: number, shift: 0 | 1, padMarker = false): Float32Array {
  const vocabulary = analyticVocabulary();
  const table = new Float32Array(vocabulary.vocab.size * width);
  if (shift === 0) {
    table[vocabulary.bosId * width + width - 1] = BOS_MARKER;
    if (padMarker) table[0 * width + width - 1] = PAD_MARKER;
  }
  const list = kindOf({ kind } as Concept);
  list.forEach((concept, index) => {
    const id = vocabulary.vocab.get(concept.word + '</w>');
    if (id === undefined) throw new Error(`analytic SDXL: '${concept.word}' is not a token`);
    table[id * width + RANGE_START[kind] + ((index + shift) % list.length)] = 1;
  });
  return table;
}

interface EncoderSpec {
  name: 'text_encoder' | 'text_encoder_2';
  idsType: 'int32' | 'int64';
  layers: number;
  width: number;
  /** What the penultimate layer carries. */
  hiddenKind: Concept['kind'];
  /** text_encoder_2: text_embeds (position words, right); text_encoder: pooler_output (the wrong position). */
  pooled: { name: string; shift: 0 | 1 };
}

function encoderGraph2(o: SdxlAnalyticOptions, spec: EncoderSpec): GraphBuilder {
  const g = new GraphBuilder(spec.name);
  const batch = 'batch_size';
  const sequence = 'sequence_length';
  const ids = g.addInput('input_ids', spec.idsType, [batch, sequence]);
  const vocab = analyticVocabulary().vocab.size;
  const gather = (name: string, table: Float32Array, width: number): string =>
    g.op1('Gather', [g.addInitializer(name, table, [vocab, width]), ids], { axis: 0 });
  let right = gather('penultimate_embedding', sdxlLayerTable(spec.hiddenKind, spec.width, 0, spec.name === 'text_encoder_2'), spec.width);
  if (o.loraLayers && spec.name === 'text_encoder_2') right = identityLinear(g, right, spec.width, SDXL_LORA_LAYER_PATHS.textEncoder2Q, 301, o.floatType === 'float16');
  const wrong = gather('layer_embedding', sdxlLayerTable(spec.hiddenKind, spec.width, 1), spec.width);
  const pooledRows = gather('pooled_embedding', sdxlLayerTable('position', SDXL_POOLED, spec.pooled.shift), SDXL_POOLED);
  const pooled = g.op1('ReduceSum', [pooledRows, g.constInt64([1])], { keepdims: 0 });
  const out = (name: string, value: string, dims: Dim[]): void => {
    g.addOutput(name, o.floatType, dims, g.cast(value, o.floatType, 'float32'));
  };
  const hiddenDims: Dim[] = [batch, sequence, spec.width];
  if (o.naming === 'ort-demo') {
    // onnxruntime's SDXL demo (onnxruntime/python/tools/transformers/models/stable_diffusion/diffusion_models.py):
    // `text_embeddings` (CLIP-L: the last hidden state; CLIPWithProjection: the pooled vector) and `hidden_states`
    // (the penultimate layer).
    if (spec.name === 'text_encoder') out('text_embeddings', g.op1('Identity', [wrong]), hiddenDims);
    else out('text_embeddings', pooled, [batch, SDXL_POOLED]);
    out('hidden_states', right, hiddenDims);
    return g;
  }
  // optimum: CLIPTextModel → last_hidden_state, pooler_output, hidden_states.0 … .L;
  // CLIPTextModelWithProjection → text_embeds, last_hidden_state, hidden_states.0 … .L.
  if (spec.name === 'text_encoder_2') out(spec.pooled.name, pooled, [batch, SDXL_POOLED]);
  out('last_hidden_state', g.op1('Identity', [wrong]), hiddenDims);
  if (spec.name === 'text_encoder') out(spec.pooled.name, pooled, [batch, SDXL_POOLED]);
  for (let k = 0; k <= spec.layers; k++) {
    out(`hidden_states.${k}`, g.op1('Identity', [k === spec.layers - 1 ? right : wrong]), hiddenDims);
  }
  return g;
}

export const TEXT_ENCODER_SPEC = (o: SdxlAnalyticOptions): EncoderSpec => ({
  name: 'text_encoder',
  idsType: o.idsType1,
  layers: SDXL_TEXT_ENCODER_LAYERS,
  width: SDXL_HIDDEN_1,
  hiddenKind: 'colour',
  pooled: { name: 'pooler_output', shift: 1 },
});

export const TEXT_ENCODER_2_SPEC = (o: SdxlAnalyticOptions): EncoderSpec => ({
  name: 'text_encoder_2',
  idsType: o.idsType2,
  layers: SDXL_TEXT_ENCODER_2_LAYERS,
  width: SDXL_HIDDEN_2,
  hiddenKind: 'shape',
  pooled: { name: 'text_embeds', shift: 0 },
});

/** Width of encoder_hidden_states: D1 + D2 (the refiner: D2 only). */
export function crossAttentionDim(o: SdxlAnalyticOptions): number {
  return o.refiner ? SDXL_HIDDEN_2 : SDXL_HIDDEN_1 + SDXL_HIDDEN_2;
}

export function timeIdsWidth(o: SdxlAnalyticOptions): number {
  return o.refiner ? 5 : 6;
}

function unetGraph(o: SdxlAnalyticOptions): GraphBuilder {
  const t = buildAnalyticTables(o.scalingFactor);
  const g = new GraphBuilder('unet');
  const batch = 'batch_size';
  const channels = o.unetInChannels;
  const sampleIn = g.addInput('sample', o.floatType, [batch, channels, 'height', 'width']);
  const timestepDims: Dim[] = o.timestep.shape === 'scalar' ? [] : o.timestep.shape === 'one' ? [1] : [batch];
  const timestep = g.addInput('timestep', o.timestep.type, timestepDims);
  const width = crossAttentionDim(o);
  const hiddenIn = g.addInput('encoder_hidden_states', o.floatType, [batch, 'sequence_length', width]);
  const textEmbedsIn = g.addInput('text_embeds', o.floatType, [batch, SDXL_POOLED]);
  const timeIdsIn = g.addInput('time_ids', o.floatType, [batch, timeIdsWidth(o)]);
  if (o.timeCondProjDim !== null) g.addInput('timestep_cond', o.floatType, [batch, o.timeCondProjDim]);
  const sample = g.cast(sampleIn, 'float32', o.floatType);
  let hidden = g.cast(hiddenIn, 'float32', o.floatType);
  if (o.loraLayers) hidden = identityLinear(g, hidden, width, SDXL_LORA_LAYER_PATHS.unetToK, 401, o.floatType === 'float16');
  const textEmbeds = g.cast(textEmbedsIn, 'float32', o.floatType);
  const timeIds = g.cast(timeIdsIn, 'float32', o.floatType);

  // Concept weights [B, 18]: colours from the first encoder's part, shapes from the second's, positions pooled.
  const sums = g.op1('ReduceSum', [hidden, g.constInt64([1])], { keepdims: 0 }); // [B, width]
  const second = o.refiner ? 0 : SDXL_HIDDEN_1;
  const colours = slice(g, sums, COLOUR_RANGE[0], COLOUR_RANGE[1], 1);
  const shapes = slice(g, sums, second + SHAPE_RANGE[0], second + SHAPE_RANGE[1], 1);
  const positions = slice(g, textEmbeds, POSITION_RANGE[0], POSITION_RANGE[1], 1);
  const weights = g.op1('Concat', [colours, shapes, positions], { axis: 1 });
  let x0 = targetLatentGraph(g, t, weights, sample);

  // time_ids: Σ|time_ids − expected| with expected = [H, W, 0, 0, H, W] (the refiner: [H, W, 0, 0, aesthetic]).
  const shape = g.op1('Shape', [sample]);
  const pixels = (axis: number): string =>
    g.op1('Mul', [g.cast(g.op1('Gather', [shape, g.constInt64([axis])], { axis: 0 }), 'float32'), g.constFloat(VAE_SCALE)]);
  const h = pixels(2);
  const w = pixels(3);
  const zero = g.constFloat([0]);
  const expectedParts = o.refiner ? [h, w, zero, zero, g.constFloat([REFINER_AESTHETIC_SCORE])] : [h, w, zero, zero, h, w];
  const expected = g.op1('Reshape', [g.op1('Concat', expectedParts, { axis: 0 }), g.constInt64([1, -1])]);
  const error = g.op1('ReduceSum', [g.op1('Abs', [g.op1('Sub', [timeIds, expected])]), g.constInt64([1])], { keepdims: 1 }); // [B, 1]
  const shift = g.op1('Reshape', [g.op1('Mul', [error, g.constFloat(TIME_IDS_PENALTY)]), g.constInt64([-1, 1, 1, 1])]);
  x0 = g.op1('Add', [x0, shift]);

  const { latents, x0: target } = inpaintingTargetGraph(g, sample, x0, channels);
  const [sqrtAlpha, sqrtOneMinusAlpha] = noiseLevelGraph(g, timestep, o.timestep.type);
  let eps = epsilonGraph(g, latents, target, sqrtAlpha, sqrtOneMinusAlpha);
  if (o.cudaOnlyOp) {
    // com.microsoft GroupNorm (NHWC), as onnxruntime's transformers optimizer fuses SD UNets' group norms; × 0.
    const nhwc = g.op1('Transpose', [latents], { perm: [0, 2, 3, 1] });
    const ones = g.constFloat(new Array(LATENT_CHANNELS).fill(1), [LATENT_CHANNELS]);
    const zeros = g.constFloat(new Array(LATENT_CHANNELS).fill(0), [LATENT_CHANNELS]);
    const norm = g.op1('GroupNorm', [nhwc, ones, zeros], { activation: 0, groups: LATENT_CHANNELS, epsilon: 1e-5, channels_last: 1 }, { domain: 'com.microsoft' });
    eps = g.op1('Add', [eps, g.op1('Mul', [g.op1('ReduceMean', [norm], { keepdims: 0 }), g.constFloat(0)])]);
  }
  g.addOutput('out_sample', o.floatType, [batch, LATENT_CHANNELS, 'height', 'width'], g.cast(eps, o.floatType, 'float32'));
  return g;
}

/**
 * The fp16 VAE that overflows: the latents are scaled past float16's range (65504) and back, as the original
 * SDXL VAE's activations overflow in fp16 (madebyollin/sdxl-vae-fp16-fix model card), so the decoded image is Inf/NaN.
 */
function overflowingDecoderGraph(d: Dims): GraphBuilder {
  const g = new GraphBuilder('vae_decoder');
  const latentIn = g.addInput('latent_sample', 'float16', [VAE_BATCH, LATENT_CHANNELS, d.height, d.width]);
  const big = g.op1('Mul', [g.cast(latentIn, 'float32', 'float16'), g.constFloat(OVERFLOW_GAIN)]);
  const half = g.cast(big, 'float16', 'float32'); // saturates to ±Inf
  const back = g.op1('Div', [g.cast(half, 'float32', 'float16'), g.constFloat(OVERFLOW_GAIN)]);
  // Each latent cell → an 8×8 block of the sum of its channels (Inf + −Inf = NaN).
  const kernel = new Float32Array(LATENT_CHANNELS * RGB_CHANNELS * VAE_SCALE * VAE_SCALE).fill(1);
  const rgb = g.op1('ConvTranspose', [back, g.addInitializer('decoder_weight', kernel, [LATENT_CHANNELS, RGB_CHANNELS, VAE_SCALE, VAE_SCALE])], {
    kernel_shape: [VAE_SCALE, VAE_SCALE],
    strides: [VAE_SCALE, VAE_SCALE],
  });
  g.addOutput('sample', 'float16', [VAE_BATCH, RGB_CHANNELS, d.imageHeight, d.imageWidth], g.cast(rgb, 'float16', 'float32'));
  return g;
}

/** All files of the SDXL model folder (relative path → bytes). */
export function buildSdxlAnalyticModelFiles(options: Partial<SdxlAnalyticOptions> = {}): Map<string, Uint8Array> {
  const o = resolveSdxlOptions(options);
  const shared = sharedAnalyticOptions(o);
  const d = dimsOf(shared);
  const files = new Map<string, Uint8Array>();
  const model = (folder: string, g: GraphBuilder, external?: string): void => {
    const spec = g.toModel({ producerName: PRODUCER, ...(o.cudaOnlyOp && folder === 'unet' ? { extraOpsets: [{ domain: 'com.microsoft', version: 1 }] } : {}) });
    const encoded = encodeModel(spec, external ? { location: external, threshold: 100 } : undefined);
    files.set(`${folder}/${ONNX_FILE}`, encoded.model);
    if (external && encoded.externalData) files.set(`${folder}/${external}`, encoded.externalData);
  };
  const component = ['diffusers', 'OnnxRuntimeModel'];
  const index: Record<string, unknown> = {
    _class_name: o.refiner ? 'ORTStableDiffusionXLImg2ImgPipeline' : o.unetInChannels === 9 ? 'ORTStableDiffusionXLInpaintPipeline' : 'ORTStableDiffusionXLPipeline',
    _diffusers_version: DIFFUSERS_VERSION,
    force_zeros_for_empty_prompt: o.forceZerosForEmptyPrompt,
    ...(o.refiner ? { requires_aesthetics_score: true } : {}),
    scheduler: ['diffusers', String(o.schedulerConfig._class_name ?? 'EulerDiscreteScheduler')],
    ...(o.refiner ? {} : { text_encoder: component, tokenizer: ['transformers', 'CLIPTokenizer'] }),
    text_encoder_2: component,
    tokenizer_2: ['transformers', 'CLIPTokenizer'],
    unet: component,
    vae_decoder: component,
    ...(o.vaeEncoder ? { vae_encoder: component } : {}),
  };
  files.set('model_index.json', json(index));
  files.set('scheduler/scheduler_config.json', json(o.schedulerConfig));
  const tokenizers: Array<[string, '<|endoftext|>' | '!']> = o.refiner ? [['tokenizer_2', '!']] : [['tokenizer', '<|endoftext|>'], ['tokenizer_2', '!']];
  for (const [folder, pad] of tokenizers) {
    for (const [name, text] of Object.entries(tokenizerFiles(pad))) files.set(`${folder}/${name}`, new TextEncoder().encode(text));
  }
  const vocabSize = analyticVocabulary().vocab.size;
  const encoderConfig = (spec: EncoderSpec, architecture: string) => ({
    architectures: [architecture],
    hidden_size: spec.width,
    max_position_embeddings: MODEL_MAX_LENGTH,
    model_type: 'clip_text_model',
    num_hidden_layers: spec.layers,
    projection_dim: SDXL_POOLED,
    vocab_size: vocabSize,
  });
  if (!o.refiner) {
    model('text_encoder', encoderGraph2(o, TEXT_ENCODER_SPEC(o)));
    files.set('text_encoder/config.json', json(encoderConfig(TEXT_ENCODER_SPEC(o), 'CLIPTextModel')));
  }
  // optimum writes text_encoder_2's weights to model.onnx_data (the real one is ~2.8 GB).
  model('text_encoder_2', encoderGraph2(o, TEXT_ENCODER_2_SPEC(o)), 'model.onnx_data');
  files.set('text_encoder_2/config.json', json(encoderConfig(TEXT_ENCODER_2_SPEC(o), 'CLIPTextModelWithProjection')));
  model('unet', unetGraph(o), 'model.onnx_data');
  files.set('unet/config.json', json({
    _class_name: 'UNet2DConditionModel',
    _diffusers_version: DIFFUSERS_VERSION,
    addition_embed_type: 'text_time',
    addition_time_embed_dim: 256,
    cross_attention_dim: crossAttentionDim(o),
    in_channels: o.unetInChannels,
    out_channels: LATENT_CHANNELS,
    projection_class_embeddings_input_dim: 256 * timeIdsWidth(o) + SDXL_POOLED,
    requires_aesthetics_score: o.refiner,
    sample_size: o.sampleSize / VAE_SCALE,
    time_cond_proj_dim: o.timeCondProjDim,
  }));
  const vaeConfig = {
    _class_name: 'AutoencoderKL',
    _diffusers_version: DIFFUSERS_VERSION,
    block_out_channels: VAE_BLOCK_OUT_CHANNELS,
    force_upcast: true,
    in_channels: RGB_CHANNELS,
    latent_channels: LATENT_CHANNELS,
    out_channels: RGB_CHANNELS,
    sample_size: o.sampleSize,
    scaling_factor: o.scalingFactor,
    ...(o.latentStats ? { latents_mean: o.latentStats.mean, latents_std: o.latentStats.std } : {}),
  };
  model('vae_decoder', o.vaeOverflow ? overflowingDecoderGraph(d) : decoderGraph('vae_decoder', shared, d, 1, o.latentStats ?? undefined));
  files.set('vae_decoder/config.json', json(vaeConfig));
  if (o.vaeEncoder) {
    model('vae_encoder', encoderGraph(shared, d, o.vaeEncoder, o.latentStats ?? undefined));
    files.set('vae_encoder/config.json', json(vaeConfig));
  }
  if (o.taesd) {
    model(o.taesd, decoderGraph(o.taesd, shared, d, o.scalingFactor));
    files.set(`${o.taesd}/config.json`, json({ _class_name: 'AutoencoderTiny', _diffusers_version: DIFFUSERS_VERSION, latent_channels: LATENT_CHANNELS, scaling_factor: 1 }));
  }
  return files;
}

export async function writeSdxlAnalyticModel(dir: string, options: Partial<SdxlAnalyticOptions> = {}): Promise<void> {
  for (const [relative, bytes] of buildSdxlAnalyticModelFiles(options)) {
    const file = path.join(dir, ...relative.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, bytes);
  }
}
