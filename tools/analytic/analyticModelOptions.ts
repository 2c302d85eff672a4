// Options of the analytic test model (which export family's I/O it imitates, diffusers convert script, optimum, Olive) and their defaults.

import type { PadToken } from './tokenizerFiles';
import { BETA_END, BETA_START, NUM_TRAIN_TIMESTEPS } from './trainingSigmas';

export type TimestepType = 'int64' | 'float32' | 'float16';
/** [] | [1] | [batch] (the batch dim, symbolic or fixed, shared with `sample`). */
export type TimestepShape = 'scalar' | 'one' | 'batch';

export interface AnalyticModelOptions {
  /** text_encoder input_ids dtype (int32: diffusers script / Olive; int64: optimum). */
  idsType: 'int32' | 'int64';
  /** ALL float I/O of every component (fp16 exports, family D); compute inside is float32, Cast at the edges. */
  floatType: 'float32' | 'float16';
  timestep: { type: TimestepType; shape: TimestepShape };
  /** unet/text-encoder batch dim: symbolic ('batch') or fixed (the text encoder's sequence is then fixed to 77). */
  batch: 'dynamic' | 1 | 2;
  /** Image size (pixels) of the unet/vae spatial dims: symbolic or fixed (latent = image/8). */
  size: 'dynamic' | { width: number; height: number };
  /** 9 = inpainting UNet: [scaled latents 4, mask 1, masked-image latents 4] (diffusers order). */
  unetInChannels: 4 | 9;
  /** vae_encoder output: latent_sample (4 ch), latent_parameters (8 ch = mean ‖ logvar), or no encoder. */
  vaeEncoder: 'latent_sample' | 'latent_parameters' | null;
  predictionType: 'epsilon' | 'v_prediction';
  /** UNet initializers (≥ 100 bytes, as optimum) in a side file next to unet/model.onnx. */
  externalData: null | 'model.onnx_data' | 'weights.pb';
  /** VAE scaling factor written to the vae configs (deliberately not SD's 0.18215, so tests prove it is read). */
  scalingFactor: number;
  /** Write per-component config.json files (optimum exports have them; the diffusers script does not). */
  writeConfigs: boolean;
  padToken: PadToken;
  /** scheduler/scheduler_config.json, written verbatim (replaces the default entirely). */
  schedulerConfig: Record<string, unknown>;
  /** Also write taesd_decoder/model.onnx: the same linear decoder on UNet-space latents (scaling 1), out in [-1, 1]. */
  taesd: boolean;
  /**
   * Benchmark only: an input-dependent chain of `layers` MatMuls of size matmulSize² inside the UNet, whose
   * result is multiplied by 0 and added to the output. Its weights go to external data unless `embedded`
   * (the memory benchmark measures both layouts of the same weights).
   */
  heavy: null | {
    matmulSize: number;
    layers: number;
    /** activation rows per batch item (default matmulSize) */
    rowsPerItem?: number;
    /** Keep the weights inside unet/model.onnx (as SD 1.5 fp16 exports do) instead of model.onnx_data. */
    embedded?: boolean;
    /** float16 weights (the chain then runs in float16, Cast at its ends); default float32. */
    weightType?: 'float32' | 'float16';
  };
  /** Native image size in pixels, written to the configs (unet sample_size = sampleSize/8). */
  sampleSize: number;
  /**
   * Export the text encoder with its hidden states: `hidden_states.0` … `hidden_states.L` and last_hidden_state =
   * final_layer_norm(hidden_states.L) (textEncoderLayers.ts), for clip skip. null: last_hidden_state only.
   */
  textEncoderLayers: number | null;
  /**
   * Identity layers at real diffusers module paths, named as torch.onnx names them, for LoRA tests
   * (loraLayers.ts): text encoder `/text_model/encoder/layers.0/self_attn/q_proj/MatMul` on the hidden states; UNet
   * `/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_k/MatMul` on encoder_hidden_states, and two convs on
   * the target latent (`down_blocks.0.resnets.0.conv1` 1×1, `up_blocks.0.resnets.0.conv2` 3×3), and a Gemm
   * (`time_embedding.linear_1`, transB = 1) on the concept weights. Their MatMul
   * weights are float16 when floatType is.
   */
  loraLayers: boolean;
  /**
   * Seamless-tiling tests: the VAE decoder ends with a padded 3×3 box blur (Conv pads 1, per channel), so a flat
   * colour stays flat only where the padding wraps (zero padding pulls the border towards 0). The oracle's
   * decodeLatent does not model it: compare against the flat colour instead.
   */
  decoderBlur: boolean;
}

export const DEFAULT_SCALING_FACTOR = 0.5;
export const DEFAULT_SAMPLE_SIZE = 256;

/** SD's scheduler config (runwayml stable-diffusion-v1-5 scheduler/scheduler_config.json), as an EulerDiscreteScheduler with linspace spacing. */
export function defaultSchedulerConfig(predictionType: AnalyticModelOptions['predictionType']): Record<string, unknown> {
  return {
    _class_name: 'EulerDiscreteScheduler',
    _diffusers_version: '0.30.0',
    beta_end: BETA_END,
    beta_schedule: 'scaled_linear',
    beta_start: BETA_START,
    interpolation_type: 'linear',
    num_train_timesteps: NUM_TRAIN_TIMESTEPS,
    prediction_type: predictionType,
    steps_offset: 1,
    timestep_spacing: 'linspace',
    trained_betas: null,
    use_karras_sigmas: false,
  };
}

/** Defaults imitate a diffusers-script (family A) fp32 export: int32 ids, float32 timestep [batch], dynamic dims. */
export function resolveAnalyticOptions(given: Partial<AnalyticModelOptions> = {}): AnalyticModelOptions {
  // Keys explicitly set to undefined fall back to the default too.
  const options = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<AnalyticModelOptions>;
  const predictionType = options.predictionType ?? 'epsilon';
  const resolved: AnalyticModelOptions = {
    idsType: 'int32',
    floatType: 'float32',
    timestep: { type: 'float32', shape: 'batch' },
    batch: 'dynamic',
    size: 'dynamic',
    unetInChannels: 4,
    vaeEncoder: 'latent_sample',
    externalData: null,
    scalingFactor: DEFAULT_SCALING_FACTOR,
    writeConfigs: true,
    padToken: '<|endoftext|>',
    taesd: false,
    heavy: null,
    sampleSize: DEFAULT_SAMPLE_SIZE,
    textEncoderLayers: null,
    loraLayers: false,
    decoderBlur: false,
    ...options,
    predictionType,
    schedulerConfig: options.schedulerConfig ?? defaultSchedulerConfig(predictionType),
  };
  if (resolved.size !== 'dynamic' && (resolved.size.width % 8 !== 0 || resolved.size.height % 8 !== 0)) {
    throw new Error(`analytic model: size ${resolved.size.width}×${resolved.size.height} is not a multiple of 8`);
  }
  if (resolved.sampleSize % 8 !== 0) throw new Error(`analytic model: sampleSize ${resolved.sampleSize} is not a multiple of 8`);
  return resolved;
}

/** Options of the analytic test model models/analytic-shapes (tools/buildSampleModels.ts): defaults + TAESD. */
export const SAMPLE_MODEL_OPTIONS: Readonly<Partial<AnalyticModelOptions>> = { taesd: true };
export const SAMPLE_MODEL_FOLDER = 'analytic-shapes';
