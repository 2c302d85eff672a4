// Prompt weights on encoded chunks (stable-diffusion-webui `modules/sd_emphasis.py`, `modules/sd_hijack_clip.py`
// forward), checked in closed form on a text encoder whose hidden state of each token is a one-hot colour feature.
import * as assert from 'node:assert/strict';
import { tokenizePromptChunks } from '../../src/common/prompt/promptChunks';
import { padToSameChunkCount } from '../../src/common/prompt/padToSameChunkCount';
import type { PromptTokenizer } from '../../src/common/prompt/promptTokenizer';
import { applyEmphasis } from '../../src/engine/prompt/applyEmphasis';
import { encodePromptPair } from '../../src/engine/prompt/encodePromptPair';
import { concatenateHiddenAxis, encodeWeightedPrompts, type ChunkEncoder } from '../../src/engine/prompt/encodeWeightedPrompts';

const BOS = 100;
const EOS = 101;
const COLOURS = ['red', 'green', 'blue'];
/** Features: red, green, blue, bos, eos, anything else. */
const HIDDEN = 6;

const tokenizer: PromptTokenizer = {
  maxLength: 77,
  bosTokenId: BOS,
  eosTokenId: EOS,
  padTokenId: EOS,
  commaTokenId: 7,
  encode: (text) => (text.match(/,|[^\s,]+/g) ?? []).map((w) => (w === ',' ? 7 : COLOURS.includes(w) ? COLOURS.indexOf(w) : 50)),
};

function feature(id: number): number {
  if (id < COLOURS.length) return id;
  if (id === BOS) return 3;
  if (id === EOS) return 4;
  return 5;
}

/** Each token's hidden state is its one-hot feature; the pooled output is the row's feature histogram. */
const calls: number[][][] = [];
const oneHotEncoder: ChunkEncoder = async (rows) => {
  calls.push(rows.map((r) => [...r]));
  return rows.map((row) => {
    const hidden = new Float32Array(row.length * HIDDEN);
    const pooled = new Float32Array(HIDDEN);
    row.forEach((id, t) => {
      hidden[t * HIDDEN + feature(id)] = 1;
      pooled[feature(id)] += 1;
    });
    return { hidden, pooled };
  });
};

async function encode(prompt: string, mode: 'Original' | 'No norm' = 'Original') {
  const [e] = await encodeWeightedPrompts([tokenizePromptChunks(prompt, tokenizer)], oneHotEncoder, mode);
  return e;
}

const at = (e: { hidden: Float32Array }, token: number, f: number): number => e.hidden[token * HIDDEN + f];

function assertClose(actual: Float32Array, expected: ArrayLike<number>, tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `index ${i}: ${actual[i]} ≠ ${expected[i]}`);
  }
}

describe('applyEmphasis (A1111 sd_emphasis.py)', () => {
  it('Original: multiplies each token by its weight, then restores the chunk’s mean', () => {
    const hidden = Float32Array.from([1, 2, 3, 4, -1, 5]); // 3 tokens × 2 features, mean 14/6
    const weights = [1, 2, 0.5];
    const out = applyEmphasis(hidden, weights, 2, 'Original');
    const weighted = [1, 2, 6, 8, -0.5, 2.5]; // mean 19/6
    assertClose(out, weighted.map((v) => (v * 14) / 19));
    const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(out) - mean(hidden)) < 1e-6);
  });
  it('No norm: the multiply only; Ignore and None: unchanged', () => {
    const hidden = Float32Array.from([1, 2, 3, 4]);
    assertClose(applyEmphasis(hidden, [2, 3], 2, 'No norm'), [2, 4, 9, 12]);
    assertClose(applyEmphasis(hidden, [2, 3], 2, 'Ignore'), hidden);
    assertClose(applyEmphasis(hidden, [2, 3], 2, 'None'), hidden);
  });
  it('refuses weights that do not match the hidden states', () => {
    assert.throws(() => applyEmphasis(new Float32Array(6), [1, 1], 2, 'Original'), /2 weights × 2 features/);
  });
});

