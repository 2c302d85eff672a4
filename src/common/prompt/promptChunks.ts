// A prompt of any length as 77-token chunks with per-token weights, ported from stable-diffusion-webui
// `modules/sd_hijack_clip.py` FrozenCLIPEmbedderWithCustomWordsBase: tokenize_line (75 text tokens a chunk, comma
// backtracking, BREAK, the final chunk only when non-empty or the only one, token_count), next_chunk (pad with
// id_end at weight 1.0, wrap in id_start/id_end), empty_chunk, and process_tokens (for SD 2.x / SDXL's second encoder,
// everything after the first id_end becomes id_pad). Each chunk is encoded alone; the caller concatenates them.
// Textual-inversion embeddings (embedding_db) are not supported: their names are encoded as ordinary words.
import { DEFAULT_EMPHASIS, type EmphasisMode } from './emphasisMode';
import { isBreakFragment, parsePromptAttention, type AttentionFragment } from './parsePromptAttention';
import type { PromptTokenizer } from './promptTokenizer';

/** One encoder input row: `maxLength` ids and as many weights (1.0 at BOS, EOS and padding). */
export interface PromptChunk {
  ids: number[];
  weights: number[];
  /** How many of the ids are prompt tokens (between the BOS and the padding). */
  textTokens: number;
}

export interface PromptChunks {
  chunks: PromptChunk[];
  /** A1111's token_count: chunkLength × (chunks − 1) + the last chunk's text tokens. */
  tokenCount: number;
  /** Text tokens a chunk holds: the tokenizer's maxLength − 2 (A1111 chunk_length = 75). */
  chunkLength: number;
}

export interface PromptChunkOptions {
  /** "None" encodes the prompt as written (no weights, no BREAK); the others parse it. Default "Original". */
  emphasis?: EmphasisMode;
  /**
   * A1111 comma_padding_backtrack: when a chunk fills up and its last comma is at most this many tokens back, the
   * tokens after that comma move to the next chunk. 0 turns it off. Default 20 (modules/shared_options.py).
   */
  commaPaddingBacktrack?: number;
}

/** A1111's default comma_padding_backtrack (modules/shared_options.py). */
export const DEFAULT_COMMA_PADDING_BACKTRACK = 20;

/** Text tokens per chunk for a tokenizer: its row length less BOS and EOS. */
export function chunkLengthOf(tokenizer: PromptTokenizer): number {
  const length = tokenizer.maxLength - 2;
  if (!Number.isInteger(length) || length < 1) throw new Error(`A tokenizer row of ${tokenizer.maxLength} ids holds no prompt tokens.`);
  return length;
}

/** A1111 tokenize_line: the prompt's chunks and its token count. */
export function tokenizePromptChunks(text: string, tokenizer: PromptTokenizer, options: PromptChunkOptions = {}): PromptChunks {
  const emphasis = options.emphasis ?? DEFAULT_EMPHASIS;
  const backtrack = options.commaPaddingBacktrack ?? DEFAULT_COMMA_PADDING_BACKTRACK;
  const chunkLength = chunkLengthOf(tokenizer);
  if (!Number.isInteger(backtrack) || backtrack < 0 || backtrack >= chunkLength) {
    throw new Error(`Comma padding backtrack must be a whole number from 0 to ${chunkLength - 1}, got ${backtrack}.`);
  }
  const parsed: AttentionFragment[] = emphasis === 'None' ? [{ text, weight: 1.0 }] : parsePromptAttention(text);

  const chunks: PromptChunk[] = [];
  let tokens: number[] = [];
  let multipliers: number[] = [];
  let tokenCount = 0;
  let lastComma = -1;

  const nextChunk = (isLast = false): void => {
    tokenCount += isLast ? tokens.length : chunkLength;
    chunks.push(frameChunk(tokens, multipliers, tokenizer, chunkLength));
    lastComma = -1;
    tokens = [];
    multipliers = [];
  };

  for (const fragment of parsed) {
    if (isBreakFragment(fragment)) {
      nextChunk();
      continue;
    }
    const weight = fragment.weight;
    for (const token of tokenizer.encode(fragment.text)) {
      if (token === tokenizer.commaTokenId) {
        lastComma = tokens.length;
      } else if (backtrack !== 0 && tokens.length === chunkLength && lastComma !== -1 && tokens.length - lastComma <= backtrack) {
        // At the end of the chunk with a comma nearby: the text after the comma moves to the next chunk.
        const breakLocation = lastComma + 1;
        const relocTokens = tokens.slice(breakLocation);
        const relocMults = multipliers.slice(breakLocation);
        tokens = tokens.slice(0, breakLocation);
        multipliers = multipliers.slice(0, breakLocation);
        nextChunk();
        tokens = relocTokens;
        multipliers = relocMults;
      }
      if (tokens.length === chunkLength) nextChunk();
      tokens.push(token);
      multipliers.push(weight);
    }
  }
  if (tokens.length > 0 || chunks.length === 0) nextChunk(true);
  return { chunks, tokenCount, chunkLength };
}

/** A1111 empty_chunk: BOS then EOS to the end (then id_pad after the first EOS), all weights 1.0. */
export function emptyPromptChunk(tokenizer: PromptTokenizer): PromptChunk {
  return frameChunk([], [], tokenizer, chunkLengthOf(tokenizer));
}

/** next_chunk's padding and framing, then process_tokens' id_pad after the first id_end. */
function frameChunk(tokens: readonly number[], multipliers: readonly number[], tokenizer: PromptTokenizer, chunkLength: number): PromptChunk {
  const toAdd = chunkLength - tokens.length;
  const ids = [tokenizer.bosTokenId, ...tokens, ...new Array<number>(Math.max(0, toAdd)).fill(tokenizer.eosTokenId), tokenizer.eosTokenId];
  const weights = [1.0, ...multipliers, ...new Array<number>(Math.max(0, toAdd)).fill(1.0), 1.0];
  if (tokenizer.padTokenId !== tokenizer.eosTokenId) {
    const firstEnd = ids.indexOf(tokenizer.eosTokenId);
    for (let i = firstEnd + 1; i < ids.length; i++) ids[i] = tokenizer.padTokenId;
  }
  return { ids, weights, textTokens: tokens.length };
}
