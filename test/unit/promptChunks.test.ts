// The chunker against A1111's tokenize_line rules (stable-diffusion-webui `modules/sd_hijack_clip.py`): 75-token
// chunks, comma backtracking, BREAK, empty prompts, SD 2.x padding; cond/uncond padding; truncation; the counter.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { emptyPromptChunk, tokenizePromptChunks, type PromptChunks } from '../../src/common/prompt/promptChunks';
import { padToSameChunkCount } from '../../src/common/prompt/padToSameChunkCount';
import { formatPromptTokenCount, promptTokenCount } from '../../src/common/prompt/promptTokenCount';
import type { PromptTokenizer } from '../../src/common/prompt/promptTokenizer';
import { truncatePromptChunks } from '../../src/common/prompt/truncatePromptChunks';
import { clipPromptTokenizer } from '../../src/engine/prompt/clipPromptTokenizer';
import { BYTE_TO_UNICODE } from '../../src/engine/tokenizer/bytesToUnicode';
import { ClipTokenizer } from '../../src/engine/tokenizer/clipTokenizer';

const BOS = 49406;
const EOS = 49407;
const COMMA = 267;

/** Words are their own ids ("5" → 5), ',' is the comma id: chunk positions can be read off the ids. */
function numberTokenizer(padTokenId = EOS): PromptTokenizer {
  return {
    maxLength: 77,
    bosTokenId: BOS,
    eosTokenId: EOS,
    padTokenId,
    commaTokenId: COMMA,
    encode: (text) => (text.match(/,|[^\s,]+/g) ?? []).map((w) => (w === ',' ? COMMA : Number(w))),
    decode: (ids) => ids.map((id) => (id === COMMA ? ',' : String(id))).join(' '),
  };
}

/** "1 2 … n" */
const words = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => String(from + i)).join(' ');
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const text = (chunk: { ids: number[]; textTokens: number }): number[] => chunk.ids.slice(1, 1 + chunk.textTokens);

