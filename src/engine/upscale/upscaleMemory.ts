// How much memory a tiled upscale needs, to choose a tile size from a budget and to refuse an image whose result
// cannot fit. The network's activations are not in the graph's signature, so they are estimated from the
// Real-ESRGAN architectures: RRDBNet (basicsr/archs/rrdbnet_arch.py, RealESRGAN_x4plus / x2plus) and
// SRVGGNetCompact (realesrgan/archs/srvgg_arch.py, realesr-general-x4v3) both carry num_feat = 64 feature maps;
// RRDB's dense block keeps its input and four grown feature maps alive at once (ResidualDenseBlock.forward), and
// the last stages run at the output size.
import * as os from 'node:os';
import { LIMITS } from '../../common/limits';

/** Share of the machine's memory an upscale or a background removal may take by default. */
const DEFAULT_MEMORY_SHARE = 0.25;

/** The default memory budget of the image tools (the CLI's --memory-mb, the extension's menus). */
export function defaultMemoryBudgetBytes(): number {
  return Math.floor(os.totalmem() * DEFAULT_MEMORY_SHARE);
}

/** num_feat of RRDBNet and SRVGGNetCompact in Real-ESRGAN's released models. */
const FEATURE_MAPS = 64;
/** Feature maps alive at once at the input size (RRDB's dense block: x, x1 … x4). */
const LIVE_AT_INPUT = 5;
/** Bytes of the 8-bit raster per pixel and channel, held once for the result and once more by the encoder. */
const RASTER_COPIES = 2;

/** Estimated bytes one window of `pixels` input pixels needs inside the model, at `elementBytes` per value. */
export function windowBytes(pixels: number, scale: number, elementBytes: number): number {
  return pixels * elementBytes * FEATURE_MAPS * (LIVE_AT_INPUT + scale * scale);
}

/** Bytes of the result image (8-bit, `channels` per pixel) as the command holds and encodes it. */
export function resultBytes(width: number, height: number, channels: number): number {
  return width * height * channels * RASTER_COPIES;
}

export interface TileChoice {
  tile: number;
  /** Whether the whole image is one tile. */
  whole: boolean;
}

/**
 * The largest tile (a multiple of 32 px, Real-ESRGAN's tile sizes in its README are multiples of that) whose window,
 * context included, fits what the budget leaves after the result image; the whole image when it fits at once.
 * Throws when even the smallest tile cannot fit.
 */
export function chooseTileSize(width: number, height: number, scale: number, pad: number, elementBytes: number, budgetBytes: number, channels: number): TileChoice {
  const left = budgetBytes - resultBytes(width * scale, height * scale, channels);
  if (windowBytes(width * height, scale, elementBytes) <= left) return { tile: Math.max(width, height), whole: true };
  const perPixel = windowBytes(1, scale, elementBytes);
  const side = Math.floor(Math.sqrt(Math.max(0, left) / perPixel)) - 2 * pad;
  const step = LIMITS.upscaleTile.min;
  const tile = Math.floor(side / step) * step;
  if (tile < LIMITS.upscaleTile.min) {
    const mib = (n: number): string => `${Math.ceil(n / 1048576)} MiB`;
    const need = resultBytes(width * scale, height * scale, channels) + windowBytes((step + 2 * pad) ** 2, scale, elementBytes);
    throw new Error(
      `a ${width}×${height} image upscaled ×${scale} needs about ${mib(need)}, over the memory budget of ${mib(budgetBytes)} (raise --memory-mb, or use a smaller image)`,
    );
  }
  return { tile: Math.min(tile, Math.max(width, height)), whole: false };
}
