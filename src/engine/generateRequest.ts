// Validates a GenerateParams against the loaded model and fills in defaults, task by task. Every rejection is an
// InvalidParams error that says what is wrong and what to do. Ranges come from the one limits table
// (src/common/limits.ts), so what the panel, the editor and the CLI accept the engine accepts too.
import { OUTPAINT_DEFAULT_OVERLAP } from '../common/outpaint/outpaintOverlap';
import { LIMITS, type NumberRange } from '../common/limits';
import {
  GENERATE_TASKS,
  SCHEDULER_NAMES,
  type GenerateParams,
  type Img2ImgParams,
  type HiresFixParams,
  type InpaintParams,
  type ModelInfo,
  type OutpaintMargins,
  type OutpaintParams,
  type Txt2ImgParams,
  type SchedulerName,
} from '../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../common/protocol/rpc';
import { DEFAULT_EMPHASIS, EMPHASIS_MODES, type EmphasisMode } from '../common/prompt/emphasisMode';
import { isClipSkipValue, isEmphasisModeValue } from '../common/protocol/schemaParts';
import { parseSeed, randomSeed } from '../common/seed';
import { defaultSizeForImage as defaultSizeForGeneration, type GenerationSizeModel } from '../common/sizing/generationSize';
import { TILING_MODES, isTilingMode, type TilingMode } from '../common/tilingMode';

/** What every task's request holds once normalised. */
interface RequestBase {
  prompt: string;
  negativePrompt: string;
  /** Undefined: decided from the model (txt2img) or the init image (img2img / inpaint). */
  width?: number;
  height?: number;
  steps: number;
  guidanceScale: number;
  /** 0 … 2^64−1; image i of the batch uses seedForImage(seed, i). */
  seed: bigint;
  scheduler: SchedulerName;
  batchCount: number;
  previewEverySteps: number;
  /** A1111 "Emphasis mode"; default "Original". */
  emphasis: EmphasisMode;
  /** A1111 "Clip skip"; 1 = the last layer (default). */
  clipSkip: number;
  /** Seamless tiling's axes; undefined: off. */
  tiling?: TilingMode;
  /** A background-segmentation model that cuts each image out (post-processing); undefined: none. */
  removeBackground?: { model: string; preset?: string };
}

/** The hires fix once normalised (A1111 `modules/processing.py` StableDiffusionProcessingTxt2Img hr_* fields). */
export interface HiresFix {
  scale: number;
  strength: number;
  /** 0: the first pass's steps. */
  steps: number;
  /** A super-resolution ONNX model path; absent: Lanczos. */
  upscaler?: string;
}

export interface Txt2ImgRequest extends RequestBase {
  task: 'txt2img';
  hires?: HiresFix;
}

export interface Img2ImgRequest extends RequestBase {
  task: 'img2img';
  initImage: Uint8Array;
  strength: number;
}

export interface InpaintRequest extends RequestBase {
  task: 'inpaint';
  initImage: Uint8Array;
  mask: Uint8Array;
  strength: number;
  maskBlur: number;
  inpaintArea: 'whole' | 'masked';
  maskPadding: number;
}

export interface OutpaintRequest extends RequestBase {
  task: 'outpaint';
  initImage: Uint8Array;
  margins: OutpaintMargins;
  overlap: number;
  strength: number;
}

export type GenerateRequest = Txt2ImgRequest | Img2ImgRequest | InpaintRequest | OutpaintRequest;

export const DEFAULT_STEPS = 20;
/** diffusers' StableDiffusionPipeline default (`pipeline_stable_diffusion.py`, guidance_scale=7.5). */
export const DEFAULT_GUIDANCE = 7.5;
/** diffusers' LatentConsistencyModelPipeline defaults (`pipeline_latent_consistency_text2img.py`). */
export const LCM_DEFAULT_STEPS = 4;
export const LCM_DEFAULT_GUIDANCE = 8.5;
/** diffusers' StableDiffusionImg2ImgPipeline default strength. */
export const IMG2IMG_DEFAULT_STRENGTH = 0.75;
/** A1111's txt2img "Denoising strength" default for the hires fix (modules/ui.py, 0.7). */
export const HIRES_DEFAULT_STRENGTH = 0.7;
/** A1111's "Only masked padding, pixels" default. */
export const DEFAULT_MASK_PADDING = 32;

