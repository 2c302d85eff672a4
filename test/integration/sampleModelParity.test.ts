// The trained sample model (models/tiny-shapes) against its PyTorch reference sampler (tools/trainSampleModel.py,
// diffusers' StableDiffusionPipeline semantics): the same prompt, negative prompt, seed, steps, guidance and scheduler
// give the same final latents (within 1e-3) and the same image (within 1 level out of 255 on at least 99.9% of the
// channel values). Seamless tiling too: the engine's circular-padding graph edit against PyTorch's padding_mode
// 'circular' on every Conv2d of the UNet and the VAE decoder (A1111's apply_circular). The reference is the stored
// fixture in test/fixtures/parity/; regenerating it needs Python (see models/tiny-shapes/README.md).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Engine } from '../../src/engine/engine';
import { decodeImage } from '../../src/node/image/imageCodec';
import { PipelineModel } from '../../src/engine/model/pipelineModel';
import { graphEditsFor } from '../../src/engine/model/loadEdits';
import { BYTE_TO_UNICODE } from '../../src/engine/tokenizer/bytesToUnicode';
import { ClipTokenizer } from '../../src/engine/tokenizer/clipTokenizer';
import {
  IMAGE_AGREEMENT,
  IMAGE_LEVELS,
  LATENT_TOLERANCE,
  assertMatchesReference,
  imageAgreement,
  maxAbsDiff,
  parityCaseParams,
  readLatents,
  readParityFixture,
  readReferenceImage,
  runTxt2imgStages,
  type ParityCase,
  type ParityFixture,
} from '../fixtures/referenceParity';

const repo = path.resolve(__dirname, '../../..');
const modelDir = path.join(repo, 'models', 'tiny-shapes');
const fixtureDir = path.join(repo, 'test', 'fixtures', 'parity');
const sharedData = process.env.LOCAL_DIFFUSION_SHARED_DATA ?? path.resolve(__dirname, '../../../../shared/data');

describe('sample model tiny-shapes: parity with the PyTorch reference sampler', function () {
  this.timeout(120_000);
  let fixture: ParityFixture;
  let model: PipelineModel;
  let tiledModel: PipelineModel;
  const engine = new Engine();
  const modelFor = (c: ParityCase): PipelineModel => (c.tiling ? tiledModel : model);

  before(async () => {
    fixture = readParityFixture(fixtureDir);
    assert.equal(path.resolve(repo, fixture.model), modelDir);
    model = await PipelineModel.load(modelDir, undefined, { executionProvider: 'cpu' });
    tiledModel = await PipelineModel.load(modelDir, undefined, { executionProvider: 'cpu', graphEdits: graphEditsFor({ tiling: 'xy' }) });
  });
  after(async () => {
    await model?.release();
    await tiledModel?.release();
    await engine.dispose();
  });

  it('the fixture covers DDIM and Euler with classifier-free guidance, and Euler tiled along both axes', () => {
    assert.deepEqual(fixture.cases.map((c) => `${c.scheduler}${c.tiling ? `+tiling ${c.tiling}` : ''}`).sort(), ['ddim', 'euler', 'euler+tiling xy']);
    for (const c of fixture.cases) assert.ok(c.guidanceScale > 1, `${c.name} uses guidance`);
  });

  it('the model loads as a plain diffusers ONNX folder (no special casing)', () => {
    const { info } = model;
    assert.equal(info.nativeWidth, 64);
    assert.equal(info.nativeHeight, 64);
    assert.equal(info.vae.scaleFactor, 4);
    assert.equal(info.vae.scalingFactorSource, 'config');
    assert.equal(info.vae.encoder, 'latent_parameters');
    assert.equal(info.unet.inChannels, 4);
    assert.equal(info.unet.timestep.type, 'float32');
    assert.equal(info.unet.predictionType, 'epsilon');
    assert.equal(info.textEncoder.outputName, 'last_hidden_state');
    assert.equal(info.tokenizer.padTokenId, 49407);
    assert.equal(info.scheduler.defaultScheduler, 'euler');
    assert.equal(info.preview, 'latent-rgb');
    assert.deepEqual(info.warnings, []);
  });

  for (const name of ['ddim', 'euler', 'euler-tiling-xy']) {
    it(`${name}: final latents within ${LATENT_TOLERANCE} and the image within ${IMAGE_LEVELS} level of PyTorch`, async () => {
      const c = fixture.cases.find((x) => x.name === name) as ParityCase;
      await assertMatchesReference(fixtureDir, c, await runTxt2imgStages(modelFor(c), modelDir, c));
    });
  }

  it('the public API (Engine.generate) gives the reference images too', async () => {
    for (const c of fixture.cases) {
      const result = await engine.generate({ ...parityCaseParams(modelDir, c), executionProvider: 'cpu' });
      assert.equal(result.width, c.width);
      assert.equal(result.height, c.height);
      const image = await decodeImage(result.images[0].png);
      const expected = await readReferenceImage(fixtureDir, c.image);
      const agreement = imageAgreement(image, expected, IMAGE_LEVELS);
      assert.ok(agreement.fraction >= IMAGE_AGREEMENT, `${c.name}: only ${agreement.fraction} within ${IMAGE_LEVELS} (worst ${agreement.worst})`);
    }
  });

  it('a different seed gives a different image (the comparison can fail)', async () => {
    const c = fixture.cases[0];
    const { latents } = await runTxt2imgStages(model, modelDir, { ...c, seed: c.seed + 1 });
    assert.ok(maxAbsDiff(latents, readLatents(fixtureDir, c.latents)) > 0.1);
  });

  it('the tiled case without the circular padding differs from its reference (the edit is what matches)', async () => {
    const c = fixture.cases.find((x) => x.tiling) as ParityCase;
    const { latents } = await runTxt2imgStages(model, modelDir, { ...c, tiling: undefined });
    assert.ok(maxAbsDiff(latents, readLatents(fixtureDir, c.latents)) > 0.05);
  });
});

