// CLIP byte-level BPE tokenizer as used by Stable Diffusion text encoders (openai/CLIP `clip/simple_tokenizer.py`, transformers `CLIPTokenizer`).
// Sources: openai/CLIP clip/simple_tokenizer.py (bpe, regex), transformers tokenization_clip.py and
// convert_slow_tokenizer.py CLIPConverter (fast normaliser: NFC → collapse whitespace → lowercase),
// diffusers encode_prompt (padding="max_length", truncation=True).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { bytesToUnicodeSymbols, unicodeSymbolsToText } from './bytesToUnicode';

export interface ClipTokenizerOptions {
  padToken: string;
  maxLength: number;
  /** Default '<|startoftext|>'. */
  bosToken?: string;
  /** Default '<|endoftext|>'. */
  eosToken?: string;
  /** Id used for symbols missing from the vocabulary; default the eos token (CLIP's unk_token is '<|endoftext|>'). */
  unkToken?: string;
}

export interface TokenizedPrompt {
  /** Exactly maxLength ids: [bos] + tokens (cut to maxLength − 2) + [eos] + padding. */
  ids: number[];
  truncated: boolean;
  /** Text tokens before truncation, without bos/eos. */
  tokenCount: number;
  /** The text that was cut, re-assembled from the dropped tokens (for the truncation warning). */
  droppedText?: string;
}

/** HF CLIPTokenizer defaults (tokenization_clip.py). */
const DEFAULT_BOS_TOKEN = '<|startoftext|>';
const DEFAULT_EOS_TOKEN = '<|endoftext|>';
/** CLIP text encoders have 77 position embeddings (openai/CLIP context_length). */
const DEFAULT_MODEL_MAX_LENGTH = 77;
/** transformers writes VERY_LARGE_INTEGER (1e30) when a config has no real limit; anything above this is ignored. */
const MAX_SENSIBLE_MODEL_MAX_LENGTH = 4096;
/** Suffix BPE puts on a word's last symbol (simple_tokenizer.py). */
const END_OF_WORD = '</w>';
/** Bound on the per-word BPE cache so a long-running engine cannot grow it without limit. */
const BPE_CACHE_LIMIT = 50_000;

/** The pre-tokenisation regex of openai/CLIP `simple_tokenizer.py`, with Unicode classes. */
const PRE_TOKENIZE = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

export class ClipTokenizer {
  /** The pad token text ('<|endoftext|>' for SD1, '!' for SD2 / Turbo / SDXL tokenizer_2). */
  readonly padToken: string;
  readonly padTokenId: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly unkTokenId: number;
  readonly vocabSize: number;
  readonly maxLength: number;

  private readonly vocab: ReadonlyMap<string, number>;
  private readonly bpeRanks: ReadonlyMap<string, number>;
  private readonly specialTokens: ReadonlySet<string>;
  private readonly cache = new Map<string, readonly string[]>();

  constructor(vocab: ReadonlyMap<string, number> | Record<string, number>, merges: readonly string[], options: ClipTokenizerOptions) {
    this.vocab = vocab instanceof Map ? vocab : new Map(Object.entries(vocab));
    this.vocabSize = this.vocab.size;
    const ranks = new Map<string, number>();
    merges.forEach((line, rank) => {
      const pair = line.trim();
      if (pair === '') return;
      const parts = pair.split(' ');
      if (parts.length !== 2) throw new Error(`CLIP tokenizer: malformed merge line ${rank + 1}: ${JSON.stringify(line)}`);
      if (!ranks.has(pair)) ranks.set(pair, rank);
    });
    this.bpeRanks = ranks;

    if (!Number.isInteger(options.maxLength) || options.maxLength < 2) {
      throw new Error(`CLIP tokenizer: maxLength must be an integer ≥ 2, got ${options.maxLength}`);
    }
    this.maxLength = options.maxLength;
    const bos = options.bosToken ?? DEFAULT_BOS_TOKEN;
    const eos = options.eosToken ?? DEFAULT_EOS_TOKEN;
    this.bosTokenId = this.requireId(bos, 'bos');
    this.eosTokenId = this.requireId(eos, 'eos');
    this.padToken = options.padToken;
    this.padTokenId = this.requireId(options.padToken, 'pad');
    this.unkTokenId = options.unkToken === undefined ? this.eosTokenId : this.requireId(options.unkToken, 'unk');
    this.specialTokens = new Set([bos, eos]);
  }

