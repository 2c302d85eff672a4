// One UNet evaluation with classifier-free guidance (facts.md §7): ε = ε_u + g·(ε_c − ε_u).
// Batched as [uncond, cond] when the UNet's batch is dynamic (or fixed at ≥ 2), two passes when it is 1.
import type { Unet } from '../components/unet';
import type { PromptEmbeddings } from './promptEmbeddings';

export interface NoisePredictionInput {
  unet: Unet;
  /** One image's scaled model input (inChannels × height × width). */
  input: Float32Array;
  height: number;
  width: number;
  timestep: number;
  embeddings: PromptEmbeddings;
  guidanceScale: number;
  timestepCond?: Float32Array;
}

export async function predictNoise(p: NoisePredictionInput): Promise<Float32Array> {
  const { unet, input, height, width, timestep, embeddings, guidanceScale } = p;
  const common = {
    height,
    width,
    timestep,
    sequenceLength: embeddings.sequenceLength,
    hiddenSize: embeddings.hiddenSize,
    ...(p.timestepCond ? { timestepCond: p.timestepCond } : {}),
  };
  if (!embeddings.uncond) {
    return unet.predict({ ...common, sample: input, batch: 1, encoderHiddenStates: embeddings.cond });
  }
  let uncond: Float32Array;
  let cond: Float32Array;
  if (unet.maxBatch >= 2) {
    const sample = new Float32Array(input.length * 2);
    sample.set(input, 0);
    sample.set(input, input.length);
    const hidden = batchedEmbeddings(embeddings);
    const out = await unet.predict({ ...common, sample, batch: 2, encoderHiddenStates: hidden });
    const n = out.length / 2;
    uncond = out.subarray(0, n);
    cond = out.subarray(n);
  } else {
    uncond = await unet.predict({ ...common, sample: input, batch: 1, encoderHiddenStates: embeddings.uncond });
    cond = await unet.predict({ ...common, sample: input, batch: 1, encoderHiddenStates: embeddings.cond });
  }
  const guided = new Float32Array(cond.length);
  for (let i = 0; i < guided.length; i++) guided[i] = uncond[i] + guidanceScale * (cond[i] - uncond[i]);
  return guided;
}

/** [uncond, cond] in one array, built once per job (the embeddings do not change between steps). */
const batchedCache = new WeakMap<PromptEmbeddings, Float32Array>();

function batchedEmbeddings(embeddings: PromptEmbeddings): Float32Array {
  let hidden = batchedCache.get(embeddings);
  if (!hidden) {
    const uncond = embeddings.uncond as Float32Array;
    hidden = new Float32Array(embeddings.cond.length * 2);
    hidden.set(uncond, 0);
    hidden.set(embeddings.cond, embeddings.cond.length);
    batchedCache.set(embeddings, hidden);
  }
  return hidden;
}