describe('tokenizePromptChunks (A1111 tokenize_line)', () => {
  const tok = numberTokenizer();

  it('gives an empty prompt one chunk of BOS and EOS, token count 0', () => {
    const r = tokenizePromptChunks('', tok);
    assert.equal(r.chunks.length, 1);
    assert.deepEqual(r.chunks[0].ids, [BOS, ...new Array(76).fill(EOS)]);
    assert.deepEqual(r.chunks[0].weights, new Array(77).fill(1));
    assert.equal(r.tokenCount, 0);
    assert.deepEqual(r.chunks[0], emptyPromptChunk(tok));
  });

  it('frames a short prompt: BOS, tokens, EOS padding to 77, weight 1.0 outside the text', () => {
    const r = tokenizePromptChunks('1 (2:1.5) 3', tok);
    assert.equal(r.chunks.length, 1);
    const c = r.chunks[0];
    assert.deepEqual(c.ids.slice(0, 5), [BOS, 1, 2, 3, EOS]);
    assert.equal(c.ids.length, 77);
    assert.deepEqual(c.weights.slice(0, 5), [1, 1, 1.5, 1, 1]);
    assert.ok(c.weights.slice(4).every((w) => w === 1));
    assert.equal(r.tokenCount, 3);
  });

  it('holds exactly 75 tokens in one chunk and starts a second at the 76th', () => {
    const r75 = tokenizePromptChunks(words(1, 75), tok);
    assert.equal(r75.chunks.length, 1);
    assert.deepEqual(r75.chunks[0].ids, [BOS, ...range(1, 75), EOS]);
    assert.equal(r75.tokenCount, 75);

    const r76 = tokenizePromptChunks(words(1, 76), tok);
    assert.equal(r76.chunks.length, 2);
    assert.deepEqual(text(r76.chunks[0]), range(1, 75));
    assert.deepEqual(text(r76.chunks[1]), [76]);
    assert.equal(r76.tokenCount, 76);
  });

  it('moves the words after a comma ≤ 20 tokens back into the next chunk, with their weights', () => {
    // 70 words, a comma (position 70), then (71 72 73 74 75:1.3) and more: the chunk fills at 75 tokens, the comma
    // is 5 back, so 71…74 move on; the comma stays at the end of the first chunk.
    const prompt = `${words(1, 70)}, (${words(71, 76)}:1.3) ${words(77, 80)}`;
    const r = tokenizePromptChunks(prompt, tok);
    assert.equal(r.chunks.length, 2);
    assert.deepEqual(text(r.chunks[0]), [...range(1, 70), COMMA]);
    assert.equal(r.chunks[0].textTokens, 71);
    assert.deepEqual(r.chunks[0].ids.slice(72), new Array(5).fill(EOS));
    assert.deepEqual(text(r.chunks[1]), range(71, 80));
    assert.deepEqual(r.chunks[1].weights.slice(0, 12), [1, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1, 1, 1, 1, 1]);
    // next_chunk() counts a relocated chunk as full: 75 + 10
    assert.equal(r.tokenCount, 85);
  });

  it('does not backtrack past 20 tokens, nor at all when the setting is 0', () => {
    const far = `${words(1, 54)}, ${words(55, 80)}`; // comma at position 54: 75 − 54 = 21 > 20
    const r = tokenizePromptChunks(far, tok);
    assert.deepEqual(text(r.chunks[0]), [...range(1, 54), COMMA, ...range(55, 74)]);
    assert.equal(r.chunks[0].textTokens, 75);

    const near = `${words(1, 70)}, ${words(71, 80)}`;
    assert.equal(tokenizePromptChunks(near, tok).chunks[0].textTokens, 71);
    assert.equal(tokenizePromptChunks(near, tok, { commaPaddingBacktrack: 0 }).chunks[0].textTokens, 75);
    assert.equal(tokenizePromptChunks(far, tok, { commaPaddingBacktrack: 21 }).chunks[0].textTokens, 55);
  });

  it('starts a new chunk at BREAK, and adds no empty chunk for a BREAK at a chunk boundary or at the end', () => {
    const r = tokenizePromptChunks('1 2 BREAK 3', tok);
    assert.deepEqual(r.chunks.map(text), [[1, 2], [3]]);
    assert.equal(r.tokenCount, 76);

    const boundary = tokenizePromptChunks(`${words(1, 75)} BREAK 76`, tok);
    assert.deepEqual(boundary.chunks.map(text), [range(1, 75), [76]]);

    assert.equal(tokenizePromptChunks('1 2 BREAK', tok).chunks.length, 1);
    const leading = tokenizePromptChunks('BREAK 1', tok);
    assert.deepEqual(leading.chunks.map(text), [[], [1]]);
  });

  it('pads after the first EOS with the pad id when it differs (SD 2.x, SDXL tokenizer_2)', () => {
    const r = tokenizePromptChunks('1 2', numberTokenizer(0));
    assert.deepEqual(r.chunks[0].ids.slice(0, 5), [BOS, 1, 2, EOS, 0]);
    assert.ok(r.chunks[0].ids.slice(4).every((id) => id === 0));
    assert.deepEqual(emptyPromptChunk(numberTokenizer(0)).ids.slice(0, 3), [BOS, EOS, 0]);
  });

  it('refuses a backtrack the chunk cannot hold', () => {
    assert.throws(() => tokenizePromptChunks('1', tok, { commaPaddingBacktrack: 75 }), /0 to 74/);
    assert.throws(() => tokenizePromptChunks('1', tok, { commaPaddingBacktrack: -1 }), /0 to 74/);
  });
});

describe('padToSameChunkCount', () => {
  const tok = numberTokenizer();
  it('pads the shorter of prompt and negative prompt with empty chunks, either way round', () => {
    const long = tokenizePromptChunks(words(1, 100), tok);
    const short = tokenizePromptChunks('5', tok);
    const [a, b] = padToSameChunkCount([short, long], tok);
    assert.equal(a.chunks.length, 2);
    assert.deepEqual(a.chunks[1], emptyPromptChunk(tok));
    assert.equal(a.tokenCount, 1);
    assert.equal(b, long);
    const [c, d] = padToSameChunkCount([long, short], tok);
    assert.equal(c, long);
    assert.deepEqual(d.chunks.map(text), [[5], []]);
  });
});

