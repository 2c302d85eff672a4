// Per-step previews of predOriginalSample (ComfyUI `latent_preview.py` Latent2RGBPreviewer / TAESDPreviewerImpl). A TAESD decoder when the model folder has one
// (taesd_decoder/model.onnx: an AutoencoderTiny decoder export, UNet-space latents in, [-1, 1] RGB out),
// otherwise the latent→RGB linear approximation, whose factors come from vae_decoder/config.json
// (`latent_rgb_factors`, `latent_rgb_bias`) when present, else the published table for the model family.
import type { PreviewImage } from '../../common/protocol/engineProtocol';
import { latentToRgba } from '../image/latentPreview';
import type { LatentRgbFactors } from '../image/latentPreview';
import { VaeDecoder } from './vaeDecoder';

export class PreviewDecoder {
  private constructor(
    readonly kind: 'taesd' | 'latent-rgb',
    private readonly factors: LatentRgbFactors | undefined,
    private readonly taesd: VaeDecoder | undefined,
  ) {}

  static linear(factors: LatentRgbFactors): PreviewDecoder {
    return new PreviewDecoder('latent-rgb', factors, undefined);
  }

  static taesd(decoder: VaeDecoder): PreviewDecoder {
    return new PreviewDecoder('taesd', undefined, decoder);
  }

  /** One image's UNet-space latents (channels × h × w) → an RGBA preview. */
  async render(latents: Float32Array, channels: number, height: number, width: number): Promise<PreviewImage> {
    if (this.taesd) {
      const { rgb, height: h, width: w } = await this.taesd.decode(latents, channels, height, width);
      // Previews travel to the webview at every step: at most PREVIEW_MAX_SIDE pixels on the long side.
      return planarToRgba(rgb, h, w, Math.max(1, Math.ceil(Math.max(h, w) / PREVIEW_MAX_SIDE)));
    }
    return latentToRgba(latents, channels, height, width, this.factors as LatentRgbFactors);
  }
}

/** Longest side of a TAESD preview; larger decodes are box-averaged down by an integer factor. */
export const PREVIEW_MAX_SIDE = 256;

/**
 * Planar RGB in [-1, 1] → RGBA bytes (clamped, rounded half to even by the Uint8ClampedArray store), box-averaged
 * over factor × factor pixels.
 */
export function planarToRgba(rgb: Float32Array, height: number, width: number, factor = 1): PreviewImage {
  const n = height * width;
  const outW = Math.floor(width / factor);
  const outH = Math.floor(height / factor);
  const rgba = new Uint8ClampedArray(outW * outH * 4);
  const scale = 127.5 / (factor * factor);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const o = (y * outW + x) * 4;
      for (let c = 0; c < 3; c++) {
        const plane = c * n;
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          const row = plane + (y * factor + dy) * width + x * factor;
          for (let dx = 0; dx < factor; dx++) sum += rgb[row + dx];
        }
        rgba[o + c] = sum * scale + 127.5;
      }
      rgba[o + 3] = 255;
    }
  }
  return { width: outW, height: outH, rgba: new Uint8Array(rgba.buffer) };
}
