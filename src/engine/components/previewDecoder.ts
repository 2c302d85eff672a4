// Per-step previews of predOriginalSample (facts.md §6). A TAESD decoder when the model folder has one
// (taesd_decoder/model.onnx: an AutoencoderTiny decoder export, UNet-space latents in, [-1, 1] RGB out),
// otherwise the latent→RGB linear approximation, whose factors come from vae_decoder/config.json
// (`latent_rgb_factors`, `latent_rgb_bias`) when present, else the published table for the model family.
import type { PreviewImage } from '../../protocol/engineProtocol';
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
      return planarToRgba(rgb, h, w);
    }
    return latentToRgba(latents, channels, height, width, this.factors as LatentRgbFactors);
  }
}

/** Planar RGB in [-1, 1] → RGBA bytes, as diffusers' image post-processing rounds. */
export function planarToRgba(rgb: Float32Array, height: number, width: number): PreviewImage {
  const n = height * width;
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = rgb[c * n + i] / 2 + 0.5;
      rgba[i * 4 + c] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
    }
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
