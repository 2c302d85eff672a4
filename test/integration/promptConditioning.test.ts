// The prompt core (src/common/prompt, src/engine/prompt) over the engine's real ClipTokenizer and ONNX TextEncoder,
// on the analytic model whose text encoder turns each concept word into a one-hot row: A1111's emphasis, BREAK and
// long prompts (stable-diffusion-webui `modules/sd_hijack_clip.py`, `modules/sd_emphasis.py`) in closed form.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextEncoder } from '../../src/engine/components/textEncoder';
import { clipPromptTokenizer } from '../../src/engine/prompt/clipPromptTokenizer';
import { encodePromptPair } from '../../src/engine/prompt/encodePromptPair';
import type { ChunkEncoder } from '../../src/engine/prompt/encodeWeightedPrompts';
import { OnnxSession } from '../../src/engine/runtime/ort';
import { ClipTokenizer } from '../../src/engine/tokenizer/clipTokenizer';
import type { PromptTokenizer } from '../../src/common/prompt/promptTokenizer';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { concepts, EMBEDDING_DIM } from '../../tools/analytic/concepts';

const dimOf = (word: string): number => concepts.findIndex((c) => c.word === word);

describe('prompt conditioning on the analytic model (real tokenizer and text encoder)', function () {
  let root: string;
  let session: OnnxSession;
  let tokenizer: PromptTokenizer;
  let encode: ChunkEncoder;

  before(async function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'prompt-conditioning-'));
    await writeAnalyticModel(root);
    tokenizer = clipPromptTokenizer(await ClipTokenizer.fromFolder(path.join(root, 'tokenizer')));
    session = await OnnxSession.create(path.join(root, 'text_encoder', 'model.onnx'), { provider: 'cpu' });
    const textEncoder = new TextEncoder(session);
    encode = async (rows) => (await textEncoder.encode(rows.map((r) => [...r]))).embeddings.map((hidden) => ({ hidden }));
  });

  after(async function () {
    await session?.release();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const cond = async (prompt: string) => (await encodePromptPair({ prompt, negativePrompt: null, tokenizer, encode })).cond;
  const row = (e: { hidden: Float32Array; hiddenSize: number }, t: number): number[] =>
    Array.from(e.hidden.subarray(t * e.hiddenSize, (t + 1) * e.hiddenSize));
  const sum = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0);

  it('(red:1.5) green differs from red green exactly by the mean-restoring rule', async () => {
    const plain = await cond('red green');
    const weighted = await cond('(red:1.5) green');
    assert.equal(plain.hiddenSize, EMBEDDING_DIM);
    const redRow = row(plain, 1);
    assert.equal(redRow[dimOf('red')], 1);
    // weighted = w · plain · (Σ plain / Σ w · plain)
    const weightedSum = sum(plain.hidden) + 0.5 * sum(redRow);
    const scale = sum(plain.hidden) / weightedSum;
    for (let t = 0; t < 77; t++) {
      const w = t === 1 ? 1.5 : 1;
      row(plain, t).forEach((v, f) => assert.ok(Math.abs(row(weighted, t)[f] - v * w * scale) < 1e-6, `token ${t} feature ${f}`));
    }
    assert.ok(row(weighted, 1)[dimOf('red')] > row(weighted, 2)[dimOf('green')]);
  });

  it('(red:1.5) BREAK green normalises each chunk alone', async () => {
    const split = await cond('(red:1.5) BREAK green');
    assert.equal(split.sequenceLength, 154);
    const green = await cond('green');
    assert.deepEqual(Array.from(split.hidden.subarray(77 * EMBEDDING_DIM)), Array.from(green.hidden));
    const red = await cond('(red:1.5)');
    assert.deepEqual(Array.from(split.hidden.subarray(0, 77 * EMBEDDING_DIM)), Array.from(red.hidden));
  });

  it('a colour word after 80 filler words counts (second chunk)', async () => {
    const e = await cond(`${'a '.repeat(80)}red`);
    assert.equal(e.sequenceLength, 154);
    assert.equal(row(e, 77 + 6)[dimOf('red')], 1);
  });

  it('pads a short prompt to a long negative prompt, and a static UNet truncates and warns', async () => {
    const long = `${'a '.repeat(80)}blue`;
    const r = await encodePromptPair({ prompt: 'red', negativePrompt: long, tokenizer, encode });
    assert.equal(r.cond.sequenceLength, 154);
    assert.equal(r.uncond!.sequenceLength, 154);
    assert.equal(row(r.uncond!, 77 + 6)[dimOf('blue')], 1);
    const fixed = await encodePromptPair({ prompt: 'red', negativePrompt: long, tokenizer, encode, maxChunks: 1 });
    assert.equal(fixed.uncond!.sequenceLength, 77);
    assert.deepEqual(fixed.warnings, [
      'The negative prompt is 81 tokens in 2 chunks; this model\'s UNet takes 75 tokens (1 chunk of 75). Ignored (6 tokens): "a a a a a blue".',
    ]);
  });
});
