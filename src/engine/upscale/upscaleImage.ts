// Upscales an image with a super-resolution model in tiles (planTiles.ts: Real-ESRGAN's tile_process), or with
// Lanczos when there is no model. Pre/post-processing as RealESRGANer.enhance (xinntao/Real-ESRGAN
// realesrgan/utils.py): RGB in 0..1, NCHW; output clamped to 0..1, ×255, rounded; an alpha channel is upscaled on
// its own (here Lanczos, via sharp); a requested scale other than the model's is reached by a Lanczos resize of the
// model's result (the `outscale` of inference_realesrgan.py, which uses cv2 INTER_LANCZOS4).
import sharp from 'sharp';
import type { RasterImage } from '../../common/image/imageTypes';
import type { Cancellation } from '../../common/protocol/rpc';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import { resizeImage } from '../../node/image/imageCodec';
import { throwIfCancelled, yieldToEventLoop } from '../cancellation';
import { planTiles, type TilePlan } from './planTiles';
import type { UpscaleModel } from './upscaleModel';
import { chooseTileSize, resultBytes } from './upscaleMemory';

/** Real-ESRGAN's default tile_pad (realesrgan/utils.py RealESRGANer, inference_realesrgan.py --tile_pad 10). */
export const DEFAULT_TILE_PAD = 10;

export interface UpscaleProgress {
  tile: number;
  tiles: number;
}

export interface UpscaleOptions {
  /** Output size over input size; default the model's scale (Lanczos: required). */
  scale?: number;
  /** Tile core in input pixels; default chosen from the budget. */
  tile?: number;
  /** Context around each tile in input pixels (default DEFAULT_TILE_PAD). */
  tilePad?: number;
  /** What the result image and one tile may use, in bytes. */
  memoryBudgetBytes: number;
  cancellation?: Cancellation;
  onProgress?: (progress: UpscaleProgress) => void;
}

export interface UpscaleResult {
  image: RasterImage;
  /** Tiles the model ran (0 for Lanczos). */
  tiles: number;
  tile: number | null;
  modelScale: number | null;
}

function invalid(message: string): RpcFailure {
  return new RpcFailure(ErrorCode.InvalidParams, message);
}

function targetSize(image: RasterImage, scale: number): { width: number; height: number } {
  return { width: Math.round(image.width * scale), height: Math.round(image.height * scale) };
}

/** Lanczos3 (sharp) to round(size × scale): the upscale that needs no model. */
export async function lanczosUpscale(image: RasterImage, scale: number, memoryBudgetBytes: number): Promise<RasterImage> {
  const { width, height } = targetSize(image, scale);
  if (resultBytes(width, height, image.channels) > memoryBudgetBytes) {
    throw invalid(`a ${width}×${height} result needs about ${Math.ceil(resultBytes(width, height, image.channels) / 1048576)} MiB, over the memory budget of ${Math.ceil(memoryBudgetBytes / 1048576)} MiB`);
  }
  return resizeImage(image, width, height, 'fill');
}

