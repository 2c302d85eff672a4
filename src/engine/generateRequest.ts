// Validates a GenerateParams against the loaded model and fills in defaults. Every rejection is an
// InvalidParams error that says what is wrong and what to do.
import * as crypto from 'node:crypto';
import {
  SCHEDULER_NAMES,
  type GenerateParams,
  type ModelInfo,
  type SchedulerName,
} from '../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../common/protocol/rpc';

export type GenerateTask = 'txt2img' | 'img2img' | 'inpaint';

export interface GenerateRequest {
  task: GenerateTask;
  prompt: string;
  negativePrompt: string;
  /** Undefined: decided from the model (txt2img) or the init image (img2img / inpaint). */
  width?: number;
  height?: number;
  steps: number;
  guidanceScale: number;
  seed: number;
  scheduler: SchedulerName;
  batchCount: number;
  strength: number;
  initImage?: Uint8Array;
  mask?: Uint8Array;
  maskBlur: number;
  inpaintArea: 'whole' | 'masked';
  maskPadding: number;
  previewEverySteps: number;
}

export const MAX_SEED = 2 ** 32 - 1;
export const MAX_BATCH = 64;
export const MAX_SIDE = 4096;
export const DEFAULT_STEPS = 20;
/** diffusers' StableDiffusionPipeline default. */
export const DEFAULT_GUIDANCE = 7.5;
/** diffusers' LatentConsistencyModelPipeline defaults (facts.md §1.4). */
export const LCM_DEFAULT_STEPS = 4;
export const LCM_DEFAULT_GUIDANCE = 8.5;

function invalid(message: string): RpcFailure {
  return new RpcFailure(ErrorCode.InvalidParams, message);
}

function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function numberIn(name: string, value: unknown, min: number, max: number, minExclusive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value > max || (minExclusive ? value <= min : value < min)) {
    throw invalid(`${name} must be a number ${minExclusive ? 'above' : 'from'} ${min}${Number.isFinite(max) ? ` to ${max}` : ''}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** A side length must be a positive multiple of the VAE's scale factor (8 for Stable Diffusion). */
export function checkSide(name: 'width' | 'height', value: unknown, multiple: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalid(`${name} must be a positive whole number of pixels, got ${JSON.stringify(value)}.`);
  }
  if (value % multiple !== 0) {
    const lower = Math.max(multiple, value - (value % multiple));
    throw invalid(`${name} ${value} is not a multiple of ${multiple}: use ${lower} or ${lower + multiple}.`);
  }
  if (value > MAX_SIDE) throw invalid(`${name} ${value} is larger than ${MAX_SIDE} pixels.`);
  return value;
}

export function normalizeGenerateParams(params: GenerateParams, info: ModelInfo): GenerateRequest {
  if (typeof params !== 'object' || params === null) throw invalid('generate needs a parameters object.');
  if (typeof params.prompt !== 'string') throw invalid('prompt must be a string.');
  const negativePrompt = params.negativePrompt ?? '';
  if (typeof negativePrompt !== 'string') throw invalid('negativePrompt must be a string.');
  const multiple = info.vae.scaleFactor;
  const width = params.width === undefined ? undefined : checkSide('width', params.width, multiple);
  const height = params.height === undefined ? undefined : checkSide('height', params.height, multiple);
  const lcm = info.unet.timeCondProjDim !== null;
  const steps = integerIn('steps', params.steps ?? (lcm ? LCM_DEFAULT_STEPS : DEFAULT_STEPS), 1, 1000);
  const guidanceScale = numberIn('guidanceScale', params.guidanceScale ?? (lcm ? LCM_DEFAULT_GUIDANCE : DEFAULT_GUIDANCE), 0, 100);
  const seed = params.seed === undefined ? crypto.randomInt(0, MAX_SEED) : integerIn('seed', params.seed, 0, MAX_SEED);
  const scheduler = params.scheduler ?? 'default';
  if (!SCHEDULER_NAMES.includes(scheduler)) {
    throw invalid(`Unknown scheduler "${String(scheduler)}": use one of ${SCHEDULER_NAMES.join(', ')}.`);
  }
  const batchCount = integerIn('batchCount', params.batchCount ?? 1, 1, MAX_BATCH);
  if (params.mask !== undefined && params.initImage === undefined) {
    throw invalid('A mask needs an image to inpaint: give initImage too.');
  }
  if (params.initImage !== undefined && !(params.initImage instanceof Uint8Array)) throw invalid('initImage must be bytes (Uint8Array).');
  if (params.mask !== undefined && !(params.mask instanceof Uint8Array)) throw invalid('mask must be bytes (Uint8Array).');
  const task: GenerateTask = params.mask ? 'inpaint' : params.initImage ? 'img2img' : 'txt2img';
  const strength =
    task === 'txt2img' ? 1 : numberIn('strength', params.strength ?? (task === 'inpaint' ? 1 : 0.75), 0, 1, true);
  const maskBlur = numberIn('maskBlur', params.maskBlur ?? 0, 0, 256);
  const inpaintArea = params.inpaintArea ?? 'whole';
  if (inpaintArea !== 'whole' && inpaintArea !== 'masked') throw invalid(`inpaintArea must be "whole" or "masked".`);
  const maskPadding = integerIn('maskPadding', params.maskPadding ?? 32, 0, MAX_SIDE);
  const previewEverySteps = integerIn('previewEverySteps', params.previewEverySteps ?? 1, 0, 1000);
  if (task !== 'txt2img' && info.vae.encoder === null) {
    throw new RpcFailure(
      ErrorCode.ModelMismatch,
      `${info.name} has no vae_encoder/ folder: image-to-image and inpainting need the VAE encoder.`,
    );
  }
  return {
    task,
    prompt: params.prompt,
    negativePrompt,
    ...(width !== undefined ? { width } : {}),
    ...(height !== undefined ? { height } : {}),
    steps,
    guidanceScale,
    seed,
    scheduler,
    batchCount,
    strength,
    ...(params.initImage ? { initImage: params.initImage } : {}),
    ...(params.mask ? { mask: params.mask } : {}),
    maskBlur,
    inpaintArea,
    maskPadding,
    previewEverySteps,
  };
}

/**
 * The generation size for an image-to-image or inpaint job when none is given: the image's own size when
 * it is a multiple of the scale factor and not far above the model's native area, else the image's aspect
 * ratio at about the native area, rounded to multiples of the scale factor.
 */
export function defaultSizeForImage(imageWidth: number, imageHeight: number, info: ModelInfo): { width: number; height: number } {
  if (info.unet.size !== 'dynamic') return info.unet.size;
  const m = info.vae.scaleFactor;
  const nativeArea = info.nativeWidth * info.nativeHeight;
  if (imageWidth % m === 0 && imageHeight % m === 0 && imageWidth * imageHeight <= nativeArea * 1.5) {
    return { width: imageWidth, height: imageHeight };
  }
  const scale = Math.min(1, Math.sqrt(nativeArea / (imageWidth * imageHeight)));
  const round = (v: number): number => Math.max(m, Math.round((v * scale) / m) * m);
  return { width: round(imageWidth), height: round(imageHeight) };
}
