// A prompt cut to the chunks a model takes: an ONNX UNet exported with a fixed sequence length (77 for most static
// exports) reads one chunk, whatever A1111 (stable-diffusion-webui `modules/sd_hijack_clip.py`, which has no limit)
// would have encoded. The warning says what was dropped, as the single-chunk tokenizer's truncation warning does.
import type { PromptChunks } from './promptChunks';
import type { PromptTokenizer } from './promptTokenizer';

export interface TruncatedPromptChunks {
  prompt: PromptChunks;
  /** Set when chunks were dropped: how many tokens, and their text where the tokenizer can decode it. */
  warning?: string;
}

/**
 * The first `maxChunks` chunks of `prompt`. `label` names it in the warning ("prompt", "negative prompt"). Dropped
 * chunks that hold no text (padding from padToSameChunkCount, or a trailing BREAK) drop silently.
 */
export function truncatePromptChunks(
  prompt: PromptChunks,
  maxChunks: number,
  tokenizer: PromptTokenizer,
  label: string,
): TruncatedPromptChunks {
  if (!Number.isInteger(maxChunks) || maxChunks < 1) throw new Error(`A model must take at least one prompt chunk, got ${maxChunks}.`);
  if (prompt.chunks.length <= maxChunks) return { prompt };
  const kept = prompt.chunks.slice(0, maxChunks);
  const dropped = prompt.chunks.slice(maxChunks);
  const truncated: PromptChunks = {
    chunks: kept,
    tokenCount: Math.min(prompt.tokenCount, prompt.chunkLength * maxChunks),
    chunkLength: prompt.chunkLength,
  };
  const droppedIds = dropped.flatMap((c) => c.ids.slice(1, 1 + c.textTokens));
  if (droppedIds.length === 0) return { prompt: truncated };
  const takes = `${maxChunks * prompt.chunkLength} tokens (${maxChunks} chunk${maxChunks === 1 ? '' : 's'} of ${prompt.chunkLength})`;
  const text = tokenizer.decode?.(droppedIds);
  const ignored = text === undefined ? `${droppedIds.length} tokens are ignored.` : `Ignored (${droppedIds.length} tokens): "${text}".`;
  return {
    prompt: truncated,
    warning: `The ${label} is ${prompt.tokenCount} tokens in ${prompt.chunks.length} chunks; this model's UNet takes ${takes}. ${ignored}`,
  };
}
