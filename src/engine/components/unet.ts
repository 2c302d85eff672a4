// The denoising UNet (facts.md §1.4): sample [B, C, h, w] (C = 4, or 9 for inpainting UNets),
// timestep (int64 / float32 / float16; shape [], [1] or [batch]), encoder_hidden_states [B, 77, D],
// optional timestep_cond (LCM) → out_sample [B, 4, h, w]. Everything is read from the graph's metadata.
import { floatTensor, numberTensor, toFloat32, type OnnxSession, type OrtTensor, type TensorSpec } from '../runtime/ort';
import { mismatch, requireFloat, runInBatches, unetShape, type Dim } from './componentShapes';

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
    const shape = unetShape(session, config, pipelineClass);
    this.inChannels = shape.inChannels;
    this.latentChannels = shape.latentChannels;
    this.sampleType = shape.sampleType;
    this.hiddenType = shape.hiddenType;
    this.timestepSpec = shape.timestepSpec;
    this.batch = shape.batch;
    this.latentHeight = shape.latentHeight;
    this.latentWidth = shape.latentWidth;
    this.timeCondProjDim = shape.timeCondProjDim;
    this.outputName = shape.outputName;
    this.sampleName = shape.sampleName;
    this.hiddenName = shape.hiddenName;
    this.timestepCondSpec = shape.timestepCondSpec;
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