function invalid(message: string): RpcFailure {
  return new RpcFailure(ErrorCode.InvalidParams, message);
}

function integerIn(name: string, value: unknown, range: NumberRange): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw invalid(`${name} must be a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function numberIn(name: string, value: unknown, range: NumberRange): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < range.min || value > range.max) {
    throw invalid(`${name} must be a number from ${range.min} to ${range.max}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function bytes(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(`${name} must be bytes (Uint8Array).`);
  return value;
}

/** A side length must be a multiple of the VAE's scale factor (8 for Stable Diffusion) within LIMITS.size. */
export function checkSide(name: 'width' | 'height', value: unknown, multiple: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalid(`${name} must be a positive whole number of pixels, got ${JSON.stringify(value)}.`);
  }
  if (value % multiple !== 0) {
    const lower = Math.max(multiple, value - (value % multiple));
    throw invalid(`${name} ${value} is not a multiple of ${multiple}: use ${lower} or ${lower + multiple}.`);
  }
  if (value < LIMITS.size.min || value > LIMITS.size.max) {
    throw invalid(`${name} ${value} is outside ${LIMITS.size.min}…${LIMITS.size.max} pixels.`);
  }
  return value;
}

function seedOf(value: unknown): bigint {
  if (value === undefined) return randomSeed();
  if (typeof value !== 'string') throw invalid(`seed must be a decimal string, got ${JSON.stringify(value)}.`);
  const parsed = parseSeed(value);
  if ('error' in parsed) throw invalid(parsed.error);
  return 'random' in parsed ? randomSeed() : parsed.seed;
}

function promptOf(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(`${name} must be a string.`);
  if (value.length > LIMITS.promptLength.max) {
    throw invalid(`${name} is ${value.length} characters; at most ${LIMITS.promptLength.max} are accepted.`);
  }
  return value;
}

function normalizeBase(params: GenerateParams, info: ModelInfo): RequestBase {
  const multiple = info.vae.scaleFactor;
  const width = params.width === undefined ? undefined : checkSide('width', params.width, multiple);
  const height = params.height === undefined ? undefined : checkSide('height', params.height, multiple);
  const lcm = info.unet.timeCondProjDim !== null;
  const scheduler = params.scheduler ?? 'default';
  if (!SCHEDULER_NAMES.includes(scheduler)) {
    throw invalid(`Unknown scheduler "${String(scheduler)}": use one of ${SCHEDULER_NAMES.join(', ')}.`);
  }
  return {
    prompt: promptOf('prompt', params.prompt),
    negativePrompt: promptOf('negativePrompt', params.negativePrompt ?? ''),
    ...(width !== undefined ? { width } : {}),
    ...(height !== undefined ? { height } : {}),
    // The model's own defaults first (SDXL, SDXL-Turbo: src/engine/model/modelDefaults.ts).
    steps: integerIn('steps', params.steps ?? info.defaults?.steps ?? (lcm ? LCM_DEFAULT_STEPS : DEFAULT_STEPS), LIMITS.steps),
    guidanceScale: numberIn('guidanceScale', params.guidanceScale ?? info.defaults?.guidanceScale ?? (lcm ? LCM_DEFAULT_GUIDANCE : DEFAULT_GUIDANCE), LIMITS.guidanceScale),
    seed: seedOf(params.seed),
    scheduler,
    batchCount: integerIn('batchCount', params.batchCount ?? 1, LIMITS.batchCount),
    previewEverySteps: integerIn('previewEverySteps', params.previewEverySteps ?? 1, LIMITS.previewEverySteps),
    emphasis: emphasisOf(params.emphasis),
    clipSkip: clipSkipOf(params.clipSkip),
    ...tilingField(params.tiling),
    ...removeBackgroundField(params.removeBackground),
  };
}

