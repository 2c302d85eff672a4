// Background removal: the image resized to the model's input (bilinear, as RMBG-1.4's preprocess_image), normalised
// by its preset, run; the map min-max normalised to 0..1 (RMBG-1.4 postprocess_image; rembg's u2net predict does
// the same), resized back to the image (bilinear), then refined at the edges with a light guided filter on the
// image's grey (guidedFilter.ts). The result is the image with that alpha (times its own alpha, if it had one).
import sharp from 'sharp';
import type { GrayMask, RasterImage } from '../../common/image/imageTypes';
import { ErrorCode, RpcFailure, type Cancellation } from '../../common/protocol/rpc';
import { throwIfCancelled, yieldToEventLoop } from '../cancellation';
import type { BackgroundModel } from './backgroundModel';
import { guidedFilter } from './guidedFilter';
import { resizeMaskBilinear } from './resizeMaskBilinear';

/** Guided-filter radius per this many pixels of the image's longer side (at least 1): a light, size-relative edge. */
const PIXELS_PER_RADIUS = 512;
/** Guided-filter regularisation (in 0..1 units²): small, so real edges of the guide are kept. */
const GUIDED_EPS = 1e-4;
/** Float buffers (of one value per pixel) the mask and its refinement hold at once. */
const FLOAT_PLANES = 12;

export interface RemoveBackgroundOptions {
  memoryBudgetBytes: number;
  /** false: the mask as the model gives it, resized back (no guided filter). */
  refine?: boolean;
  cancellation?: Cancellation;
}

export interface RemoveBackgroundResult {
  image: RasterImage;
  mask: GrayMask;
}

/** The RGB pixels resized (bilinear) to the model's input, normalised, planar. */
async function modelInput(image: RasterImage, model: BackgroundModel): Promise<Float32Array> {
  const { width, height, preset } = model.info;
  const rgb = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .removeAlpha()
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw({ depth: 'uchar' })
    .toBuffer();
  const plane = width * height;
  let divide = 255;
  if (preset.divideBy === 'max') {
    let max = 0;
    for (const v of rgb) max = Math.max(max, v);
    divide = Math.max(max, 1e-6);
  }
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[c * plane + p] = (rgb[p * 3 + c] / divide - preset.mean[c]) / preset.std[c];
  }
  return out;
}

function minMax(data: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const range = hi - lo;
  return range > 0 ? data.map((v) => (v - lo) / range) : data.map(() => (hi > 0 ? 1 : 0));
}

export async function removeBackground(image: RasterImage, model: BackgroundModel, options: RemoveBackgroundOptions): Promise<RemoveBackgroundResult> {
  const pixels = image.width * image.height;
  const need = pixels * (FLOAT_PLANES * 4 + 4 * 2);
  if (need > options.memoryBudgetBytes) {
    throw new RpcFailure(
      ErrorCode.InvalidParams,
      `a ${image.width}×${image.height} image needs about ${Math.ceil(need / 1048576)} MiB to cut out, over the memory budget of ${Math.ceil(options.memoryBudgetBytes / 1048576)} MiB`,
    );
  }
  throwIfCancelled(options.cancellation);
  const raw = await model.run(await modelInput(image, model));
  await yieldToEventLoop();
  throwIfCancelled(options.cancellation);
  let mask = resizeMaskBilinear({ width: raw.width, height: raw.height, data: minMax(raw.data) }, image.width, image.height);
  if (options.refine !== false) {
    const grey = new Float32Array(pixels);
    for (let p = 0; p < pixels; p++) {
      const s = p * image.channels;
      grey[p] = (image.data[s] + image.data[s + 1] + image.data[s + 2]) / (3 * 255);
    }
    const radius = Math.max(1, Math.round(Math.max(image.width, image.height) / PIXELS_PER_RADIUS));
    mask = guidedFilter({ width: image.width, height: image.height, data: grey }, mask, radius, GUIDED_EPS);
  }
  const out = new Uint8Array(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const s = p * image.channels;
    out[p * 4] = image.data[s];
    out[p * 4 + 1] = image.data[s + 1];
    out[p * 4 + 2] = image.data[s + 2];
    const own = image.channels === 4 ? image.data[s + 3] / 255 : 1;
    out[p * 4 + 3] = Math.round(Math.min(1, Math.max(0, mask.data[p])) * own * 255);
  }
  return { image: { width: image.width, height: image.height, channels: 4, data: out }, mask };
}
