// Host ⇄ engine messages. The engine is a Node child process (fork, serialization 'advanced'):
// bytes travel as Uint8Array, never base64. The CLI calls the same engine in-process.
import type { EmphasisMode } from '../prompt/emphasisMode';
import type { PromptTokenCount } from '../prompt/promptTokenCount';
import { SAMPLER_LABELS, SAMPLER_NAMES } from '../samplers';
import type { SeedText } from '../seed';
import type { TilingMode } from '../tilingMode';
import type { ImageToolResult, RemoveBackgroundParams, UpscaleImageParams, UpscaleImageProgress } from './imageToolMessages';

/** Bumped on any incompatible change; checked by the `hello` handshake. */
export const PROTOCOL_VERSION = 2;

export const SCHEDULER_NAMES = ['default', ...SAMPLER_NAMES] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];
/** Display names (A1111's pre-1.9 combined sampler labels), from the sampler table src/common/samplers.ts. */
export const SCHEDULER_LABELS: Readonly<Record<SchedulerName, string>> = { default: "Model's default", ...SAMPLER_LABELS };

/** A scheduler the engine actually runs (`default` resolved through the model's scheduler_config.json). */
export type ConcreteSchedulerName = Exclude<SchedulerName, 'default'>;

export const EXECUTION_PROVIDER_NAMES = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDER_NAMES)[number];
export type ConcreteExecutionProvider = Exclude<ExecutionProviderName, 'auto'>;

/** A diffusers-layout ONNX model folder. */
export interface ModelRef {
  dir: string;
  /** Shown in results and the PNG metadata; defaults to the folder name. */
  name?: string;
  /** Another VAE folder (its vae_decoder/, and vae_encoder/ if any) used instead of the model's (--vae, localDiffusion.vae). */
  vae?: string;
}

/** What every task takes. */
interface GenerateParamsBase {
  model: ModelRef;
  executionProvider?: ExecutionProviderName;
  prompt: string;
  negativePrompt?: string;
  /**
   * Multiples of 8. Default: the model's native size (txt2img) or one decided from the init image. A size the UNet
   * cannot take is generated at the next one it takes and centre-cropped (with a warning).
   */
  width?: number;
  height?: number;
  steps?: number;
  guidanceScale?: number;
  /** Decimal digits of 0 … 2^64−1 (PyTorch CPU generator semantics, src/common/seed.ts). Absent, "" or "-1": random. */
  seed?: SeedText;
  scheduler?: SchedulerName;
  /** Images in this job; image i uses seed + i, so each equals a single run with that seed. */
  batchCount?: number;
  /** Send a preview every N steps (0 = never). Default 1. */
  previewEverySteps?: number;
  /** A1111 "Emphasis mode": "Original" (default; each chunk's mean restored after weighting) or "No norm", …. */
  emphasis?: EmphasisMode;
  /**
   * A1111 "Clip skip" (LIMITS.clipSkip): 1 (default) = the text encoder's last layer; 2 = the penultimate one
   * through the final layer norm. Needs a text encoder exported with its hidden states; else a warning says so.
   */
  clipSkip?: number;
  /** LoRA files to apply besides the prompt's `<lora:name:weight>` tags (CLI --lora). */
  loras?: LoraRef[];
  /** Folders where a prompt's `<lora:name:…>` finds name.safetensors (setting localDiffusion.loraFolders, CLI --lora-dir). */
  loraFolders?: string[];
  /**
   * Seamless tiling (A1111 "Tiling"): the UNet's and the VAE's padded convolutions wrap around along these axes,
   * so the image tiles without seams. Absent: off. Loads a rewritten graph (cached per model and mode).
   */
  tiling?: TilingMode;
  /**
   * Cut each image's subject out with this background-segmentation ONNX model (a .onnx file or a folder with one;
   * RMBG-1.4, rembg's u2net / isnet): the PNG keeps the alpha. `preset`: its input normalisation (rmbg, u2net,
   * isnet); default from the model's name.
   */
  removeBackground?: { model: string; preset?: string };
}

/** A LoRA file and its multiplier (text encoder and UNet alike; default 1). */
export interface LoraRef {
  file: string;
  weight?: number;
}

/** A1111's hires fix: generate, upscale, then img2img at the larger size. */
export interface HiresFixParams {
  /** Second-pass size over the first's (A1111 "Hires upscale"); the size is floor(side × scale). */
  scale: number;
  /** Denoising strength of the second pass (A1111 "Denoising strength"). Default 0.7. */
  strength?: number;
  /** Steps of the second pass's schedule (A1111 "Hires steps"); 0 or absent: the first pass's steps. */
  steps?: number;
  /** A super-resolution ONNX model (a .onnx file or a folder with model.onnx); absent: Lanczos. */
  upscaler?: string;
}

