// Prompt and negative prompt with the same number of chunks, so both fit one batched UNet call for classifier-free
// guidance. stable-diffusion-webui `modules/sd_hijack_clip.py` forward pads a batch's shorter prompts with
// empty_chunk() up to the longest one's chunk count; this does the same across the prompt and the negative prompt.
// (A1111 itself runs cond and uncond of different lengths as separate UNet calls unless pad_cond_uncond is on; an
// ONNX UNet run batched needs one sequence length.)
import { emptyPromptChunk, type PromptChunks } from './promptChunks';
import type { PromptTokenizer } from './promptTokenizer';

/** Each of `prompts` padded at the end with empty chunks to the largest chunk count among them. */
export function padToSameChunkCount(prompts: readonly PromptChunks[], tokenizer: PromptTokenizer): PromptChunks[] {
  const count = Math.max(0, ...prompts.map((p) => p.chunks.length));
  return prompts.map((p) => {
    if (p.chunks.length === count) return p;
    const padding = Array.from({ length: count - p.chunks.length }, () => emptyPromptChunk(tokenizer));
    return { ...p, chunks: [...p.chunks, ...padding] };
  });
}
