// A small CLIP-style tokenizer for the analytic model, in the transformers CLIPTokenizer file format (transformers models/clip/tokenization_clip.py):
// vocab = the 256 byte-unicode symbols, the same 256 with '</w>', one entry per merge (in merge order), then
// <|startoftext|> and <|endoftext|>. The merges are generated so that every concept word and filler word is a
// single token under the real CLIP BPE algorithm (lowest-rank adjacent pair first; openai/CLIP simple_tokenizer.py).
// A reference encoder (cleanup, pre-tokenisation regex, BPE) is included so the oracle and tests can tokenise.

import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { concepts, fillerWords } from './concepts';

export const MODEL_MAX_LENGTH = 77;
export const BOS_TOKEN = '<|startoftext|>';
export const EOS_TOKEN = '<|endoftext|>';
export const END_OF_WORD = '</w>';
export const MERGES_HEADER = '#version: 0.2';

export type PadToken = '<|endoftext|>' | '!';

/** CLIP bytes_to_unicode(): printable bytes map to themselves, the other 68 to chr(256 + k) (transformers models/clip/tokenization_clip.py). */
export function bytesToUnicode(): Map<number, string> {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map = new Map<number, string>();
  for (const b of printable) map.set(b, String.fromCodePoint(b));
  let k = 0;
  for (let b = 0; b < 256; b++) {
    if (!map.has(b)) map.set(b, String.fromCodePoint(256 + k++));
  }
  return map; // insertion order = CLIP's vocab order (printable bytes first)
}

const BYTE_ENCODER = bytesToUnicode();
const PRETOKEN_PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** Whitespace cleanup and lower-casing (identical in every CLIP implementation for ASCII prompts). */
export function cleanText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** Pre-tokens of a cleaned text, each mapped to byte-unicode symbols. */
export function preTokens(text: string): string[] {
  const out: string[] = [];
  for (const match of cleanText(text).matchAll(PRETOKEN_PATTERN)) {
    const bytes = new TextEncoder().encode(match[0]);
    out.push(Array.from(bytes, (b) => BYTE_ENCODER.get(b) ?? '').join(''));
  }
  return out;
}

/** CLIP BPE of one pre-token: returns its final symbols (the last carries '</w>'). */
export function bpe(token: string, ranks: ReadonlyMap<string, number>): string[] {
  const chars = Array.from(token);
  if (chars.length === 0) return [];
  let word = [...chars.slice(0, -1), chars[chars.length - 1] + END_OF_WORD];
  while (word.length > 1) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i < word.length - 1; i++) {
      const rank = ranks.get(`${word[i]} ${word[i + 1]}`);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) break;
    const first = word[best];
    const second = word[best + 1];
    const merged: string[] = [];
    for (let i = 0; i < word.length; ) {
      if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
        merged.push(first + second);
        i += 2;
      } else {
        merged.push(word[i]);
        i += 1;
      }
    }
    word = merged;
  }
  return word;
}

export interface AnalyticVocabulary {
  /** token → id, in id order. */
  vocab: ReadonlyMap<string, number>;
  /** merges in rank order. */
  merges: readonly (readonly [string, string])[];
  /** "a b" → rank. */
  ranks: ReadonlyMap<string, number>;
  bosId: number;
  eosId: number;
}

function build(): AnalyticVocabulary {
  const base = [...BYTE_ENCODER.values()];
  const vocab = new Map<string, number>();
  for (const s of base) vocab.set(s, vocab.size);
  for (const s of base) vocab.set(s + END_OF_WORD, vocab.size);
  const merges: [string, string][] = [];
  const ranks = new Map<string, number>();
  const words = [...concepts.map((c) => c.word), ...fillerWords];
  for (const word of words) {
    const token = preTokens(word);
    if (token.length !== 1) throw new Error(`tokenizer: '${word}' is not a single pre-token`);
    // Appending a merge at the highest rank never changes how earlier words tokenise: each of their steps had a
    // lower-ranked pair available. Merge the first adjacent pair whose result is new until one symbol is left.
    for (let symbols = bpe(token[0], ranks); symbols.length > 1; symbols = bpe(token[0], ranks)) {
      let i = 0;
      while (i < symbols.length - 1 && vocab.has(symbols[i] + symbols[i + 1])) i++;
      if (i === symbols.length - 1) throw new Error(`tokenizer: cannot build a single token for '${word}'`);
      ranks.set(`${symbols[i]} ${symbols[i + 1]}`, merges.length);
      merges.push([symbols[i], symbols[i + 1]]);
      vocab.set(symbols[i] + symbols[i + 1], vocab.size);
    }
  }
  const bosId = vocab.size;
  vocab.set(BOS_TOKEN, bosId);
  const eosId = vocab.size;
  vocab.set(EOS_TOKEN, eosId);
  return { vocab, merges, ranks, bosId, eosId };
}