/** One channel (alpha) resized with Lanczos3. */
async function resizeAlpha(alpha: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Promise<Uint8Array> {
  const { data, info } = await sharp(alpha, { raw: { width, height, channels: 1 } })
    .resize(toWidth, toHeight, { fit: 'fill', kernel: 'lanczos3' })
    .extractChannel(0)
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== toWidth || info.height !== toHeight || info.channels !== 1) throw new Error(`alpha resize returned ${info.width}×${info.height}×${info.channels}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The window's pixels as planar RGB floats in 0..1 (img / 255, as RealESRGANer.pre_process). */
function windowPlanes(image: RasterImage, plan: TilePlan): Float32Array {
  const { x, y, width, height } = plan.window;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  const c = image.channels;
  for (let j = 0; j < height; j++) {
    let src = ((y + j) * image.width + x) * c;
    const row = j * width;
    for (let i = 0; i < width; i++, src += c) {
      out[row + i] = image.data[src] / 255;
      out[plane + row + i] = image.data[src + 1] / 255;
      out[2 * plane + row + i] = image.data[src + 2] / 255;
    }
  }
  return out;
}

/** Pastes the core of one upscaled window into `out` (interleaved, out.channels): clamp 0..1, ×255, round. */
function pasteCore(out: RasterImage, upscaled: Float32Array, plan: TilePlan, s: number): void {
  const ww = plan.window.width * s;
  const plane = ww * plan.window.height * s;
  const ox = (plan.core.x - plan.window.x) * s;
  const oy = (plan.core.y - plan.window.y) * s;
  const c = out.channels;
  const toByte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let j = 0; j < plan.core.height * s; j++) {
    const srcRow = (oy + j) * ww + ox;
    let dst = ((plan.core.y * s + j) * out.width + plan.core.x * s) * c;
    for (let i = 0; i < plan.core.width * s; i++, dst += c) {
      out.data[dst] = toByte(upscaled[srcRow + i]);
      out.data[dst + 1] = toByte(upscaled[plane + srcRow + i]);
      out.data[dst + 2] = toByte(upscaled[2 * plane + srcRow + i]);
    }
  }
}

export async function upscaleImage(image: RasterImage, model: UpscaleModel, options: UpscaleOptions): Promise<UpscaleResult> {
  const s = model.info.scale;
  const pad = options.tilePad ?? DEFAULT_TILE_PAD;
  const elementBytes = model.info.dtype === 'float16' ? 2 : 4;
  const fixed = model.info.fixedSize;
  let tile: number;
  if (fixed) {
    tile = Math.min(fixed.width, fixed.height) - 2 * pad;
    if (tile < 1) throw invalid(`the model takes exactly ${fixed.width}×${fixed.height} pixels: too small for ${pad} px of context on each side`);
    if (image.width < fixed.width || image.height < fixed.height) {
      throw invalid(`the model takes exactly ${fixed.width}×${fixed.height} pixels; the image is ${image.width}×${image.height}`);
    }
    if (options.tile !== undefined) tile = Math.min(tile, options.tile);
  } else if (options.tile !== undefined) {
    tile = options.tile;
    const need = resultBytes(image.width * s, image.height * s, image.channels);
    if (need > options.memoryBudgetBytes) {
      throw invalid(`a ${image.width}×${image.height} image upscaled ×${s} needs about ${Math.ceil(need / 1048576)} MiB for the result, over the memory budget of ${Math.ceil(options.memoryBudgetBytes / 1048576)} MiB`);
    }
  } else {
    try {
      tile = chooseTileSize(image.width, image.height, s, pad, elementBytes, options.memoryBudgetBytes, image.channels).tile;
    } catch (e) {
      throw invalid((e as Error).message);
    }
  }
  const plans = planTiles(image.width, image.height, { tile, pad, ...(fixed ? { fixedWindow: fixed } : {}) });
  const out: RasterImage = { width: image.width * s, height: image.height * s, channels: image.channels, data: new Uint8Array(image.width * s * image.height * s * image.channels) };
  for (let i = 0; i < plans.length; i++) {
    await yieldToEventLoop();
    throwIfCancelled(options.cancellation);
    const plan = plans[i];
    const upscaled = await model.run(windowPlanes(image, plan), plan.window.width, plan.window.height);
    pasteCore(out, upscaled, plan, s);
    options.onProgress?.({ tile: i + 1, tiles: plans.length });
  }
  throwIfCancelled(options.cancellation);
  if (image.channels === 4) {
    const alpha = new Uint8Array(image.width * image.height);
    for (let p = 0; p < alpha.length; p++) alpha[p] = image.data[p * 4 + 3];
    const big = await resizeAlpha(alpha, image.width, image.height, out.width, out.height);
    for (let p = 0; p < big.length; p++) out.data[p * 4 + 3] = big[p];
  }
  let result = out;
  const scale = options.scale ?? s;
  if (scale !== s) {
    const { width, height } = targetSize(image, scale);
    result = await resizeImage(out, width, height, 'fill');
  }
  return { image: result, tiles: plans.length, tile, modelScale: s };
}