describe('encodeWeightedPrompts on one-hot colour features', () => {
  it('(red:1.5) green differs from red green exactly by the mean-restoring rule', async () => {
    const plain = await encode('red green');
    const weighted = await encode('(red:1.5) green');
    assert.equal(weighted.sequenceLength, 77);
    assert.equal(weighted.hiddenSize, HIDDEN);
    // Every token's one-hot row sums to 1: the sum before weighting is 77, after it 77 + 0.5.
    const scale = 77 / 77.5;
    const expected = new Float32Array(plain.hidden.length);
    for (let t = 0; t < 77; t++) {
      const w = t === 1 ? 1.5 : 1;
      for (let f = 0; f < HIDDEN; f++) expected[t * HIDDEN + f] = plain.hidden[t * HIDDEN + f] * w * scale;
    }
    assertClose(weighted.hidden, expected);
    assert.ok(Math.abs(at(weighted, 1, 0) - 1.5 * scale) < 1e-6); // red
    assert.ok(Math.abs(at(weighted, 2, 1) - scale) < 1e-6); // green, scaled down by red's emphasis
  });

  it('No norm multiplies only', async () => {
    const weighted = await encode('(red:1.5) green', 'No norm');
    assert.equal(at(weighted, 1, 0), 1.5);
    assert.equal(at(weighted, 2, 1), 1);
    assert.equal(at(weighted, 0, 3), 1);
  });

  it('(red:1.5) BREAK green normalises each chunk alone: green’s chunk is exactly `green`', async () => {
    const split = await encode('(red:1.5) BREAK green');
    assert.equal(split.sequenceLength, 154);
    const redAlone = await encode('(red:1.5)');
    const greenAlone = await encode('green');
    assertClose(split.hidden.subarray(0, 77 * HIDDEN), redAlone.hidden);
    assertClose(split.hidden.subarray(77 * HIDDEN), greenAlone.hidden, 0);
    assert.ok(Math.abs(at(split, 1, 0) - (1.5 * 77) / 77.5) < 1e-6);
    assert.equal(at(split, 77 + 1, 1), 1); // green untouched by red's weight
  });

  it('counts a colour word after 80 filler words (second chunk)', async () => {
    const e = await encode(`${new Array(80).fill('photo').join(' ')} (red:1.2)`);
    assert.equal(e.sequenceLength, 154);
    // second chunk: BOS, 5 × photo, red at token 6 of that chunk
    const redRow = 77 + 6;
    const scale = 77 / (77 + 0.2);
    assert.ok(Math.abs(at(e, redRow, 0) - 1.2 * scale) < 1e-6);
    // first chunk is all weight 1.0: unchanged
    assert.equal(at(e, 1, 5), 1);
  });

  it('encodes negative and prompt in one batch, padded to the same chunks, pooled from the first chunk', async () => {
    calls.length = 0;
    const negative = tokenizePromptChunks(`${new Array(80).fill('blurry').join(' ')}`, tokenizer);
    const prompt = tokenizePromptChunks('(red:1.5) green', tokenizer);
    const [neg, pos] = await encodeWeightedPrompts(padToSameChunkCount([negative, prompt], tokenizer), oneHotEncoder, 'Original');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].length, 4);
    assert.equal(neg.sequenceLength, 154);
    assert.equal(pos.sequenceLength, 154);
    // the prompt's padding chunk is BOS + EOS…, weight 1.0: unchanged
    assert.equal(at(pos, 77, 3), 1);
    assert.equal(at(pos, 78, 4), 1);
    // pooled: first chunk's histogram, not weighted
    assert.deepEqual(Array.from(pos.pooled!), [1, 1, 0, 1, 74, 0]);
    assert.deepEqual(Array.from(neg.pooled!), [0, 0, 0, 1, 1, 75]);
  });

  it('concatenates two encoders on the hidden axis (SDXL)', () => {
    const a = { hidden: Float32Array.from([1, 2, 3, 4]), sequenceLength: 2, hiddenSize: 2 };
    const b = { hidden: Float32Array.from([9, 8]), sequenceLength: 2, hiddenSize: 1 };
    const c = concatenateHiddenAxis([a, b]);
    assert.deepEqual(Array.from(c.hidden), [1, 2, 9, 3, 4, 8]);
    assert.equal(c.hiddenSize, 3);
    assert.throws(() => concatenateHiddenAxis([a, { ...b, sequenceLength: 3 }]), /must match/);
  });

  it('fails when the encoder returns the wrong number of rows', async () => {
    const bad: ChunkEncoder = async () => [];
    await assert.rejects(encodeWeightedPrompts([tokenizePromptChunks('red', tokenizer)], bad, 'Original'), /0 rows for 1 prompt chunks/);
  });
});

describe('encodePromptPair (what the conditioning calls)', () => {
  const filler = (n: number): string => new Array(n).fill('blurry').join(' ');

  it('pads a short prompt to a long negative prompt and applies both, in one encoder batch', async () => {
    calls.length = 0;
    const r = await encodePromptPair({ prompt: '(red:1.5) green', negativePrompt: `${filler(80)} blue`, tokenizer, encode: oneHotEncoder });
    assert.equal(calls.length, 1);
    assert.equal(r.cond.sequenceLength, 154);
    assert.equal(r.uncond!.sequenceLength, 154);
    assert.equal(at(r.uncond!, 77 + 6, 2), 1); // "blue" in the negative's second chunk
    assert.ok(Math.abs(at(r.cond, 1, 0) - (1.5 * 77) / 77.5) < 1e-6);
    assert.deepEqual(r.tokenCount, { prompt: 2, negativePrompt: 81 });
    assert.deepEqual(r.warnings, []);
  });

  it('takes <lora:…> tags out of the encoded prompt and returns them', async () => {
    const withTag = await encodePromptPair({ prompt: 'red <lora:film:0.7> green', negativePrompt: '', tokenizer, encode: oneHotEncoder });
    const without = await encodePromptPair({ prompt: 'red  green', negativePrompt: '', tokenizer, encode: oneHotEncoder });
    assert.deepEqual(withTag.cond.hidden, without.cond.hidden);
    assert.deepEqual(withTag.networks.map((n) => [n.name, n.weight]), [['film', 0.7]]);
  });

  it('truncates to a static UNet sequence length and warns', async () => {
    const r = await encodePromptPair({ prompt: `${filler(80)} red`, negativePrompt: 'green', tokenizer, encode: oneHotEncoder, maxChunks: 1 });
    assert.equal(r.cond.sequenceLength, 77);
    assert.equal(r.uncond!.sequenceLength, 77);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /^The prompt is 81 tokens in 2 chunks; this model's UNet takes 75 tokens \(1 chunk of 75\)\. 6 tokens are ignored\.$/);
  });

  it('encodes no uncond without guidance, and reports a non-default emphasis for the infotext', async () => {
    calls.length = 0;
    const r = await encodePromptPair({ prompt: '(red:1.5)', negativePrompt: null, tokenizer, encode: oneHotEncoder, emphasis: 'No norm' });
    assert.equal(r.uncond, null);
    assert.equal(calls[0].length, 1);
    assert.equal(at(r.cond, 1, 0), 1.5);
    assert.equal(r.emphasisInfotext, 'No norm');
    const plain = await encodePromptPair({ prompt: 'red', negativePrompt: null, tokenizer, encode: oneHotEncoder, emphasis: 'No norm' });
    assert.equal(plain.emphasisInfotext, undefined);
  });
});
