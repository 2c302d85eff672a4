// The token counter A1111 shows beside a prompt box, e.g. `82/150`: stable-diffusion-webui `modules/ui.py`
// update_token_counter (extra-network tags removed first, then the prompt's token_count from
// `modules/sd_hijack_clip.py` process_texts) over `get_target_prompt_token_count`
// (ceil(max(token_count, 1) / 75) × 75). Prompt editing `[a:b:n]` and `AND` are not supported here, so the
// counter reads the prompt as one schedule.
import { parseExtraNetworks } from './parseExtraNetworks';
import { tokenizePromptChunks, type PromptChunkOptions } from './promptChunks';
import type { PromptTokenizer } from './promptTokenizer';

export interface PromptTokenCount {
  /** Tokens used (A1111 token_count). */
  used: number;
  /** Tokens the prompt's chunks hold: a multiple of the chunk length (75). */
  limit: number;
  /** Chunks the prompt encodes to. */
  chunks: number;
}

export function promptTokenCount(prompt: string, tokenizer: PromptTokenizer, options: PromptChunkOptions = {}): PromptTokenCount {
  const { chunks, tokenCount, chunkLength } = tokenizePromptChunks(parseExtraNetworks(prompt).text, tokenizer, options);
  return { used: tokenCount, limit: Math.ceil(Math.max(tokenCount, 1) / chunkLength) * chunkLength, chunks: chunks.length };
}

/** `used/limit`, as A1111 prints it. */
export function formatPromptTokenCount(count: PromptTokenCount): string {
  return `${count.used}/${count.limit}`;
}
