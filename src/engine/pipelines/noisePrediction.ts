// The UNet's noise prediction with classifier-free guidance, as diffusers' StableDiffusionPipeline.__call__:
// ε = ε_u + g·(ε_c − ε_u), the model input duplicated as [uncond, cond] in one batch of 2 when the UNet's batch is
// dynamic (or fixed at ≥ 2), two passes when it is fixed at 1. Set up once per image: the batched input and the
// conditioning tensors are reused by every step (no per-step allocation of the batched input). The guided result is
// written into the caller's buffer when it passes one (schedulers that keep no model output), else a fresh array
// each step, as multistep solvers keep past model outputs.
import type { Unet, UnetConditioningFeed, UnetRunner } from '../components/unet';
import type { UnetConditioning } from '../conditioning/unetConditioning';

export interface NoisePredictorOptions {
  unet: Unet;
  conditioning: UnetConditioning;
  guidanceScale: number;
  /** Latent grid (cells). */
  height: number;
  width: number;
  timestepCond?: Float32Array;
}

/** `count` batch items per conditioning input, taken from `rows(input)` and repeated (last row) to `padded`. */
function feeds(conditioning: UnetConditioning, rows: (cond: Float32Array, uncond: Float32Array | null) => Float32Array[], padded: number): UnetConditioningFeed[] {
  return conditioning.inputs.map((input) => {
    const items = rows(input.cond, input.uncond);
    const size = input.cond.length;
    const data = new Float32Array(padded * size);
    for (let i = 0; i < padded; i++) data.set(items[Math.min(i, items.length - 1)], i * size);
    return { name: input.name, itemShape: input.itemShape, data };
  });
}

export class NoisePredictor {
  /** One image's model input (inChannels × height × width): the caller writes it before every predict(). */
  readonly input: Float32Array;
  private readonly runners: UnetRunner[];
  /** Batch-of-2 CFG: the second item of the runner's sample repeats the first. */
  private readonly duplicate: boolean;
  private readonly guided: boolean;
  private readonly guidanceScale: number;
  private readonly itemSize: number;
  private readonly outItem: number;

  constructor(o: NoisePredictorOptions) {
    const { unet, conditioning } = o;
    this.guidanceScale = o.guidanceScale;
    this.itemSize = unet.inChannels * o.height * o.width;
    this.outItem = unet.latentChannels * o.height * o.width;
    const shape = { height: o.height, width: o.width, ...(o.timestepCond ? { timestepCond: o.timestepCond } : {}) };
    const fixedBatch = unet.batch === 'dynamic' ? undefined : unet.batch;
    if (!conditioning.guided) {
      const batch = fixedBatch ?? 1;
      this.runners = [unet.runner({ ...shape, batch, conditioning: feeds(conditioning, (c) => [c], batch) })];
      this.duplicate = false;
      this.guided = false;
    } else if (unet.maxBatch >= 2) {
      const batch = fixedBatch ?? 2;
      const rows = (c: Float32Array, u: Float32Array | null): Float32Array[] => [u ?? c, c];
      this.runners = [unet.runner({ ...shape, batch, conditioning: feeds(conditioning, rows, batch) })];
      this.duplicate = true;
      this.guided = true;
    } else {
      const uncond = (c: Float32Array, u: Float32Array | null): Float32Array[] => [u ?? c];
      const runner = unet.runner({ ...shape, batch: 1, conditioning: feeds(conditioning, uncond, 1) });
      this.runners = [runner, unet.runner({ ...shape, batch: 1, conditioning: feeds(conditioning, (c) => [c], 1) })];
      this.duplicate = false;
      this.guided = true;
    }
    this.input = this.runners[0].sample.subarray(0, this.itemSize);
  }

  /**
   * Predicted (guided) noise for the current `input` at `timestep`: latentChannels × height × width, the caller's to
   * keep; written into `into` when given (guided), else a fresh array. Unguided, it is the UNet's output.
   */
  async predict(timestep: number, into?: Float32Array): Promise<Float32Array> {
    const first = this.runners[0];
    // Every item of a runner's batch is the same image: repeat the first into the rest (padding included).
    for (let i = 1; i < first.batch; i++) first.sample.copyWithin(i * this.itemSize, 0, this.itemSize);
    if (!this.guided) return (await first.run(timestep)).subarray(0, this.outItem);
    let uncond: Float32Array;
    let cond: Float32Array;
    if (this.duplicate) {
      const out = await first.run(timestep);
      uncond = out.subarray(0, this.outItem);
      cond = out.subarray(this.outItem, 2 * this.outItem);
    } else {
      const second = this.runners[1];
      second.sample.set(this.input);
      uncond = await first.run(timestep);
      cond = await second.run(timestep);
    }
    const guided = into ?? new Float32Array(this.outItem);
    if (guided.length !== this.outItem) throw new Error(`NoisePredictor.predict: a buffer of ${guided.length} values for ${this.outItem}`);
    const g = this.guidanceScale;
    for (let i = 0; i < guided.length; i++) guided[i] = uncond[i] + g * (cond[i] - uncond[i]);
    return guided;
  }
}
