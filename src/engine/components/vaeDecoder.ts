// VAE decoder (diffusers AutoencoderKL.decode as exported by `scripts/convert_stable_diffusion_checkpoint_to_onnx.py`): latent_sample [B, 4, h, w] (VAE space: UNet latents / scaling_factor)
// → sample [B, 3, 8h, 8w] in about [-1, 1]. Decoded one image at a time, as diffusers' ONNX pipelines do.
import { floatTensor, toFloat32, type OnnxSession } from '../runtime/ort';
import { mismatch, vaeDecoderShape, type Dim } from './componentShapes';

export class VaeDecoder {
  readonly inputType: 'float32' | 'float16';
  readonly latentChannels: Dim;
  readonly latentHeight: Dim;
  readonly latentWidth: Dim;
  private readonly inputName: string;
  private readonly outputName: string;
  private readonly batch: Dim;

  constructor(
    readonly session: OnnxSession,
    private readonly component = 'vae_decoder',
  ) {
    const shape = vaeDecoderShape(session, component);
    this.inputName = shape.inputName;
    this.inputType = shape.inputType;
    this.outputName = shape.outputName;
    this.batch = shape.batch;
    this.latentChannels = shape.latentChannels;
    this.latentHeight = shape.latentHeight;
    this.latentWidth = shape.latentWidth;
  }

  /** Decodes one image's latents (channels × h × w) to planar RGB (3 × H × W) and its size. */
  async decode(latents: Float32Array, channels: number, height: number, width: number): Promise<{ rgb: Float32Array; height: number; width: number }> {
    const batch = this.batch === 'dynamic' ? 1 : this.batch;
    if (batch < 1) throw mismatch(this.component, `unexpected batch size ${batch}.`);
    const item = channels * height * width;
    const input = new Float32Array(batch * item);
    for (let i = 0; i < batch; i++) input.set(latents.subarray(0, item), i * item);
    const out = await this.session.run({ [this.inputName]: floatTensor(this.inputType, input, [batch, channels, height, width]) }, [
      this.outputName,
    ]);
    const tensor = out[this.outputName];
    const outHeight = Number(tensor.dims[2]);
    const outWidth = Number(tensor.dims[3]);
    if (Number(tensor.dims[1]) !== 3) throw mismatch(this.component, `expected 3 output channels, got ${tensor.dims[1]}.`);
    return { rgb: toFloat32(tensor).subarray(0, 3 * outHeight * outWidth), height: outHeight, width: outWidth };
  }
}