describe('sample model tiny-shapes: tokenizer', () => {
  const bpeGz = path.join(sharedData, 'clip', 'bpe_simple_vocab_16e6.txt.gz');
  const prompts = [
    'a small red circle on a blue background, top left',
    'a big yellow star in the center on a black background',
    'an orange triangle at the bottom on a white background',
    'a green diamond on the right on a purple background',
    'a square in the bottom right',
  ];

  it('ships a reduced vocabulary with the real CLIP ids', async () => {
    const tokenizer = await ClipTokenizer.fromFolder(path.join(modelDir, 'tokenizer'));
    assert.ok(tokenizer.vocabSize < 1000, `the vocabulary is reduced (${tokenizer.vocabSize} entries)`);
    const ids = tokenizer.encode('a small red circle').ids;
    assert.deepEqual(ids.slice(0, 6), [49406, 320, 2442, 736, 7117, 49407]);
    assert.equal(ids.length, 77);
    assert.ok(ids.slice(6).every((id) => id === 49407), 'padded with <|endoftext|>');
  });

  it('gives the same ids as the full CLIP vocabulary for the sample prompts', async function () {
    if (!fs.existsSync(bpeGz)) this.skip();
    const lines = zlib.gunzipSync(fs.readFileSync(bpeGz)).toString('utf8').split('\n');
    const merges = lines.slice(1, 49152 - 256 - 2 + 1);
    const bytes = [...BYTE_TO_UNICODE].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
    const tokens = [...bytes, ...bytes.map((s) => s + '</w>'), ...merges.map((m) => m.split(' ').join('')), '<|startoftext|>', '<|endoftext|>'];
    const full = new ClipTokenizer(new Map(tokens.map((t, i) => [t, i])), merges, { padToken: '<|endoftext|>', maxLength: 77 });
    const reduced = await ClipTokenizer.fromFolder(path.join(modelDir, 'tokenizer'));
    for (const prompt of prompts) assert.deepEqual(reduced.encode(prompt).ids, full.encode(prompt).ids, prompt);
  });
});
