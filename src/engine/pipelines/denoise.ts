// The denoising loop shared by every pipeline (diffusers' pipeline __call__ loop):
// scaleModelInput → UNet (+ guidance) → scheduler.step, a preview of predOriginalSample, a cancel point.
// The UNet's batched input and conditioning tensors are set up once (NoisePredictor) and reused by every step.
import type { PreviewImage } from '../../common/protocol/engineProtocol';
import type { Cancellation } from '../../common/protocol/rpc';
import { throwIfCancelled, yieldToEventLoop } from '../cancellation';
import type { UnetConditioning } from '../conditioning/unetConditioning';
import type { PipelineModel } from '../model/pipelineModel';
import type { TorchGenerator } from '../noise/torchGenerator';
import type { Scheduler } from '../schedulers/scheduler';
import { latentSize, type JobContext } from './jobContext';
import { NoisePredictor } from './noisePrediction';

/** diffusers' 4-channel inpainting: after every step, cells outside the mask are reset to the re-noised image. */
export interface LatentBlend {
  imageLatents: Float32Array;
  noise: Float32Array;
  /** One value per latent cell (height × width): 1 = repaint, 0 = keep. */
  mask: Float32Array;
}

export interface DenoiseOptions {
  model: PipelineModel;
  scheduler: Scheduler;
  /** Starting latents (latentChannels × height × width), from prepareLatents. */
  latents: Float32Array;
  /** Latent grid (cells). */
  height: number;
  width: number;
  conditioning: UnetConditioning;
  guidanceScale: number;
  generator: TorchGenerator;
  timestepCond?: Float32Array;
  /** 9-channel UNets: mask (1 channel) + masked-image latents, appended after the scaled input (the same every step). */
  extraChannels?: Float32Array;
  blend?: LatentBlend;
  /** Render a preview every N steps (and at the last step); 0 = never. */
  previewEvery: number;
  onStep(step: number, steps: number, preview: PreviewImage | undefined): void;
  cancellation?: Cancellation;
  timings: { previewMs: number };
}

export async function denoise(o: DenoiseOptions): Promise<Float32Array> {
  const { scheduler, model, height, width } = o;
  const timesteps = scheduler.timesteps;
  const channels = model.unet.latentChannels;
  const predictor = new NoisePredictor({
    unet: model.unet,
    conditioning: o.conditioning,
    guidanceScale: o.guidanceScale,
    height,
    width,
    ...(o.timestepCond ? { timestepCond: o.timestepCond } : {}),
  });
  const latentLength = channels * height * width;
  // NCHW with batch 1: concatenating on the channel axis is appending the planes, once for the whole loop.
  if (o.extraChannels) predictor.input.set(o.extraChannels, latentLength);
  // The first latentChannels planes of the UNet's input are the scaled latents (9-channel UNets append more).
  const scaledInput = predictor.input.subarray(0, latentLength);
  // Schedulers that keep nothing between steps write into reused buffers: the guided noise, x0, and two latents
  // (the step reads one and writes the other), so a step allocates nothing.
  const reuse = !scheduler.keepsModelOutput;
  const guided = reuse ? new Float32Array(latentLength) : undefined;
  const predOriginalSample = reuse ? new Float32Array(latentLength) : undefined;
  const stepBuffers = predOriginalSample
    ? [{ prevSample: new Float32Array(latentLength), predOriginalSample }, { prevSample: new Float32Array(latentLength), predOriginalSample }]
    : undefined;
  let latents = o.latents;
  for (let i = 0; i < timesteps.length; i++) {
    await yieldToEventLoop();
    throwIfCancelled(o.cancellation);
    const t = timesteps[i];
    // Scaled straight into the UNet's input buffer (no per-step latent allocation or copy).
    const scaled = scheduler.scaleModelInput(latents, t, scaledInput);
    if (scaled !== scaledInput) scaledInput.set(scaled);
    const noise = await predictor.predict(t, guided);
    const out = scheduler.step(noise, t, latents, o.generator, stepBuffers?.[i % 2]);
    latents = out.prevSample;
    const last = i === timesteps.length - 1;
    if (o.blend) {
      const { imageLatents, mask } = o.blend;
      const proper = last ? imageLatents : scheduler.addNoise(imageLatents, o.blend.noise, timesteps[i + 1]);
      latents = blendLatents(proper, latents, mask, channels);
    }
    let preview: PreviewImage | undefined;
    // Heun / DPM++ SDE / PLMS run more UNet evaluations than steps: count and preview the user's steps.
    const done = scheduler.completedSteps(i);
    const stepEnded = last || done > (i === 0 ? 0 : scheduler.completedSteps(i - 1));
    if (o.previewEvery > 0 && stepEnded && (done % o.previewEvery === 0 || last)) {
      const start = performance.now();
      const predicted = o.blend ? blendLatents(o.blend.imageLatents, out.predOriginalSample, o.blend.mask, channels) : out.predOriginalSample;
      preview = await model.previewDecoder.render(predicted, channels, height, width);
      o.timings.previewMs += performance.now() - start;
    }
    if (stepEnded) o.onStep(done, scheduler.stepCount, preview);
  }
  return latents;
}

/** Runs the loop with the job's shared settings (conditioning, guidance, previews, cancel), timing it as denoiseMs. */
export async function denoiseForJob(
  ctx: JobContext,
  scheduler: Scheduler,
  latents: Float32Array,
  generator: TorchGenerator,
  extra: Pick<DenoiseOptions, 'extraChannels' | 'blend'> = {},
): Promise<Float32Array> {
  const { height, width } = latentSize(ctx);
  const start = performance.now();
  try {
    return await denoise({
      model: ctx.model,
      scheduler,
      latents,
      height,
      width,
      conditioning: ctx.conditioning,
      guidanceScale: ctx.guidanceScale,
      generator,
      ...(ctx.timestepCond ? { timestepCond: ctx.timestepCond } : {}),
      ...extra,
      previewEvery: ctx.previewEvery,
      onStep: ctx.onStep,
      ...(ctx.cancellation ? { cancellation: ctx.cancellation } : {}),
      timings: ctx.timings,
    });
  } finally {
    ctx.timings.denoiseMs += performance.now() - start;
  }
}

/** (1 − m)·keep + m·generated, with m broadcast over channels. */
export function blendLatents(keep: Float32Array, generated: Float32Array, mask: Float32Array, channels: number): Float32Array {
  const plane = mask.length;
  const out = new Float32Array(generated.length);
  for (let c = 0; c < channels; c++) {
    const base = c * plane;
    for (let i = 0; i < plane; i++) {
      const m = mask[i];
      out[base + i] = (1 - m) * keep[base + i] + m * generated[base + i];
    }
  }
  return out;
}
