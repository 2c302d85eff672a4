// The denoising UNet (diffusers `pipelines/onnx_utils.py` OnnxRuntimeModel inputs of UNet2DConditionModel): sample [B, C, h, w] (C = 4, or 9 for inpainting UNets),
// timestep (int64 / float32 / float16; shape [], [1] or [batch]), encoder_hidden_states [B, 77, D],
// optional timestep_cond (LCM) → out_sample [B, 4, h, w]. Everything is read from the graph's metadata.
import { floatTensor, numberTensor, toFloat32, type OnnxSession, type OrtTensor, type TensorSpec } from '../runtime/ort';
import { mismatch, requireFloat, unetShape, type Dim } from './componentShapes';
import type { SdxlAddedConditioning } from './sdxlUnetInputs';

const COMPONENT = 'unet';

/** One conditioning input for a whole run: `batch` items of itemShape, in batch order. */
export interface UnetConditioningFeed {
  name: string;
  itemShape: readonly number[];
  /** batch × product(itemShape) values. */
  data: Float32Array;
}

/**
 * The UNet set up for one shape of run (batch, latent size, conditioning): its input buffer and tensors are made once
 * and reused by every step, so a step allocates nothing on the JavaScript side but the timestep scalar.
 */
export interface UnetRunner {
  /** batch × inChannels × height × width: the caller writes each step's model input here. */
  readonly sample: Float32Array;
  readonly batch: number;
  /** Runs the graph; returns batch × latentChannels × height × width (ONNX Runtime's output, valid until the next run). */
  run(timestep: number): Promise<Float32Array>;
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
  /** encoder_hidden_states' declared sequence length (static exports) or 'dynamic'. */
  readonly hiddenSequence: Dim;
  private readonly timestepCondSpec: TensorSpec | undefined;
  /** SDXL: text_embeds and time_ids (sdxlUnetInputs.ts). */
  readonly addedCond: SdxlAddedConditioning | undefined;

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
    this.hiddenSequence = shape.hiddenSequence;
    this.timestepCondSpec = shape.timestepCondSpec;
    this.addedCond = shape.addedCond;
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

  /**
   * A runner for `batch` items (the graph's fixed batch must equal it: callers pad or split, see maxBatch). The
   * conditioning feeds are wrapped once; `timestepCond` (LCM) is the same for every item.
   */
  runner(options: { batch: number; height: number; width: number; conditioning: readonly UnetConditioningFeed[]; timestepCond?: Float32Array }): UnetRunner {
    const { batch, height, width } = options;
    if (this.batch !== 'dynamic' && this.batch !== batch) {
      throw mismatch(COMPONENT, `the graph takes batch ${this.batch}, ${batch} was asked.`);
    }
    const sample = new Float32Array(batch * this.inChannels * height * width);
    const sampleDims = [batch, this.inChannels, height, width];
    const fixed: Record<string, OrtTensor> = {};
    for (const feed of options.conditioning) {
      const spec = this.session.input(feed.name);
      if (!spec) throw mismatch(COMPONENT, `the graph has no input "${feed.name}" for the prompt's conditioning.`);
      fixed[spec.name] = floatTensor(requireFloat(COMPONENT, spec), feed.data, [batch, ...feed.itemShape]);
    }
    if (!fixed[this.hiddenName]) throw mismatch(COMPONENT, `no conditioning for "${this.hiddenName}".`);
    for (const spec of this.addedCond ? [this.addedCond.textEmbeds, this.addedCond.timeIds] : []) {
      if (!fixed[spec.name]) throw mismatch(COMPONENT, `this SDXL UNet needs "${spec.name}", which the conditioning did not give.`);
    }
    if (this.timestepCondSpec) {
      const cond = options.timestepCond;
      if (!cond) throw mismatch(COMPONENT, 'this LCM UNet needs a guidance embedding (timestep_cond).');
      const data = new Float32Array(batch * cond.length);
      for (let i = 0; i < batch; i++) data.set(cond, i * cond.length);
      fixed[this.timestepCondSpec.name] = floatTensor(requireFloat(COMPONENT, this.timestepCondSpec), data, [batch, cond.length]);
    }
    // float32 tensors wrap the buffer (written in place every step); float16 ones are converted from it each run.
    const sampleTensor = this.sampleType === 'float32' ? floatTensor('float32', sample, sampleDims) : undefined;
    const outputs = [this.outputName];
    let lastTimestep = Number.NaN;
    let timestepTensor: OrtTensor | undefined;
    return {
      sample,
      batch,
      run: async (timestep: number): Promise<Float32Array> => {
        if (!timestepTensor || timestep !== lastTimestep) {
          timestepTensor = this.timestepTensor(timestep, batch);
          lastTimestep = timestep;
        }
        const feeds: Record<string, OrtTensor> = {
          ...fixed,
          [this.sampleName]: sampleTensor ?? floatTensor(this.sampleType, sample, sampleDims),
          [this.timestepSpec.name]: timestepTensor,
        };
        const out = await this.session.run(feeds, outputs);
        return toFloat32(out[this.outputName]);
      },
    };
  }
}