  /**
   * Loads a diffusers `tokenizer/` (or `tokenizer_2/`) folder: vocab.json, merges.txt and
   * tokenizer_config.json and/or special_tokens_map.json (the latter wins, as in transformers' from_pretrained).
   */
  static async fromFolder(tokenizerDir: string): Promise<ClipTokenizer> {
    const vocabPath = path.join(tokenizerDir, 'vocab.json');
    const mergesPath = path.join(tokenizerDir, 'merges.txt');
    const vocabJson = await readJsonFile(vocabPath, true);
    if (!isPlainObject(vocabJson)) throw new Error(`CLIP tokenizer: ${vocabPath} is not a JSON object of token → id`);
    const vocab = new Map<string, number>();
    for (const [token, id] of Object.entries(vocabJson)) {
      if (!Number.isInteger(id)) throw new Error(`CLIP tokenizer: ${vocabPath}: id of ${JSON.stringify(token)} is not an integer`);
      vocab.set(token, id as number);
    }

    let mergesText: string;
    try {
      mergesText = await fs.readFile(mergesPath, 'utf8');
    } catch (error) {
      throw new Error(`CLIP tokenizer: cannot read ${mergesPath}: ${(error as Error).message}`);
    }
    const mergeLines = mergesText.split(/\r?\n/);
    if (mergeLines.length > 0 && mergeLines[0].startsWith('#version')) mergeLines.shift();
    const merges = mergeLines.filter((line) => line.trim() !== '');
    for (let i = 0; i < merges.length; i++) {
      if (merges[i].trim().split(' ').length !== 2) {
        throw new Error(`CLIP tokenizer: ${mergesPath}: malformed merge ${JSON.stringify(merges[i])} (expected "a b")`);
      }
    }
    if (merges.length === 0) throw new Error(`CLIP tokenizer: ${mergesPath} has no merges`);

    const configPath = path.join(tokenizerDir, 'tokenizer_config.json');
    const specialPath = path.join(tokenizerDir, 'special_tokens_map.json');
    const config = await readJsonFile(configPath, false);
    const special = await readJsonFile(specialPath, false);
    if (config !== undefined && !isPlainObject(config)) throw new Error(`CLIP tokenizer: ${configPath} is not a JSON object`);
    if (special !== undefined && !isPlainObject(special)) throw new Error(`CLIP tokenizer: ${specialPath} is not a JSON object`);

    const tokenSetting = (key: string): string | undefined =>
      tokenContent(special?.[key], specialPath, key) ?? tokenContent(config?.[key], configPath, key);

    const eosToken = tokenSetting('eos_token') ?? DEFAULT_EOS_TOKEN;
    const options: ClipTokenizerOptions = {
      bosToken: tokenSetting('bos_token') ?? DEFAULT_BOS_TOKEN,
      eosToken,
      // HF CLIPTokenizer's default pad_token is '<|endoftext|>' (SD1); SD2/Turbo configs say "!".
      padToken: tokenSetting('pad_token') ?? DEFAULT_EOS_TOKEN,
      unkToken: tokenSetting('unk_token'),
      maxLength: sensibleMaxLength(config?.model_max_length),
    };
    for (const [name, token] of Object.entries({ bos: options.bosToken, eos: options.eosToken, pad: options.padToken, unk: options.unkToken })) {
      if (token !== undefined && !vocab.has(token)) {
        throw new Error(`CLIP tokenizer: ${name} token ${JSON.stringify(token)} (from ${tokenizerDir}) is not in ${vocabPath}`);
      }
    }
    return new ClipTokenizer(vocab, merges, options);
  }