describe('truncatePromptChunks (static sequence length)', () => {
  const tok = numberTokenizer();
  it('keeps what the UNet takes and says what was dropped', () => {
    const r = truncatePromptChunks(tokenizePromptChunks(words(1, 80), tok), 1, tok, 'prompt');
    assert.equal(r.prompt.chunks.length, 1);
    assert.equal(r.prompt.tokenCount, 75);
    assert.match(r.warning ?? '', /^The prompt is 80 tokens in 2 chunks; this model's UNet takes 75 tokens \(1 chunk of 75\)\. Ignored \(5 tokens\): "76 77 78 79 80"\.$/);
  });
  it('drops padding chunks silently and leaves a prompt that fits alone', () => {
    const tok0 = numberTokenizer();
    const [padded] = padToSameChunkCount([tokenizePromptChunks('1', tok0), tokenizePromptChunks(words(1, 80), tok0)], tok0);
    const r = truncatePromptChunks(padded, 1, tok0, 'prompt');
    assert.equal(r.prompt.chunks.length, 1);
    assert.equal(r.warning, undefined);
    const fits = tokenizePromptChunks('1 2', tok0);
    assert.equal(truncatePromptChunks(fits, 1, tok0, 'prompt').prompt, fits);
  });
  it('counts tokens when the tokenizer cannot decode', () => {
    const { decode: _decode, ...noDecode } = numberTokenizer();
    const r = truncatePromptChunks(tokenizePromptChunks(words(1, 80), noDecode), 1, noDecode, 'negative prompt');
    assert.match(r.warning ?? '', /The negative prompt .* 5 tokens are ignored\.$/);
  });
});

describe('promptTokenCount (A1111 token counter)', () => {
  const tok = numberTokenizer();
  it('shows tokens used over the chunks’ capacity', () => {
    assert.equal(formatPromptTokenCount(promptTokenCount('', tok)), '0/75');
    assert.equal(formatPromptTokenCount(promptTokenCount(words(1, 75), tok)), '75/75');
    assert.equal(formatPromptTokenCount(promptTokenCount(words(1, 82), tok)), '82/150');
    assert.equal(formatPromptTokenCount(promptTokenCount('1 BREAK 2', tok)), '76/150');
  });
  it('does not count extra-network tags', () => {
    assert.deepEqual(promptTokenCount('1 2 <lora:detail:0.8>', tok), { used: 2, limit: 75, chunks: 1 });
  });
});

const SHARED_DATA = process.env.LOCAL_DIFFUSION_SHARED_DATA ?? path.resolve(__dirname, '../../../../shared/data');
const BPE_GZ = path.join(SHARED_DATA, 'clip', 'bpe_simple_vocab_16e6.txt.gz');

describe('tokenizePromptChunks with the real CLIP vocabulary', function () {
  let clip: PromptTokenizer;
  before(function () {
    if (!fs.existsSync(BPE_GZ)) this.skip();
    // The HF vocab.json / merges.txt pair rebuilt from OpenAI's merge list (as test/unit/clipTokenizer.test.ts).
    const lines = zlib.gunzipSync(fs.readFileSync(BPE_GZ)).toString('utf8').split('\n');
    const merges = lines.slice(1, 49152 - 256 - 2 + 1);
    const bytes = [...BYTE_TO_UNICODE].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    const tokens = [...bytes, ...bytes.map((s) => s + '</w>'), ...merges.map((m) => m.split(' ').join(''))];
    tokens.push('<|startoftext|>', '<|endoftext|>');
    clip = clipPromptTokenizer(new ClipTokenizer(new Map(tokens.map((t, i) => [t, i])), merges, { padToken: '<|endoftext|>', maxLength: 77 }));
  });

  it('finds the comma token and weights the words of (masterpiece:1.2)', () => {
    assert.equal(clip.commaTokenId, COMMA);
    const r = tokenizePromptChunks('(masterpiece:1.2), best quality', clip);
    assert.deepEqual(r.chunks[0].ids.slice(0, 6), [BOS, 12066, COMMA, 949, 3027, EOS]);
    assert.deepEqual(r.chunks[0].weights.slice(0, 6), [1, 1.2, 1, 1, 1, 1]);
  });

  it('encodes the brackets as text with emphasis "None"', () => {
    const r = tokenizePromptChunks('(masterpiece:1.2)', clip, { emphasis: 'None' });
    assert.deepEqual(r.chunks[0].ids.slice(0, 9), [BOS, 263, 12066, 281, 272, 269, 273, 264, EOS]);
    assert.ok(r.chunks[0].weights.every((w) => w === 1));
  });

  it('puts a colour word after 80 filler words in the second chunk, and decodes what truncation drops', () => {
    const prompt = `${new Array(80).fill('photo').join(' ')} red`;
    const r = tokenizePromptChunks(prompt, clip);
    assert.equal(r.chunks.length, 2);
    assert.equal(r.tokenCount, 81);
    const red = clip.encode('red');
    assert.deepEqual(text(r.chunks[1]), [...clip.encode('photo photo photo photo photo'), ...red]);
    const t = truncatePromptChunks(r, 1, clip, 'prompt');
    assert.match(t.warning ?? '', /Ignored \(6 tokens\): "photo photo photo photo photo red"\.$/);
  });
});

// Keep the type import used when the CLIP data is absent.
export type { PromptChunks };