export interface Txt2ImgParams extends GenerateParamsBase {
  task: 'txt2img';
  hires?: HiresFixParams;
}

export interface Img2ImgParams extends GenerateParamsBase {
  task: 'img2img';
  /** Encoded image (PNG/JPEG/WebP). */
  initImage: Uint8Array;
  /** Denoising strength in (0, 1]. Default 0.75. */
  strength?: number;
}

export interface InpaintParams extends GenerateParamsBase {
  task: 'inpaint';
  /** Encoded image (PNG/JPEG/WebP). */
  initImage: Uint8Array;
  /** Encoded image, white = repaint, grey = soft edge. Same size as initImage. */
  mask: Uint8Array;
  /** Denoising strength in (0, 1]. Default 1. */
  strength?: number;
  /** Gaussian feather of the mask in pixels, applied by the engine (0 = none). */
  maskBlur?: number;
  /** 'masked': crop around the mask (plus maskPadding), generate at the model's size, paste back. */
  inpaintArea?: 'whole' | 'masked';
  maskPadding?: number;
}

/** Pixels added on each side of the canvas by outpainting. */
export interface OutpaintMargins {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface OutpaintParams extends GenerateParamsBase {
  task: 'outpaint';
  /** Encoded image (PNG/JPEG/WebP): the canvas is extended around it. */
  initImage: Uint8Array;
  margins: OutpaintMargins;
  /** How far (pixels) the mask reaches into the original, feathered linearly. Default 32. */
  overlap?: number;
  /** Denoising strength in (0, 1]. Default 1. */
  strength?: number;
}

/** A generate request, by task. */
export type GenerateParams = Txt2ImgParams | Img2ImgParams | InpaintParams | OutpaintParams;
export type GenerateTask = GenerateParams['task'];
export const GENERATE_TASKS = ['txt2img', 'img2img', 'inpaint', 'outpaint'] as const satisfies readonly GenerateTask[];

export interface PreviewImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, RGBA. */
  rgba: Uint8Array;
}

export type GenerateProgress =
  | { stage: 'loading'; component: string; index: number; total: number }
  | { stage: 'encodingPrompt' }
  | { stage: 'encodingImage' }
  | {
      stage: 'denoising';
      image: number;
      images: number;
      step: number;
      steps: number;
      elapsedMs: number;
      preview?: PreviewImage;
    }
  | { stage: 'decoding'; image: number; images: number };

export interface GeneratedImage {
  /** PNG bytes with the A1111 `parameters` tEXt chunk. */
  png: Uint8Array;
  /** Decimal digits (0 … 2^64−1). */
  seed: SeedText;
  /** The A1111 infotext written into the PNG. */
  parameters: string;
}

export interface Timings {
  loadMs: number;
  textEncodeMs: number;
  denoiseMs: number;
  /** Sum of the UNet's session.run times. */
  unetMs: number;
  previewMs: number;
  decodeMs: number;
  totalMs: number;
}

export interface GenerateResult {
  images: GeneratedImage[];
  width: number;
  height: number;
  steps: number;
  guidanceScale: number;
  scheduler: ConcreteSchedulerName;
  executionProvider: ConcreteExecutionProvider;
  warnings: string[];
  timings: Timings;
}

export type ModelFamily = 'sd1' | 'sd2' | 'sdxl' | 'sdxl-refiner' | 'unknown';
export type TensorDType = 'float32' | 'float16' | 'int32' | 'int64';

export interface ComponentReport {
  name: string;
  present: boolean;
  required: boolean;
  /** model.onnx path relative to the model folder. */
  file?: string;
  /** External weights next to it (model.onnx_data / weights.pb), if any. */
  externalData?: string;
  bytes?: number;
}