  /** BPE tokens of the prompt, without bos/eos framing. */
  tokenize(text: string): string[] {
    const tokens: string[] = [];
    for (const match of normalize(text).matchAll(PRE_TOKENIZE)) {
      const word = match[0];
      if (this.specialTokens.has(word)) {
        tokens.push(word);
        continue;
      }
      for (const token of this.bpe(word)) tokens.push(token);
    }
    return tokens;
  }

  /** Ids of the prompt framed, truncated and padded to exactly maxLength (diffusers padding="max_length", truncation=True). */
  encode(text: string): TokenizedPrompt {
    const tokens = this.tokenize(text);
    const room = this.maxLength - 2;
    const kept = tokens.length > room ? tokens.slice(0, room) : tokens;
    const ids = new Array<number>(this.maxLength).fill(this.padTokenId);
    ids[0] = this.bosTokenId;
    for (let i = 0; i < kept.length; i++) ids[i + 1] = this.tokenId(kept[i]);
    ids[kept.length + 1] = this.eosTokenId;
    const result: TokenizedPrompt = { ids, truncated: tokens.length > room, tokenCount: tokens.length };
    if (result.truncated) result.droppedText = this.detokenize(tokens.slice(room));
    return result;
  }

  /** Id of one BPE token; unknown symbols map to the unk (= eos) id. */
  tokenId(token: string): number {
    return this.vocab.get(token) ?? this.unkTokenId;
  }

  /** Text of a token sequence (simple_tokenizer.py decode): '</w>' becomes a space, bytes are UTF-8 decoded. */
  detokenize(tokens: readonly string[]): string {
    return tokens
      .join('')
      .split(END_OF_WORD)
      .map(unicodeSymbolsToText)
      .join(' ')
      .replace(/ +/g, ' ')
      .trim();
  }

  /** Byte-level BPE of one pre-token (simple_tokenizer.py bpe), cached per word. */
  private bpe(word: string): readonly string[] {
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;

    let symbols = bytesToUnicodeSymbols(word);
    symbols[symbols.length - 1] += END_OF_WORD;
    while (symbols.length > 1) {
      let bestRank = Infinity;
      let first = '';
      let second = '';
      for (let i = 0; i < symbols.length - 1; i++) {
        const rank = this.bpeRanks.get(symbols[i] + ' ' + symbols[i + 1]);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          first = symbols[i];
          second = symbols[i + 1];
        }
      }
      if (bestRank === Infinity) break;
      // Merge every occurrence of (first, second), left to right.
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; ) {
        if (i < symbols.length - 1 && symbols[i] === first && symbols[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(symbols[i]);
          i += 1;
        }
      }
      symbols = merged;
    }

    if (this.cache.size >= BPE_CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, symbols);
    return symbols;
  }

  private requireId(token: string, role: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) throw new Error(`CLIP tokenizer: ${role} token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }
}

/** HF fast tokenizer normaliser (CLIPConverter): NFC → Replace(\s+, " ") → Lowercase; plus trim. */
function normalize(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').toLowerCase().trim();
}

function sensibleMaxLength(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 2 && value <= MAX_SENSIBLE_MODEL_MAX_LENGTH) return value;
  return DEFAULT_MODEL_MAX_LENGTH;
}

/** A special-token setting is either "token" or an AddedToken object {content: "token", ...}. */
function tokenContent(value: unknown, file: string, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (isPlainObject(value) && typeof value.content === 'string') return value.content;
  throw new Error(`CLIP tokenizer: ${file}: ${key} must be a string or {"content": string}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJsonFile(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`CLIP tokenizer: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`CLIP tokenizer: ${file} is not valid JSON: ${(error as Error).message}`);
  }
}