function removeBackgroundField(value: unknown): { removeBackground?: { model: string; preset?: string } } {
  if (value === undefined) return {};
  const v = value as { model?: unknown; preset?: unknown };
  if (typeof value !== 'object' || value === null || typeof v.model !== 'string' || v.model.trim() === '') {
    throw invalid('removeBackground must be { model: a background-segmentation ONNX model path, preset? }.');
  }
  if (v.preset !== undefined && typeof v.preset !== 'string') throw invalid('removeBackground.preset must be a preset name.');
  return { removeBackground: { model: v.model, ...(v.preset !== undefined ? { preset: v.preset } : {}) } };
}

/** The request's tiling mode, checked (the engine reads it before loading: it decides the graphs' edits). */
export function tilingOf(value: unknown): TilingMode | undefined {
  if (value === undefined) return undefined;
  if (!isTilingMode(value)) throw invalid(`tiling must be one of ${TILING_MODES.map((m) => `"${m}"`).join(', ')}, got ${JSON.stringify(value)}.`);
  return value;
}

function tilingField(value: unknown): { tiling?: TilingMode } {
  const tiling = tilingOf(value);
  return tiling === undefined ? {} : { tiling };
}

function emphasisOf(value: unknown): EmphasisMode {
  if (value === undefined) return DEFAULT_EMPHASIS;
  if (!isEmphasisModeValue(value)) throw invalid(`emphasis must be one of ${EMPHASIS_MODES.map((m) => `"${m}"`).join(', ')}, got ${JSON.stringify(value)}.`);
  return value;
}

function clipSkipOf(value: unknown): number {
  if (value === undefined) return LIMITS.clipSkip.min;
  if (!isClipSkipValue(value)) throw invalid(`clipSkip must be a whole number from ${LIMITS.clipSkip.min} to ${LIMITS.clipSkip.max}, got ${JSON.stringify(value)}.`);
  return value;
}

function requireEncoder(info: ModelInfo): void {
  if (info.vae.encoder === null) {
    throw new RpcFailure(
      ErrorCode.ModelMismatch,
      `${info.name} has no vae_encoder/ folder: image-to-image and inpainting need the VAE encoder.`,
    );
  }
}

function normalizeImg2Img(params: Img2ImgParams, info: ModelInfo): Img2ImgRequest {
  const base = normalizeBase(params, info);
  const initImage = bytes('initImage', params.initImage);
  requireEncoder(info);
  return { task: 'img2img', ...base, initImage, strength: numberIn('strength', params.strength ?? IMG2IMG_DEFAULT_STRENGTH, LIMITS.strength) };
}

function normalizeInpaint(params: InpaintParams, info: ModelInfo): InpaintRequest {
  const base = normalizeBase(params, info);
  const initImage = bytes('initImage', params.initImage);
  const mask = bytes('mask', params.mask);
  const inpaintArea = params.inpaintArea ?? 'whole';
  if (inpaintArea !== 'whole' && inpaintArea !== 'masked') throw invalid('inpaintArea must be "whole" or "masked".');
  requireEncoder(info);
  return {
    task: 'inpaint',
    ...base,
    initImage,
    mask,
    strength: numberIn('strength', params.strength ?? 1, LIMITS.strength),
    maskBlur: numberIn('maskBlur', params.maskBlur ?? 0, LIMITS.maskBlur),
    inpaintArea,
    maskPadding: integerIn('maskPadding', params.maskPadding ?? DEFAULT_MASK_PADDING, LIMITS.maskPadding),
  };
}

/** The second pass's exact size (A1111 hr_upscale_to_x = int(width × hr_scale)). */
export function hiresTargetSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.floor(width * scale), height: Math.floor(height * scale) };
}

