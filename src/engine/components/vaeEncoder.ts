// VAE encoder (diffusers AutoencoderKL.encode as exported by `scripts/convert_stable_diffusion_checkpoint_to_onnx.py` and optimum): sample [B, 3, H, W] in [-1, 1] → one of
//   latent_sample / latent: a posterior sample drawn inside the graph (diffusers script, Olive, optimum ≤ 1.22),
//   latent_parameters: mean ‖ logvar on the channel axis (optimum ≥ 1.23): we sample it ourselves.
import { floatTensor, toFloat32, type OnnxSession } from '../runtime/ort';
import { mismatch, vaeEncoderShape, type VaeEncoderOutputKind } from './componentShapes';

const COMPONENT = 'vae_encoder';

export type { VaeEncoderOutputKind } from './componentShapes';

/** What the encoder gives for one image (VAE space, not yet multiplied by the scaling factor). */
export interface LatentDistribution {
  mean: Float32Array;
  /** Per-element standard deviation (latent_parameters only); absent when the graph already sampled. */
  std?: Float32Array;
  channels: number;
  height: number;
  width: number;
}

export class VaeEncoder {
  readonly inputType: 'float32' | 'float16';
  readonly outputKind: VaeEncoderOutputKind;
  private readonly inputName: string;
  private readonly outputName: string;
  private readonly batch: number | 'dynamic';

  constructor(readonly session: OnnxSession) {
    const shape = vaeEncoderShape(session);
    this.inputName = shape.inputName;
    this.inputType = shape.inputType;
    this.outputName = shape.outputName;
    this.outputKind = shape.outputKind;
    this.batch = shape.batch;
  }

  /** Encodes one planar RGB image (3 × H × W, values in [-1, 1]). */
  async encode(rgb: Float32Array, height: number, width: number): Promise<LatentDistribution> {
    const batch = this.batch === 'dynamic' ? 1 : this.batch;
    const item = 3 * height * width;
    const input = new Float32Array(batch * item);
    for (let i = 0; i < batch; i++) input.set(rgb, i * item);
    const out = await this.session.run({ [this.inputName]: floatTensor(this.inputType, input, [batch, 3, height, width]) }, [
      this.outputName,
    ]);
    const tensor = out[this.outputName];
    const channels = Number(tensor.dims[1]);
    const h = Number(tensor.dims[2]);
    const w = Number(tensor.dims[3]);
    const data = toFloat32(tensor);
    if (this.outputKind !== 'latent_parameters') {
      return { mean: data.slice(0, channels * h * w), channels, height: h, width: w };
    }
    if (channels % 2 !== 0) throw mismatch(COMPONENT, `latent_parameters must have an even channel count (mean ‖ logvar), got ${channels}.`);
    // diffusers DiagonalGaussianDistribution: logvar clamped to [-30, 20], std = exp(0.5·logvar).
    const half = (channels / 2) * h * w;
    const mean = data.slice(0, half);
    const std = new Float32Array(half);
    for (let i = 0; i < half; i++) std[i] = Math.exp(0.5 * Math.min(20, Math.max(-30, data[half + i])));
    return { mean, std, channels: channels / 2, height: h, width: w };
  }
}
