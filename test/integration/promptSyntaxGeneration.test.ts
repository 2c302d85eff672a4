// A1111 prompt syntax through the whole engine (generate → PNG) on analytic models, whose UNet paints the colour
// the sum of encoder_hidden_states over the sequence names (tools/analytic/): each case's image is the closed form
// of stable-diffusion-webui's rules (`modules/sd_emphasis.py` Original / No norm, `modules/sd_hijack_clip.py`
// chunks, BREAK and clip skip), not a recorded output.
//
// On the default analytic model a concept word is a one-hot row and every other token a zero row, so a chunk's
// mean-restoring rule ("Original") reads: weighted = w · plain · (Σ plain / Σ w · plain), per 77-token chunk.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import type { EmphasisMode } from '../../src/common/prompt/emphasisMode';
import type { GenerateResult, ModelRef } from '../../src/common/protocol/engineProtocol';
import { Engine } from '../../src/engine/engine';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import type { AnalyticModelOptions } from '../../tools/analytic/analyticModelOptions';
import { AnalyticOracle } from '../../tools/analytic/analyticOracle';
import { concepts, EMBEDDING_DIM } from '../../tools/analytic/concepts';
import { analyticModelCache, maxByteDiff, planarToBytes, resultRgb } from '../fixtures/analyticImages';

const SIZE = 64;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-prompt-syntax-'));
const model = analyticModelCache(root);

/** Concept weights [D] with the named words at the given values. */
function weights(values: Record<string, number>): Float32Array {
  const w = new Float32Array(EMBEDDING_DIM);
  for (const [word, value] of Object.entries(values)) w[concepts.findIndex((c) => c.word === word)] = value;
  return w;
}

interface Case {
  prompt: string;
  negativePrompt?: string;
  guidanceScale?: number;
  emphasis?: EmphasisMode;
  clipSkip?: number;
}

