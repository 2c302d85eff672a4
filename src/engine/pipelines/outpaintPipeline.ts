// Outpainting as inpainting on an extended canvas (the approach of A1111's "Outpainting mk2" / "Poor man's
// outpainting" scripts, AUTOMATIC1111 `scripts/poor_mans_outpainting.py`: enlarge the canvas, fill the new border,
// mask it plus an overlap into the original, inpaint). The new border starts from the original's edge pixels
// repeated outwards and then blurred (a box blur over the border only, so that the model is not handed hard streaks);
// the mask is 255 on the border and falls linearly to 0 across `overlap` pixels into the original, so the seam
// blends. The inpaint pipeline keeps every pixel where the mask is 0 (the original away from the overlap)
// bit-identical.
import type { RasterImage } from '../../common/image/imageTypes';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import { LIMITS } from '../../common/limits';
import type { OutpaintMargins } from '../../common/protocol/engineProtocol';
import type { InpaintRequest, OutpaintRequest } from '../generateRequest';
import { encodeImage } from '../../node/image/imageCodec';
import { decodeInput } from './img2imgPipeline';
import { InpaintPipeline } from './inpaintPipeline';
import type { Pipeline, PipelineJob, PipelineOutput } from './pipeline';

/** Box-blur radius of the filled border, in pixels. */
const FILL_BLUR_RADIUS = 8;

/** The canvas and the soft mask of an outpainting job. */
export interface OutpaintCanvas {
  image: RasterImage;
  /** One byte per pixel: 255 = repaint, 0 = keep. */
  mask: { width: number; height: number; data: Uint8Array };
}

/** The canvas size, failing with a clear error when it leaves LIMITS.size. */
export function outpaintSize(width: number, height: number, m: OutpaintMargins): { width: number; height: number } {
  const size = { width: width + m.left + m.right, height: height + m.top + m.bottom };
  if (size.width > LIMITS.size.max || size.height > LIMITS.size.max) {
    throw new RpcFailure(
      ErrorCode.InvalidParams,
      `Outpainting ${width}×${height} by these margins makes ${size.width}×${size.height}, over ${LIMITS.size.max} pixels a side: use smaller margins.`,
    );
  }
  return size;
}

/** The extended canvas (edge-extended, border blurred) and its mask (border 255, linear feather `overlap` px inside). */
export function outpaintCanvas(original: RasterImage, m: OutpaintMargins, overlap: number): OutpaintCanvas {
  const { width, height } = outpaintSize(original.width, original.height, m);
  const { channels } = original;
  const data = new Uint8Array(width * height * channels);
  const inside = (x: number, y: number): boolean => x >= m.left && x < m.left + original.width && y >= m.top && y < m.top + original.height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(original.height - 1, Math.max(0, y - m.top));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(original.width - 1, Math.max(0, x - m.left));
      const from = (sy * original.width + sx) * channels;
      const to = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) data[to + c] = original.data[from + c];
      if (channels === 4 && !inside(x, y)) data[to + 3] = 255; // the new area is opaque
    }
  }
  const image: RasterImage = { width, height, channels, data };
  blurBorder(image, inside);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside(x, y)) {
        mask[y * width + x] = 255;
        continue;
      }
      // Distance into the original from each side that grew; only grown sides feather.
      const ox = x - m.left;
      const oy = y - m.top;
      let d = Infinity;
      if (m.left > 0) d = Math.min(d, ox);
      if (m.top > 0) d = Math.min(d, oy);
      if (m.right > 0) d = Math.min(d, original.width - 1 - ox);
      if (m.bottom > 0) d = Math.min(d, original.height - 1 - oy);
      if (d < overlap) mask[y * width + x] = Math.round((255 * (overlap - d)) / (overlap + 1));
    }
  }
  return { image, mask: { width, height, data: mask } };
}

/** A separable box blur (radius FILL_BLUR_RADIUS) written back only outside the original. */
function blurBorder(image: RasterImage, inside: (x: number, y: number) => boolean): void {
  const { width, height, channels, data } = image;
  const r = FILL_BLUR_RADIUS;
  const pass = (src: Uint8Array, horizontal: boolean): Uint8Array => {
    const out = new Uint8Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let k = -r; k <= r; k++) {
            const xx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x;
            const yy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k));
            sum += src[(yy * width + xx) * channels + c];
          }
          out[(y * width + x) * channels + c] = Math.round(sum / (2 * r + 1));
        }
      }
    }
    return out;
  };
  const blurred = pass(pass(data, true), false);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (inside(x, y)) continue;
      const i = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) data[i + c] = blurred[i + c];
    }
  }
}

export class OutpaintPipeline implements Pipeline<OutpaintRequest> {
  readonly task = 'outpaint';
  private readonly inpaint = new InpaintPipeline();

  async call(request: OutpaintRequest, job: PipelineJob): Promise<PipelineOutput> {
    job.emit({ stage: 'encodingImage' });
    const original = await decodeInput(request.initImage, 'init image');
    const canvas = outpaintCanvas(original, request.margins, request.overlap);
    const { width, height, data } = canvas.mask;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) rgb.fill(data[i], i * 3, i * 3 + 3);
    const maskRaster: RasterImage = { width, height, channels: 3, data: rgb };
    const { initImage: _initImage, margins: _margins, overlap: _overlap, ...rest } = request;
    const inpaint: InpaintRequest = {
      ...rest,
      task: 'inpaint',
      initImage: await encodeImage(canvas.image, 'png'),
      mask: await encodeImage(maskRaster, 'png'),
      maskBlur: 0,
      inpaintArea: 'whole',
      maskPadding: 0,
    };
    return this.inpaint.call(inpaint, job);
  }
}
