// The denoising UNet (facts.md §1.4): sample [B, C, h, w] (C = 4, or 9 for inpainting UNets),
// timestep (int64 / float32 / float16; shape [], [1] or [batch]), encoder_hidden_states [B, 77, D],
// optional timestep_cond (LCM) → out_sample [B, 4, h, w]. Everything is read from the graph's metadata.
import { floatTensor, numberTensor, toFloat32, type OnnxSession, type OrtTensor, type TensorSpec } from '../runtime/ort';
import { dimOf, mismatch, requireFloat, requireInput, requireOutput, runInBatches, type Dim } from './componentShapes';

const COMPONENT = 'unet';

export interface UnetInput {
  /** batch × inChannels × height × width (latent cells). */
  sample: Float32Array;
  batch: number;
  height: number;
  width: number;
  timestep: number;
  /** batch × sequenceLength × hiddenSize. */
  encoderHiddenStates: Float32Array;
  sequenceLength: number;
  hiddenSize: number;
  /** LCM guidance embedding (timeCondProjDim values), the same for every batch item. */
  timestepCond?: Float32Array;
}

export class Unet {
  readonly inChannels: number;
  readonly latentChannels: number;
  readonly sampleType: 'float32' | 'float16';
  readonly hiddenType: 'float32' | 'float16';
  readonly timestepSpec: TensorSpec;
  readonly batch: Dim;
  readonly latentHeight: Dim;
  readonly latentWidth: Dim;
  readonly timeCondProjDim: number | null;
  readonly outputName: string;
  private readonly sampleName: string;
  private readonly hiddenName: string;
  private readonly timestepCondSpec: TensorSpec | undefined;

  /**
   * @param pipelineClass model_index.json's _class_name: the last resort for the channel count when neither
   * the graph (symbolic dims, as the diffusers convert script exports) nor a config.json says it.
   */
  constructor(
    readonly session: OnnxSession,
    config: Record<string, unknown> | null,
    pipelineClass = '',
  ) {
    const sample = requireInput(COMPONENT, session.inputs, ['sample']);
    if (sample.shape.length !== 4) throw mismatch(COMPONENT, `"sample" must be [batch, channels, height, width], got [${sample.shape.join(', ')}].`);
    this.sampleName = sample.name;
    this.sampleType = requireFloat(COMPONENT, sample);
    this.timestepSpec = requireInput(COMPONENT, session.inputs, ['timestep']);
    if (!['int64', 'int32', 'float32', 'float16'].includes(this.timestepSpec.type)) {
      throw mismatch(COMPONENT, `"timestep" must be int64, float32 or float16, the graph declares ${this.timestepSpec.type}.`);
    }
    if (this.timestepSpec.shape.length > 1) {
      throw mismatch(COMPONENT, `"timestep" must be a scalar or 1-D, got [${this.timestepSpec.shape.join(', ')}].`);
    }
    const hidden = requireInput(COMPONENT, session.inputs, ['encoder_hidden_states']);
    this.hiddenName = hidden.name;
    this.hiddenType = requireFloat(COMPONENT, hidden);
    const extra = session.inputs.filter((i) => i.name === 'text_embeds' || i.name === 'time_ids');
    if (extra.length > 0) {
      throw mismatch(COMPONENT, 'this is an SDXL UNet (text_embeds/time_ids inputs); SDXL is not supported yet.');
    }
    this.timestepCondSpec = session.inputs.find((i) => i.name === 'timestep_cond');
    const condDim = this.timestepCondSpec ? dimOf(this.timestepCondSpec, 1) : 'dynamic';
    const configCondDim = typeof config?.time_cond_proj_dim === 'number' ? config.time_cond_proj_dim : null;
    this.timeCondProjDim = this.timestepCondSpec ? (condDim === 'dynamic' ? configCondDim : condDim) : null;
    if (this.timestepCondSpec && this.timeCondProjDim === null) {
      throw mismatch(COMPONENT, '"timestep_cond" has no fixed size and unet/config.json has no time_cond_proj_dim.');
    }
    const output = requireOutput(COMPONENT, session.outputs, ['out_sample', 'latent']);
    this.outputName = output.name;

    const channels = dimOf(sample, 1);
    const configChannels = typeof config?.in_channels === 'number' ? config.in_channels : null;
    // diffusers' OnnxStableDiffusionInpaintPipeline is the 9-channel one (NUM_UNET_INPUT_CHANNELS); the Legacy
    // inpaint pipeline and every other class use a 4-channel UNet.
    const classChannels = /Inpaint(?!.*Legacy)/.test(pipelineClass) ? 9 : 4;
    const inChannels = channels !== 'dynamic' ? channels : (configChannels ?? classChannels);
    if (inChannels !== 4 && inChannels !== 9) {
      throw mismatch(COMPONENT, `expected 4 input channels (text-to-image) or 9 (inpainting), the graph takes ${inChannels}.`);
    }
    this.inChannels = inChannels;
    const outChannels = dimOf(output, 1);
    this.latentChannels = outChannels === 'dynamic' ? (inChannels === 9 ? 4 : inChannels) : outChannels;
    if (inChannels === 9 && this.latentChannels * 2 + 1 !== 9) {
      throw mismatch(COMPONENT, `a 9-channel inpainting UNet must output 4 channels, this one outputs ${this.latentChannels}.`);
    }
    this.batch = dimOf(sample, 0);
    this.latentHeight = dimOf(sample, 2);
    this.latentWidth = dimOf(sample, 3);
  }