describe('A1111 prompt syntax through the engine (closed-form colours)', function () {
  this.timeout(120_000);
  const engine = new Engine();
  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const generate = async (dir: string, c: Case): Promise<GenerateResult> => {
    const ref: ModelRef = { dir };
    return engine.generate({
      task: 'txt2img',
      model: ref,
      executionProvider: 'cpu',
      width: SIZE,
      height: SIZE,
      steps: 6,
      seed: '7',
      scheduler: 'euler',
      guidanceScale: c.guidanceScale ?? 1,
      prompt: c.prompt,
      ...(c.negativePrompt !== undefined ? { negativePrompt: c.negativePrompt } : {}),
      ...(c.emphasis ? { emphasis: c.emphasis } : {}),
      ...(c.clipSkip !== undefined ? { clipSkip: c.clipSkip } : {}),
    });
  };
  const oracle = new AnalyticOracle();
  const expected = (w: Float32Array): Uint8Array => planarToBytes(oracle.expectedImage(w, SIZE, SIZE), SIZE, SIZE);
  const infotext = (result: GenerateResult) => parseA1111Parameters(result.images[0].parameters);

  it('(red:1.5) green differs from red green exactly by the mean-restoring rule', async () => {
    const dir = await model('default');
    // Σ plain = 2 (red, green), Σ weighted = 1.5 + 1: every row × 2 / 2.5.
    const scale = 2 / 2.5;
    const weighted = await resultRgb(await generate(dir, { prompt: '(red:1.5) green' }));
    assert.ok(maxByteDiff(weighted, expected(weights({ red: 1.5 * scale, green: scale }))) <= 1);
    const plain = await resultRgb(await generate(dir, { prompt: 'red green' }));
    assert.ok(maxByteDiff(plain, expected(weights({ red: 1, green: 1 }))) <= 1);
    assert.ok(maxByteDiff(weighted, plain) > 10, 'the weight shows');
  });

  it('(red:1.5) BREAK green equals red green: each chunk is normalised alone (red ×1.5 × 1/1.5)', async () => {
    const dir = await model('default');
    const split = await generate(dir, { prompt: '(red:1.5) BREAK green' });
    const plain = await generate(dir, { prompt: 'red green' });
    assert.equal(maxByteDiff(await resultRgb(split), await resultRgb(plain)), 0);
  });

  it('a colour word after 80 filler words counts (the second chunk)', async () => {
    const dir = await model('default');
    const long = await resultRgb(await generate(dir, { prompt: `${'a '.repeat(80)}red` }));
    assert.ok(maxByteDiff(long, expected(weights({ red: 1 }))) <= 1);
    const filler = await resultRgb(await generate(dir, { prompt: 'a '.repeat(80).trim() }));
    assert.ok(maxByteDiff(long, filler) > 10);
  });

  it('a long negative prompt is padded with the prompt to 2 chunks and applied', async () => {
    const dir = await model('default');
    const result = await generate(dir, { prompt: 'red', negativePrompt: `${'a '.repeat(80)}blue`, guidanceScale: 1.5 });
    const target = oracle.guidedTarget(weights({ blue: 1 }), weights({ red: 1 }), 1.5, SIZE / 8, SIZE / 8);
    assert.ok(maxByteDiff(await resultRgb(result), planarToBytes(oracle.decodeLatent(target, SIZE / 8, SIZE / 8), SIZE, SIZE)) <= 1);
    assert.deepEqual(result.warnings, []);
  });

  it('a static-sequence model takes one chunk: the negative prompt is cut and the warning says what went', async () => {
    const dir = await model('static-batch-1', { batch: 1 });
    const result = await generate(dir, { prompt: 'red', negativePrompt: `${'a '.repeat(80)}blue`, guidanceScale: 1.5 });
    const target = oracle.guidedTarget(weights({}), weights({ red: 1 }), 1.5, SIZE / 8, SIZE / 8);
    assert.ok(maxByteDiff(await resultRgb(result), planarToBytes(oracle.decodeLatent(target, SIZE / 8, SIZE / 8), SIZE, SIZE)) <= 1);
    assert.deepEqual(result.warnings, [
      'The negative prompt is 81 tokens in 2 chunks; this model\'s UNet takes 75 tokens (1 chunk of 75). Ignored (6 tokens): "a a a a a blue".',
    ]);
  });

  it('"No norm" multiplies without restoring the mean, and the infotext says so', async () => {
    const dir = await model('default');
    // Original: (red:0.5) alone is scaled back to Σ = 1, i.e. plain red; No norm keeps red at 0.5 (half the default grey).
    const original = await generate(dir, { prompt: '(red:0.5)' });
    assert.ok(maxByteDiff(await resultRgb(original), expected(weights({ red: 1 }))) <= 1);
    assert.equal(infotext(original).emphasis, undefined);
    const noNorm = await generate(dir, { prompt: '(red:0.5)', emphasis: 'No norm' });
    assert.ok(maxByteDiff(await resultRgb(noNorm), expected(weights({ red: 0.5 }))) <= 1);
    assert.equal(infotext(noNorm).emphasis, 'No norm');
    assert.match(noNorm.images[0].parameters, /, Emphasis: No norm,/);
    // A1111 writes the mode only when the prompts use brackets.
    assert.equal(infotext(await generate(dir, { prompt: 'red', emphasis: 'No norm' })).emphasis, undefined);
  });

  it('clip skip 2 conditions on the penultimate layer through the final layer norm; the infotext says so', async () => {
    const options = { textEncoderLayers: 3 };
    const dir = await model('hidden-states', options);
    const layered = new AnalyticOracle(options);
    // Layer 3 (the last) reads "red" as red and green; layer 2 as red alone (tools/analytic/textEncoderLayers.ts). The
    // position word's weight is not normalised by the UNet, so the circle's place shows whether the norm was applied.
    const prompt = 'a red circle on the left';
    const g = SIZE / 8;
    const last = await generate(dir, { prompt, negativePrompt: 'blue', guidanceScale: 2 });
    const lastTarget = layered.guidedTarget(layered.conceptWeights('blue'), layered.conceptWeights(prompt), 2, g, g);
    assert.ok(maxByteDiff(await resultRgb(last), planarToBytes(layered.decodeLatent(lastTarget, g, g), SIZE, SIZE)) <= 1);
    assert.equal(infotext(last).clipSkip, undefined);

    const skipped = await generate(dir, { prompt, negativePrompt: 'blue', guidanceScale: 2, clipSkip: 2 });
    const skippedTarget = layered.guidedTarget(layered.sumRows(layered.clipSkipped('blue', 2)), layered.sumRows(layered.clipSkipped(prompt, 2)), 2, g, g);
    assert.deepEqual(skipped.warnings, []);
    const image = await resultRgb(skipped);
    assert.ok(maxByteDiff(image, planarToBytes(layered.decodeLatent(skippedTarget, g, g), SIZE, SIZE)) <= 1);
    assert.ok(maxByteDiff(image, await resultRgb(last)) > 10, 'the layers differ');
    const unnormalised = layered.guidedTarget(layered.sumRows(layered.hiddenState('blue', 2)), layered.sumRows(layered.hiddenState(prompt, 2)), 2, g, g);
    assert.ok(maxByteDiff(image, planarToBytes(layered.decodeLatent(unnormalised, g, g), SIZE, SIZE)) > 10, 'the final layer norm is applied');
    assert.equal(infotext(skipped).clipSkip, 2);
    assert.match(skipped.images[0].parameters, /, Clip skip: 2,/);
  });

  it('clip skip on an encoder with only last_hidden_state: a warning, the last layer, no "Clip skip" in the infotext', async () => {
    const dir = await model('default');
    const result = await generate(dir, { prompt: 'red', clipSkip: 2 });
    assert.deepEqual(result.warnings, [
      'Clip skip 2 is unavailable for this model: its text encoder outputs only last_hidden_state, pooler_output (no hidden_states.N; export it with output_hidden_states). Generated without clip skip.',
    ]);
    assert.ok(maxByteDiff(await resultRgb(result), expected(weights({ red: 1 }))) <= 1);
    assert.equal(infotext(result).clipSkip, undefined);
  });
});

