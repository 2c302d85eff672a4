// The image tools behind the extension's Explorer menus, as engine requests (imageToolMessages.ts): Upscale Image…
// (a super-resolution model in tiles, or Lanczos) and Remove Background (a segmentation model's alpha). The same
// code as `local-diffusion upscale` / `remove-background` (src/engine/upscale/, src/engine/background/); the model
// is loaded for the request and released after it.
import * as path from 'node:path';
import type { RasterImage } from '../common/image/imageTypes';
import type { ImageToolResult, RemoveBackgroundParams, UpscaleImageParams, UpscaleImageProgress } from '../common/protocol/imageToolMessages';
import { ErrorCode, RpcFailure, type Cancellation } from '../common/protocol/rpc';
import { decodeImage, encodeImage, type ImageFormat } from '../node/image/imageCodec';
import { BackgroundModel } from './background/backgroundModel';
import { removeBackground } from './background/removeBackground';
import { throwIfCancelled } from './cancellation';
import { planProviders } from './runtime/executionProviders';
import { installedProviders } from './runtime/ort';
import { lanczosUpscale, upscaleImage } from './upscale/upscaleImage';
import { defaultMemoryBudgetBytes } from './upscale/upscaleMemory';
import { UpscaleModel } from './upscale/upscaleModel';

/** Lanczos's scale when none is given (the CLI's default too). */
export const DEFAULT_LANCZOS_SCALE = 2;

export interface ImageToolOptions<Progress> {
  onProgress?: (progress: Progress) => void;
  cancellation?: Cancellation;
}

function invalid(message: string): RpcFailure {
  return new RpcFailure(ErrorCode.InvalidParams, message);
}

async function decoded(bytes: Uint8Array): Promise<RasterImage> {
  try {
    return await decodeImage(bytes);
  } catch (e) {
    throw invalid(`The image cannot be read: ${(e as Error).message.split('\n')[0]}`);
  }
}

async function encoded(image: RasterImage, format: ImageFormat): Promise<Uint8Array> {
  if (format === 'jpeg' && image.channels === 4) throw invalid('JPEG cannot hold transparency: write PNG or WebP.');
  return encodeImage(image, format, format === 'webp' ? { lossless: true } : {});
}

function firstProvider(params: { executionProvider?: UpscaleImageParams['executionProvider'] }) {
  return planProviders(params.executionProvider ?? 'auto', installedProviders()).candidates[0];
}

/** The model's name for descriptions: the folder for a folder with model.onnx, else the file. */
function modelName(given: string, file: string): string {
  return path.basename(path.resolve(file) === path.resolve(given, 'model.onnx') ? given : file);
}

export async function upscaleImageJob(params: UpscaleImageParams, options: ImageToolOptions<UpscaleImageProgress> = {}): Promise<ImageToolResult> {
  const image = await decoded(params.image);
  if (params.format === 'jpeg' && image.channels === 4) throw invalid('JPEG cannot hold transparency: write PNG or WebP.');
  const memoryBudgetBytes = defaultMemoryBudgetBytes();
  if (params.model === undefined) {
    const scale = params.scale ?? DEFAULT_LANCZOS_SCALE;
    const result = await lanczosUpscale(image, scale, memoryBudgetBytes);
    throwIfCancelled(options.cancellation);
    return { image: await encoded(result, params.format), width: result.width, height: result.height, scale, description: `Lanczos ×${scale}` };
  }
  const model = await UpscaleModel.load(params.model, firstProvider(params));
  try {
    const scale = params.scale ?? model.info.scale;
    const upscaled = await upscaleImage(image, model, {
      scale,
      memoryBudgetBytes,
      ...(params.tile !== undefined ? { tile: params.tile } : {}),
      ...(options.cancellation ? { cancellation: options.cancellation } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const then = scale !== upscaled.modelScale ? ` then Lanczos to ×${scale}` : '';
    const tiles = `${upscaled.tiles} tile${upscaled.tiles === 1 ? '' : 's'} of ${upscaled.tile} px`;
    return {
      image: await encoded(upscaled.image, params.format),
      width: upscaled.image.width,
      height: upscaled.image.height,
      scale,
      description: `${modelName(params.model, model.info.file)} ×${upscaled.modelScale}${then}, ${tiles}, ${model.info.dtype}, ${model.info.provider}`,
    };
  } finally {
    await model.dispose();
  }
}

export async function removeBackgroundJob(params: RemoveBackgroundParams, options: ImageToolOptions<never> = {}): Promise<ImageToolResult> {
  const image = await decoded(params.image);
  const model = await BackgroundModel.load(params.model, firstProvider(params), params.preset);
  try {
    const result = await removeBackground(image, model, {
      memoryBudgetBytes: defaultMemoryBudgetBytes(),
      refine: params.refine ?? true,
      ...(options.cancellation ? { cancellation: options.cancellation } : {}),
    });
    const info = model.info;
    return {
      image: await encoded(result.image, params.format),
      width: result.image.width,
      height: result.image.height,
      description: `${modelName(params.model, info.file)} at ${info.width}×${info.height}, preset ${info.preset.name}, ${info.dtype}, ${info.provider}`,
    };
  } finally {
    await model.dispose();
  }
}