function normalizeHires(hires: HiresFixParams, base: RequestBase, info: ModelInfo): HiresFix {
  if (typeof hires !== 'object' || hires === null) throw invalid('hires must be an object { scale, strength?, steps?, upscaler? }.');
  const scale = numberIn('hires.scale', hires.scale, LIMITS.hiresScale);
  const strength = numberIn('hires.strength', hires.strength ?? HIRES_DEFAULT_STRENGTH, LIMITS.strength);
  const steps = integerIn('hires.steps', hires.steps ?? 0, LIMITS.hiresSteps);
  if (hires.upscaler !== undefined && (typeof hires.upscaler !== 'string' || hires.upscaler === '')) throw invalid('hires.upscaler must be a model path.');
  requireEncoder(info);
  const target = hiresTargetSize(base.width ?? info.nativeWidth, base.height ?? info.nativeHeight, scale);
  if (target.width > LIMITS.size.max || target.height > LIMITS.size.max) {
    throw invalid(`The hires fix would make ${target.width}×${target.height}, over ${LIMITS.size.max} pixels a side: lower hires.scale or the size.`);
  }
  return { scale, strength, steps, ...(hires.upscaler !== undefined ? { upscaler: hires.upscaler } : {}) };
}

function normalizeTxt2Img(params: Txt2ImgParams, info: ModelInfo): Txt2ImgRequest {
  const base = normalizeBase(params, info);
  if (params.hires === undefined) return { task: 'txt2img', ...base };
  return { task: 'txt2img', ...base, hires: normalizeHires(params.hires, base, info) };
}

function normalizeOutpaint(params: OutpaintParams, info: ModelInfo): OutpaintRequest {
  const base = normalizeBase(params, info);
  const initImage = bytes('initImage', params.initImage);
  const m = params.margins as Partial<OutpaintMargins> | undefined;
  if (typeof m !== 'object' || m === null) throw invalid('margins must be { left, top, right, bottom } in pixels.');
  const margins = {
    left: integerIn('margins.left', m.left, LIMITS.outpaintMargin),
    top: integerIn('margins.top', m.top, LIMITS.outpaintMargin),
    right: integerIn('margins.right', m.right, LIMITS.outpaintMargin),
    bottom: integerIn('margins.bottom', m.bottom, LIMITS.outpaintMargin),
  };
  if (margins.left + margins.top + margins.right + margins.bottom === 0) throw invalid('Outpainting needs a margin above 0 on at least one side.');
  requireEncoder(info);
  return {
    task: 'outpaint',
    ...base,
    initImage,
    margins,
    overlap: integerIn('overlap', params.overlap ?? OUTPAINT_DEFAULT_OVERLAP, LIMITS.outpaintOverlap),
    strength: numberIn('strength', params.strength ?? 1, LIMITS.strength),
  };
}

export function normalizeGenerateParams(params: GenerateParams, info: ModelInfo): GenerateRequest {
  if (typeof params !== 'object' || params === null) throw invalid('generate needs a parameters object.');
  switch (params.task) {
    case 'txt2img':
      return normalizeTxt2Img(params, info);
    case 'img2img':
      return normalizeImg2Img(params, info);
    case 'inpaint':
      return normalizeInpaint(params, info);
    case 'outpaint':
      return normalizeOutpaint(params, info);
    default:
      throw invalid(`task must be one of ${GENERATE_TASKS.join(', ')}, got ${describeTask(params)}.`);
  }
}

/** For a request from the wire whose task the types rule out. */
function describeTask(params: object): string {
  return 'task' in params ? JSON.stringify(params.task) : 'none';
}

/** img2img and whole-image inpaint without an asked size (src/common/sizing/generationSize.ts, shared with the editors). */
export function defaultSizeForImage(imageWidth: number, imageHeight: number, info: ModelInfo): { width: number; height: number } {
  return defaultSizeForGeneration(imageWidth, imageHeight, generationSizeModel(info));
}

/** The sizing facts of a model, as the shared sizing functions take them. */
export function generationSizeModel(info: ModelInfo): GenerationSizeModel {
  return {
    nativeWidth: info.nativeWidth,
    nativeHeight: info.nativeHeight,
    vaeScaleFactor: info.vae.scaleFactor,
    sizeMultiple: info.sizeMultiple,
    ...(info.unet.size !== 'dynamic' ? { fixedSize: info.unet.size } : {}),
  };
}