describe('the token counter on the engine (the folder\'s tokenizer, no model load)', function () {
  this.timeout(60_000);
  const engine = new Engine();
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-token-count-'));
    await writeAnalyticModel(dir, {});
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts as A1111 shows it: used / chunk capacity, tags removed, BREAK and long prompts in chunks', async () => {
    const { counts } = await engine.countTokens({ dir }, [
      'red green',
      `${'a '.repeat(80)}red`,
      '<lora:detail:0.8> (red:1.5) circle',
      'red BREAK green',
      '',
      '(a:.)',
    ]);
    assert.deepEqual(counts, [
      { used: 2, limit: 75, chunks: 1 },
      { used: 81, limit: 150, chunks: 2 },
      { used: 2, limit: 75, chunks: 1 },
      { used: 76, limit: 150, chunks: 2 },
      { used: 0, limit: 75, chunks: 1 },
      null,
    ]);
    assert.equal(engine.currentModel, undefined, 'nothing was loaded');
    // "None" reads brackets as text: "(", "red", ":", "1", ".", "5", ")" are tokens of their own.
    const literal = await engine.countTokens({ dir }, ['(red:1.5)'], 'None');
    assert.ok(literal.counts[0]!.used > 1, JSON.stringify(literal.counts));
  });

  it('refuses a folder without a tokenizer with a ModelMismatch error', async () => {
    await assert.rejects(engine.countTokens({ dir: path.join(dir, 'unet') }, ['red']), /tokenizer/);
  });
});