export interface ModelInfo {
  dir: string;
  name: string;
  family: ModelFamily;
  pipelineClass: string;
  components: ComponentReport[];
  nativeWidth: number;
  nativeHeight: number;
  /**
   * Width and height the UNet takes are multiples of this (its total down-sampling: VAE scale factor ×
   * 2^(down blocks − 1)); other sizes are generated at the next multiple and centre-cropped.
   */
  sizeMultiple: number;
  textEncoder: {
    inputIdsType: TensorDType;
    sequenceLength: number | string;
    hiddenSize: number | string;
    outputName: string;
  };
  tokenizer: { maxLength: number; padToken: string; padTokenId: number; vocabSize: number };
  /** SDXL: text_encoder_2 (OpenCLIP bigG) and tokenizer_2; outputName is the penultimate hidden state used. */
  textEncoder2?: {
    inputIdsType: TensorDType;
    sequenceLength: number | string;
    hiddenSize: number | string;
    outputName: string;
    /** The pooled output fed to the UNet's text_embeds. */
    pooledOutputName: string;
    tokenizer: { padToken: string; padTokenId: number };
  };
  /** Defaults of this model where they differ from Stable Diffusion's (SDXL: guidance 5; SDXL-Turbo: 4 steps, no CFG), and why. */
  defaults?: { steps?: number; guidanceScale?: number; scheduler?: ConcreteSchedulerName; source: string };
  unet: {
    inChannels: number;
    latentChannels: number;
    inpainting: boolean;
    dtype: TensorDType;
    timestep: { type: TensorDType; shape: (number | string)[] };
    /** 'dynamic', or the fixed batch the export was made for. */
    batch: 'dynamic' | number;
    /** 'dynamic', or the fixed image size (pixels) the export was made for. */
    size: 'dynamic' | { width: number; height: number };
    predictionType: 'epsilon' | 'v_prediction';
    timeCondProjDim: number | null;
    /** Inputs besides sample, timestep and encoder_hidden_states (SDXL: text_embeds, time_ids; LCM: timestep_cond). */
    extraInputs?: { name: string; type: TensorDType; shape: (number | string)[] }[];
  };
  vae: {
    scalingFactor: number;
    scalingFactorSource: 'config' | 'default';
    /** Pixels per latent cell along each axis (8 for Stable Diffusion). */
    scaleFactor: number;
    encoder: 'latent_sample' | 'latent_parameters' | 'latent' | null;
    decoderDtype: TensorDType;
    /** Per-channel latents_mean / latents_std from the VAE config when it has them (diffusers AutoencoderKL). */
    latentsMean?: number[];
    latentsStd?: number[];
    /** The VAE folder when another one than the model's was swapped in (--vae, localDiffusion.vae). */
    dir?: string;
  };
  scheduler: { className: string; defaultScheduler: ConcreteSchedulerName; note?: string };
  preview: 'taesd' | 'latent-rgb';
  warnings: string[];
}

export interface LoadedModel {
  info: ModelInfo;
  executionProvider: ConcreteExecutionProvider;
  /** Why `auto` (or the asked provider) ended up on another one. */
  fallbackReason?: string;
  loadMs: number;
  /** False when the model was already loaded with these options. */
  loaded: boolean;
}

export interface HelloResult {
  protocolVersion: number;
  engineVersion: string;
  ortVersion: string;
  platform: string;
  arch: string;
  pid: number;
  /** Providers the installed onnxruntime-node binary can try on this machine. */
  executionProviders: ConcreteExecutionProvider[];
}

type Empty = Record<string, never>;

/** Methods the engine handles. */
export interface EngineMethods {
  [method: string]: { params: unknown; result: unknown; progress: unknown };
  hello: { params: { protocolVersion: number }; result: HelloResult; progress: never };
  /**
   * What the folder holds. With executionProvider and no model loaded, the model is loaded with it and kept (a
   * generate usually follows); otherwise it is inspected on the CPU and released.
   */
  info: { params: { model: ModelRef; executionProvider?: ExecutionProviderName }; result: ModelInfo; progress: never };
  loadModel: {
    params: { model: ModelRef; executionProvider?: ExecutionProviderName };
    result: LoadedModel;
    progress: Extract<GenerateProgress, { stage: 'loading' }>;
  };
  generate: { params: GenerateParams; result: GenerateResult; progress: GenerateProgress };
  /**
   * A1111's token counter: each text's tokens used and chunk capacity with the folder's tokenizer (no model load).
   * null for a text generation would refuse (an unreadable weight).
   */
  countTokens: {
    params: { model: ModelRef; texts: string[]; emphasis?: EmphasisMode };
    result: { counts: (PromptTokenCount | null)[] };
    progress: never;
  };
  /** Upscales an image with a super-resolution model in tiles, or Lanczos (imageToolMessages.ts); progress per tile. */
  upscaleImage: { params: UpscaleImageParams; result: ImageToolResult; progress: UpscaleImageProgress };
  /** Cuts an image's subject out with a background-segmentation model (imageToolMessages.ts). */
  removeBackground: { params: RemoveBackgroundParams; result: ImageToolResult; progress: never };
  unloadModel: { params: Empty; result: { unloaded: boolean }; progress: never };
  shutdown: { params: Empty; result: Empty; progress: never };
}

/** Methods the host handles (none yet: the engine only answers). */
export interface HostMethods {
  [method: string]: { params: unknown; result: unknown; progress: unknown };
}

/** Engine → host notifications. */
export interface EngineNotifications {
  [method: string]: unknown;
  log: { level: 'debug' | 'info' | 'warn' | 'error'; message: string };
}