let cached: AnalyticVocabulary | undefined;

/** The analytic tokenizer's vocabulary (deterministic; built once). */
export function analyticVocabulary(): AnalyticVocabulary {
  cached ??= build();
  return cached;
}

/** Token ids of `text` without BOS/EOS (unknown symbols → EOS, as CLIP's unk). */
export function encodeText(text: string, vocabulary: AnalyticVocabulary = analyticVocabulary()): number[] {
  const ids: number[] = [];
  for (const token of preTokens(text)) {
    if (token === BOS_TOKEN || token === EOS_TOKEN) {
      ids.push(vocabulary.vocab.get(token) ?? vocabulary.eosId);
      continue;
    }
    for (const symbol of bpe(token, vocabulary.ranks)) ids.push(vocabulary.vocab.get(symbol) ?? vocabulary.eosId);
  }
  return ids;
}

/** Id of the padding token. */
export function padTokenId(padToken: PadToken, vocabulary: AnalyticVocabulary = analyticVocabulary()): number {
  const id = vocabulary.vocab.get(padToken);
  if (id === undefined) throw new Error(`tokenizer: no pad token ${padToken}`);
  return id;
}

/**
 * diffusers framing: [BOS] + first 75 tokens + [EOS], padded with the pad token to 77
 * (tokenizer(prompt, padding="max_length", max_length=77, truncation=True)).
 */
export function paddedTokenIds(text: string, padToken: PadToken, vocabulary: AnalyticVocabulary = analyticVocabulary()): number[] {
  const body = encodeText(text, vocabulary).slice(0, MODEL_MAX_LENGTH - 2);
  const ids = [vocabulary.bosId, ...body, vocabulary.eosId];
  while (ids.length < MODEL_MAX_LENGTH) ids.push(padTokenId(padToken, vocabulary));
  return ids;
}

function addedToken(content: string): Record<string, unknown> {
  return { content, lstrip: false, normalized: true, rstrip: false, single_word: false };
}

/** The tokenizer/ folder's files (name → text), as transformers' CLIPTokenizer.save_pretrained writes them. */
export function tokenizerFiles(padToken: PadToken): Record<string, string> {
  const v = analyticVocabulary();
  const vocabJson = JSON.stringify(Object.fromEntries(v.vocab));
  const mergesTxt = [MERGES_HEADER, ...v.merges.map(([a, b]) => `${a} ${b}`)].join('\n') + '\n';
  const config = {
    add_prefix_space: false,
    bos_token: { __type: 'AddedToken', ...addedToken(BOS_TOKEN) },
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    eos_token: { __type: 'AddedToken', ...addedToken(EOS_TOKEN) },
    errors: 'replace',
    model_max_length: MODEL_MAX_LENGTH,
    pad_token: padToken,
    tokenizer_class: 'CLIPTokenizer',
    unk_token: { __type: 'AddedToken', ...addedToken(EOS_TOKEN) },
  };
  const specialTokens = {
    bos_token: addedToken(BOS_TOKEN),
    eos_token: addedToken(EOS_TOKEN),
    pad_token: padToken,
    unk_token: addedToken(EOS_TOKEN),
  };
  return {
    'vocab.json': vocabJson,
    'merges.txt': mergesTxt,
    'tokenizer_config.json': JSON.stringify(config, null, 2) + '\n',
    'special_tokens_map.json': JSON.stringify(specialTokens, null, 2) + '\n',
  };
}

/** Writes vocab.json, merges.txt, tokenizer_config.json and special_tokens_map.json into `dir`. */
export async function writeTokenizerFiles(dir: string, padToken: PadToken): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(tokenizerFiles(padToken))) await fs.writeFile(path.join(dir, name), text);
}
