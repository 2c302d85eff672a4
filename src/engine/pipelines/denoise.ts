// The denoising loop shared by txt2img, img2img and inpaint (diffusers' pipeline __call__ loop):
// scaleModelInput → UNet (+ guidance) → scheduler.step, a preview of predOriginalSample, a cancel point.
import type { PreviewImage } from '../../common/protocol/engineProtocol';
import type { Cancellation } from '../../common/protocol/rpc';
import { throwIfCancelled, yieldToEventLoop } from '../cancellation';
import type { PipelineModel } from '../model/pipelineModel';
import type { TorchGenerator } from '../noise/torchGenerator';
import type { Scheduler } from '../schedulers/scheduler';
import { predictNoise } from './noisePrediction';
import { latentSize, type JobContext } from './jobContext';
import type { PromptEmbeddings } from './promptEmbeddings';

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
  /** Starting latents (latentChannels × height × width), already scaled by initNoiseSigma or noised. */
  latents: Float32Array;
  height: number;
  width: number;
  embeddings: PromptEmbeddings;
  guidanceScale: number;
  generator: TorchGenerator;
  timestepCond?: Float32Array;
  /** 9-channel UNets: mask (1 channel) + masked-image latents, appended after the scaled input. */
  conditioning?: Float32Array;
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
  let latents = o.latents;
  for (let i = 0; i < timesteps.length; i++) {
    await yieldToEventLoop();
    throwIfCancelled(o.cancellation);
    const t = timesteps[i];
    let input = scheduler.scaleModelInput(latents, t);
    if (o.conditioning) {
      // NCHW with batch 1: concatenating on the channel axis is appending the planes.
      const joined = new Float32Array(input.length + o.conditioning.length);
      joined.set(input, 0);
      joined.set(o.conditioning, input.length);
      input = joined;
    }
    const noise = await predictNoise({
      unet: model.unet,
      input,
      height,
      width,
      timestep: t,
      embeddings: o.embeddings,
      guidanceScale: o.guidanceScale,
      ...(o.timestepCond ? { timestepCond: o.timestepCond } : {}),
    });
    const out = scheduler.step(noise, t, latents, o.generator);
    latents = out.prevSample;
    let predicted = out.predOriginalSample;
    if (o.blend) {
      const { imageLatents, mask } = o.blend;
      const proper = i < timesteps.length - 1 ? scheduler.addNoise(imageLatents, o.blend.noise, timesteps[i + 1]) : imageLatents;
      latents = blendLatents(proper, latents, mask, channels);
      predicted = blendLatents(imageLatents, predicted, mask, channels);
    }
    let preview: PreviewImage | undefined;
    const last = i === timesteps.length - 1;
    // Heun / DPM++ SDE / PLMS run more UNet evaluations than steps: count and preview the user's steps.
    const done = scheduler.completedSteps(i);
    const stepEnded = last || done > (i === 0 ? 0 : scheduler.completedSteps(i - 1));
    if (o.previewEvery > 0 && stepEnded && (done % o.previewEvery === 0 || last)) {
      const start = performance.now();
      preview = await model.previewDecoder.render(predicted, channels, height, width);
      o.timings.previewMs += performance.now() - start;
    }
    if (stepEnded) o.onStep(done, scheduler.stepCount, preview);
  }
  return latents;
}

/** Runs the loop with the job's shared settings (embeddings, guidance, previews, cancel), timing it as denoiseMs. */
export async function denoiseForJob(
  ctx: JobContext,
  scheduler: Scheduler,
  latents: Float32Array,
  generator: TorchGenerator,
  extra: Pick<DenoiseOptions, 'conditioning' | 'blend'> = {},
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
      embeddings: ctx.embeddings,
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