  /** Largest batch one run takes: 2 for classifier-free guidance in one pass needs a dynamic or ≥ 2 batch. */
  get maxBatch(): number {
    return this.batch === 'dynamic' ? Number.POSITIVE_INFINITY : this.batch;
  }

  private timestepTensor(value: number, batch: number): OrtTensor {
    const { shape, type } = this.timestepSpec;
    if (shape.length === 0) return numberTensor(type, value, []);
    const d = shape[0];
    return numberTensor(type, value, [typeof d === 'number' && d > 0 ? d : batch]);
  }

  async predict(input: UnetInput): Promise<Float32Array> {
    const { batch, height, width, sequenceLength, hiddenSize } = input;
    const sampleSize = this.inChannels * height * width;
    const hiddenItem = sequenceLength * hiddenSize;
    const outItem = this.latentChannels * height * width;
    return runInBatches(batch, this.batch, outItem, async (start, count, padded) => {
      // The whole batch in one run (the usual case): feed the caller's arrays without copying.
      const whole = start === 0 && count === batch && padded === batch;
      const sample = whole ? input.sample : new Float32Array(padded * sampleSize);
      const hidden = whole ? input.encoderHiddenStates : new Float32Array(padded * hiddenItem);
      for (let i = 0; !whole && i < padded; i++) {
        const src = start + Math.min(i, count - 1);
        sample.set(input.sample.subarray(src * sampleSize, (src + 1) * sampleSize), i * sampleSize);
        hidden.set(input.encoderHiddenStates.subarray(src * hiddenItem, (src + 1) * hiddenItem), i * hiddenItem);
      }
      const feeds: Record<string, OrtTensor> = {
        [this.sampleName]: floatTensor(this.sampleType, sample, [padded, this.inChannels, height, width]),
        [this.timestepSpec.name]: this.timestepTensor(input.timestep, padded),
        [this.hiddenName]: floatTensor(this.hiddenType, hidden, [padded, sequenceLength, hiddenSize]),
      };
      if (this.timestepCondSpec) {
        if (!input.timestepCond) throw mismatch(COMPONENT, 'this LCM UNet needs a guidance embedding (timestep_cond).');
        const cond = new Float32Array(padded * input.timestepCond.length);
        for (let i = 0; i < padded; i++) cond.set(input.timestepCond, i * input.timestepCond.length);
        feeds[this.timestepCondSpec.name] = floatTensor(requireFloat(COMPONENT, this.timestepCondSpec), cond, [
          padded,
          input.timestepCond.length,
        ]);
      }
      const out = await this.session.run(feeds, [this.outputName]);
      return toFloat32(out[this.outputName]);
    });
  }
}
