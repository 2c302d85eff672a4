// The analytic SDXL model (tools/analytic/sdxlAnalyticModel.ts) through the engine: its closed-form image is reached
// only when the pipeline conditions it as diffusers' StableDiffusionXLPipeline does — both encoders' penultimate
// states concatenated in order, text_encoder_2's pooled text_embeds, time_ids [H, W, 0, 0, H, W] — and decodes with
// the config's scaling factor. Every sampler converges (txt2img, img2img, inpaint with CFG); the force-zeros negative;
// layout variants (dtypes, timestep ranks, ORT-demo names, 9-channel inpainting, TAESDXL); the refiner is refused;
// a fp16 VAE that overflows fails with the fix named and no file written.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import type { GenerateParams, GenerateProgress } from '../../src/common/protocol/engineProtocol';
import { SAMPLER_NAMES } from '../../src/common/samplers';
import { Engine } from '../../src/engine/engine';
import { conditionerFor, type ConditionerChoice } from '../../src/engine/conditioning/conditionerFor';
import type { UnetConditioning } from '../../src/engine/conditioning/unetConditioning';
import { LATENT_RGB_FACTORS, latentToRgba } from '../../src/engine/image/latentPreview';
import { describeModelFolder, PipelineModel } from '../../src/engine/model/pipelineModel';
import { floatTensor, numberTensor, OnnxSession, toFloat32 } from '../../src/engine/runtime/ort';
import { decodeImage } from '../../src/node/image/imageCodec';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import {
  SDXL_HIDDEN_1,
  SDXL_HIDDEN_2,
  sdxlBaseSchedulerConfig,
  sdxlTurboSchedulerConfig,
  writeSdxlAnalyticModel,
  type SdxlAnalyticOptions,
} from '../../tools/analytic/sdxlAnalyticModel';
import { SdxlAnalyticOracle } from '../../tools/analytic/sdxlAnalyticOracle';
import { folderCache, maxRgbDiff, planarToBytes } from '../fixtures/analyticImages';
import { assertImg2imgAndInpaintLandOn } from '../fixtures/assertImg2imgAndInpaint';
import { looseGenerate } from '../fixtures/looseGenerate';
import { insideRect, rectInpaintInputs } from '../fixtures/rectInpaintInputs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-sdxl-'));

/** Non-square on purpose: swapped height and width must not pass. */
const W = 64;
const H = 48;
const PROMPT = 'a red circle on the left';
const NEGATIVE = 'a blue square';
const GUIDANCE = 2;
const TOLERANCE = 2;

describe('SDXL on the analytic SDXL model', function () {
  this.timeout(600_000);
  const engine = new Engine();
  const cache = folderCache<Partial<SdxlAnalyticOptions>>(root, writeSdxlAnalyticModel);
  const model = (key: string, options: Partial<SdxlAnalyticOptions> = {}): Promise<string> => cache(key, options);
  const generate = looseGenerate(engine);
  const oracle = new SdxlAnalyticOracle();
  const expectedGuided = (uncond: string | null, guidance = GUIDANCE, o = oracle): Uint8Array => planarToBytes(o.guidedImage(uncond, PROMPT, guidance, H, W), H, W);

  let initPng: Uint8Array;
  let maskPng: Uint8Array;
  const rect = { x: 8, y: 8, w: 32, h: 24 };
  const inside = insideRect(rect, W);
  before(async () => {
    ({ initPng, maskPng } = await rectInpaintInputs(W, H, rect));
  });

  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('info: family sdxl, both encoders, the UNet extra inputs, the SDXL scaling factor and defaults', async () => {
    const info = await describeModelFolder(await model('base'));
    assert.equal(info.family, 'sdxl');
    assert.equal(info.pipelineClass, 'ORTStableDiffusionXLPipeline');
    assert.equal(info.textEncoder.outputName, 'hidden_states.3');
    assert.equal(info.textEncoder.inputIdsType, 'int64');
    assert.equal(info.textEncoder2?.outputName, 'hidden_states.5');
    assert.equal(info.textEncoder2?.pooledOutputName, 'text_embeds');
    assert.equal(info.textEncoder2?.hiddenSize, SDXL_HIDDEN_2);
    assert.deepEqual(info.textEncoder2?.tokenizer, { padToken: '!', padTokenId: 0 });
    assert.deepEqual(info.unet.extraInputs?.map((i) => `${i.name}:${i.type}[${i.shape.join(',')}]`), ['text_embeds:float32[batch_size,19]', 'time_ids:float32[batch_size,6]']);
    assert.deepEqual(info.unet.timestep, { type: 'float32', shape: [] });
    assert.equal(info.vae.scalingFactor, 0.13025);
    assert.equal(info.vae.scalingFactorSource, 'config');
    assert.equal(info.nativeWidth, 256);
    assert.equal(info.defaults?.guidanceScale, 5);
    assert.equal(info.defaults?.steps, undefined);
    assert.ok(info.components.some((c) => c.name === 'text_encoder_2' && c.present && c.externalData === 'text_encoder_2/model.onnx_data'));
    // The session-backed report says the same.
    const loaded = await engine.loadModel({ dir: await model('base') }, 'cpu');
    assert.deepEqual(loaded.info, info);
  });

  it('txt2img lands on the closed form with CFG and a negative prompt; the infotext reads back', async () => {
    const result = await generate(await model('base'), { prompt: PROMPT, negativePrompt: NEGATIVE, width: W, height: H, steps: 12, guidanceScale: GUIDANCE, seed: 3 });
    const image = await decodeImage(result.images[0].png);
    assert.equal(image.width, W);
    assert.equal(image.height, H);
    const d = maxRgbDiff(image.data, image.channels, expectedGuided(NEGATIVE), 3);
    assert.ok(d <= TOLERANCE, `max diff ${d}`);
    // A pipeline mistake would land elsewhere: the closed form with the zeroed negative differs.
    assert.ok(maxRgbDiff(image.data, image.channels, expectedGuided(null), 3) > 20);
    const text = readPngTextChunks(result.images[0].png).find((c) => c.keyword === 'parameters')?.text ?? '';
    const params = parseA1111Parameters(text);
    assert.equal(params.prompt, PROMPT);
    assert.equal(params.negativePrompt, NEGATIVE);
    assert.equal(params.steps, 12);
    assert.equal(params.cfgScale, GUIDANCE);
    assert.equal(Number(params.seed), 3);
    assert.match(params.modelHash ?? '', /^[0-9a-f]{10}$/);
    assert.deepEqual([params.width, params.height], [W, H]);
    assert.equal(params.model, 'base');
  });

  it('no negative prompt: force_zeros_for_empty_prompt zeroes the negative; with it false the empty prompt is encoded', async () => {
    const zeroed = await generate(await model('base'), { prompt: PROMPT, width: W, height: H, steps: 8, guidanceScale: GUIDANCE, seed: 4 });
    const a = await decodeImage(zeroed.images[0].png);
    assert.ok(maxRgbDiff(a.data, a.channels, expectedGuided(null), 3) <= TOLERANCE);
    const encoded = await generate(await model('no-force-zeros', { forceZerosForEmptyPrompt: false }), { prompt: PROMPT, width: W, height: H, steps: 8, guidanceScale: GUIDANCE, seed: 4 });
    const b = await decodeImage(encoded.images[0].png);
    assert.ok(maxRgbDiff(b.data, b.channels, expectedGuided(''), 3) <= TOLERANCE);
  });

  describe('the conditioning the UNet is given', () => {
    const conditioningOf = async (key: string, options: Partial<SdxlAnalyticOptions>, negative: string, guided = true, prompt = PROMPT, choice: Partial<ConditionerChoice> = {}) => {
      const loaded = await PipelineModel.load(await model(key, options), undefined, { executionProvider: 'cpu' });
      try {
        return await conditionerFor(loaded, { size: { width: W, height: H }, ...choice }).encode(prompt, negative, guided);
      } finally {
        await loaded.release();
      }
    };
    const byName = (c: UnetConditioning, name: string) => {
      const input = c.inputs.find((i) => i.name === name);
      assert.ok(input, name);
      return input;
    };

    it('encoder_hidden_states = both penultimate states in order (tokenizer_2 padded with "!"), text_embeds pooled, time_ids [H, W, 0, 0, H, W]', async () => {
      const c = await conditioningOf('base', {}, NEGATIVE);
      assert.deepEqual(c.inputs.map((i) => `${i.name}[${i.itemShape.join(',')}]`), [`encoder_hidden_states[77,${SDXL_HIDDEN_1 + SDXL_HIDDEN_2}]`, 'text_embeds[19]', 'time_ids[6]']);
      assert.deepEqual(byName(c, 'encoder_hidden_states').cond, oracle.encoderHiddenStates(PROMPT));
      assert.deepEqual(byName(c, 'encoder_hidden_states').uncond, oracle.encoderHiddenStates(NEGATIVE));
      assert.deepEqual(byName(c, 'text_embeds').cond, oracle.pooled(PROMPT));
      assert.deepEqual(byName(c, 'text_embeds').uncond, oracle.pooled(NEGATIVE));
      assert.deepEqual([...byName(c, 'time_ids').cond], [H, W, 0, 0, H, W]);
      assert.deepEqual([...(byName(c, 'time_ids').uncond ?? [])], [H, W, 0, 0, H, W]);
    });

    it('force_zeros_for_empty_prompt: zeros for both the negative embeddings and the pooled vector; false: "" is encoded', async () => {
      const zeroed = await conditioningOf('base', {}, '');
      assert.ok(byName(zeroed, 'encoder_hidden_states').uncond?.every((x) => x === 0));
      assert.ok(byName(zeroed, 'text_embeds').uncond?.every((x) => x === 0));
      const encoded = await conditioningOf('no-force-zeros', { forceZerosForEmptyPrompt: false }, '');
      assert.deepEqual(byName(encoded, 'encoder_hidden_states').uncond, oracle.encoderHiddenStates(''));
      assert.ok(byName(encoded, 'encoder_hidden_states').uncond?.some((x) => x !== 0), 'the encoded empty prompt is not zeros');
      assert.deepEqual(byName(encoded, 'text_embeds').uncond, oracle.pooled(''));
    });

    it('prompt weights apply per encoder (No norm: the token rows × weight); long prompts make 77-token chunks, pooled from the first', async () => {
      const weighted = await conditioningOf('base', {}, NEGATIVE, true, 'a red (circle:1.5) on the left', { emphasis: 'No norm' });
      const hidden = byName(weighted, 'encoder_hidden_states').cond;
      const plain = oracle.encoderHiddenStates(PROMPT);
      const width = SDXL_HIDDEN_1 + SDXL_HIDDEN_2;
      // Token 3 is "circle": its text_encoder_2 row (shape dims) is scaled, the rest is the plain prompt's.
      for (let i = 0; i < hidden.length; i++) {
        const token = Math.floor(i / width);
        assert.equal(hidden[i], token === 3 ? Math.fround(plain[i] * 1.5) : plain[i], `value ${i}`);
      }
      assert.deepEqual(byName(weighted, 'text_embeds').cond, oracle.pooled(PROMPT), 'the pooled vector is taken before the weights');
      const long = `${PROMPT}, ${Array.from({ length: 80 }, () => 'a').join(' ')} blue square`;
      const chunked = await conditioningOf('base', {}, NEGATIVE, true, long);
      assert.deepEqual(byName(chunked, 'encoder_hidden_states').itemShape, [154, width]);
      assert.equal(byName(chunked, 'encoder_hidden_states').uncond?.length, 154 * width, 'the negative padded to the same chunks');
      assert.deepEqual(byName(chunked, 'text_embeds').cond, oracle.pooled(PROMPT), "the first chunk's pooled vector");
    });

    it('without CFG no negative is encoded', async () => {
      const c = await conditioningOf('base', {}, NEGATIVE, false);
      assert.equal(c.guided, false);
      assert.ok(c.inputs.every((i) => i.uncond === null));
    });
  });

  it('defaults: SDXL guidance 5; an SDXL-Turbo-style folder (trailing Euler ancestral) 4 steps, no CFG, euler-a', async () => {
    const base = await generate(await model('base'), { prompt: PROMPT, negativePrompt: NEGATIVE, width: W, height: H, seed: 5 });
    assert.equal(base.guidanceScale, 5);
    assert.equal(base.steps, 20);
    const image = await decodeImage(base.images[0].png);
    assert.ok(maxRgbDiff(image.data, image.channels, expectedGuided(NEGATIVE, 5), 3) <= TOLERANCE);
    const turboDir = await model('turbo', { schedulerConfig: sdxlTurboSchedulerConfig(), sampleSize: 512 });
    const info = await describeModelFolder(turboDir);
    assert.equal(info.nativeWidth, 512);
    assert.deepEqual([info.defaults?.steps, info.defaults?.guidanceScale], [4, 0]);
    const turbo = await generate(turboDir, { prompt: PROMPT, width: W, height: H, seed: 5 });
    assert.deepEqual([turbo.steps, turbo.guidanceScale, turbo.scheduler], [4, 0, 'euler-a']);
    const t = await decodeImage(turbo.images[0].png);
    assert.ok(maxRgbDiff(t.data, t.channels, planarToBytes(oracle.expectedImage(PROMPT, H, W), H, W), 3) <= TOLERANCE);
  });

  it('the model itself tells right from wrong: swapped time_ids, swapped encoder order or the last layer land elsewhere', async () => {
    const dir = await model('base');
    const session = await OnnxSession.create(path.join(dir, 'unet', 'model.onnx'), { provider: 'cpu' });
    try {
      const h = H / 8;
      const w = W / 8;
      const latents = new Float32Array(4 * h * w).map((_, i) => Math.sin(i));
      const t = 500;
      const run = async (hidden: Float32Array, pooled: Float32Array, timeIds: number[]): Promise<Float32Array> => {
        const out = await session.run({
          sample: floatTensor('float32', latents, [1, 4, h, w]),
          timestep: numberTensor('float32', t, []),
          encoder_hidden_states: floatTensor('float32', hidden, [1, 77, SDXL_HIDDEN_1 + SDXL_HIDDEN_2]),
          text_embeds: floatTensor('float32', pooled, [1, pooled.length]),
          time_ids: floatTensor('float32', Float32Array.from(timeIds), [1, 6]),
        });
        return toFloat32(out.out_sample);
      };
      const expected = oracle.base.unetOutput(latents, oracle.targetLatent(PROMPT, h, w), t);
      const worst = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
      const right = await run(oracle.encoderHiddenStates(PROMPT), oracle.pooled(PROMPT), [H, W, 0, 0, H, W]);
      assert.ok(worst(right, expected) < 1e-3, `right conditioning: ${worst(right, expected)}`);
      const swapped = await run(oracle.encoderHiddenStates(PROMPT), oracle.pooled(PROMPT), [W, H, 0, 0, W, H]);
      assert.ok(worst(swapped, expected) > 0.1, 'swapped height/width must not pass');
      // The two encoders' states the other way round (same total width).
      const a = oracle.penultimate1(PROMPT);
      const b = oracle.penultimate2(PROMPT);
      const reversed = new Float32Array(77 * (SDXL_HIDDEN_1 + SDXL_HIDDEN_2));
      for (let k = 0; k < 77; k++) {
        reversed.set(b.subarray(k * SDXL_HIDDEN_2, (k + 1) * SDXL_HIDDEN_2), k * (SDXL_HIDDEN_1 + SDXL_HIDDEN_2));
        reversed.set(a.subarray(k * SDXL_HIDDEN_1, (k + 1) * SDXL_HIDDEN_1), k * (SDXL_HIDDEN_1 + SDXL_HIDDEN_2) + SDXL_HIDDEN_2);
      }
      assert.ok(worst(await run(reversed, oracle.pooled(PROMPT), [H, W, 0, 0, H, W]), expected) > 0.1, 'reversed concatenation must not pass');
      assert.ok(worst(await run(oracle.encoderHiddenStates(PROMPT), new Float32Array(19), [H, W, 0, 0, H, W]), expected) > 0.1, 'no pooled embeds must not pass');
    } finally {
      await session.release();
    }
  });

  for (const sampler of SAMPLER_NAMES) {
    const steps = sampler === 'ddpm' ? 30 : sampler === 'lcm' ? 4 : 12;
    it(`${sampler}: txt2img, img2img and inpaint with CFG land on the closed form`, async () => {
      const dir = await model('pndm', { schedulerConfig: { ...sdxlBaseSchedulerConfig(), _class_name: 'PNDMScheduler', set_alpha_to_one: true, clip_sample: false } });
      const expected = expectedGuided(NEGATIVE);
      const common = { prompt: PROMPT, negativePrompt: NEGATIVE, guidanceScale: GUIDANCE, steps, seed: 11, scheduler: sampler } as const;
      const txt = await generate(dir, { ...common, width: W, height: H });
      assert.equal(txt.scheduler, sampler);
      const image = await decodeImage(txt.images[0].png);
      assert.ok(maxRgbDiff(image.data, image.channels, expected, 3) <= TOLERANCE, `txt2img max diff ${maxRgbDiff(image.data, image.channels, expected, 3)}`);
      await assertImg2imgAndInpaintLandOn((inputs) => generate(dir, { ...common, ...inputs }), { initPng, maskPng, inside }, expected, TOLERANCE);
    });
  }

  it('hires fix: the second pass is conditioned on its own size (time_ids) and lands on the closed form there', async () => {
    const result = await engine.generate({
      model: { dir: await model('base') },
      executionProvider: 'cpu',
      task: 'txt2img',
      prompt: PROMPT,
      negativePrompt: NEGATIVE,
      width: W,
      height: H,
      steps: 12,
      guidanceScale: GUIDANCE,
      seed: '8',
      hires: { scale: 2, strength: 0.6 },
    });
    const image = await decodeImage(result.images[0].png);
    assert.deepEqual([image.width, image.height], [2 * W, 2 * H]);
    const expected = planarToBytes(oracle.guidedImage(NEGATIVE, PROMPT, GUIDANCE, 2 * H, 2 * W), 2 * H, 2 * W);
    assert.ok(maxRgbDiff(image.data, image.channels, expected, 3) <= TOLERANCE, `hires max diff ${maxRgbDiff(image.data, image.channels, expected, 3)}`);
  });

  it('outpainting an SDXL image keeps the original outside the overlap bit-identical', async () => {
    const result = await engine.generate({
      model: { dir: await model('base') },
      executionProvider: 'cpu',
      task: 'outpaint',
      prompt: PROMPT,
      negativePrompt: NEGATIVE,
      initImage: initPng,
      margins: { left: 16, top: 0, right: 16, bottom: 0 },
      overlap: 8,
      steps: 8,
      guidanceScale: GUIDANCE,
      seed: '9',
    } as GenerateParams);
    const out = await decodeImage(result.images[0].png);
    const source = await decodeImage(initPng);
    assert.deepEqual([out.width, out.height], [W + 32, H]);
    let worst = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 8; x < W - 8; x++) {
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(out.data[(y * out.width + x + 16) * out.channels + c] - source.data[(y * W + x) * source.channels + c]));
      }
    }
    assert.equal(worst, 0);
  });

  it('a 9-channel SDXL inpainting UNet inpaints (outside bit-identical)', async () => {
    const dir = await model('inpainting', { unetInChannels: 9 });
    const info = await describeModelFolder(dir);
    assert.equal(info.unet.inpainting, true);
    const result = await generate(dir, { prompt: PROMPT, negativePrompt: NEGATIVE, guidanceScale: GUIDANCE, steps: 12, seed: 2, initImage: initPng, mask: maskPng, strength: 1 });
    const out = await decodeImage(result.images[0].png);
    const source = await decodeImage(initPng);
    assert.ok(maxRgbDiff(out.data, out.channels, expectedGuided(NEGATIVE), 3, inside) <= TOLERANCE, `inside ${maxRgbDiff(out.data, out.channels, expectedGuided(NEGATIVE), 3, inside)}`);
    assert.equal(maxRgbDiff(out.data, out.channels, source.data, source.channels, (p) => !inside(p)), 0);
  });

  const variants: Array<[string, Partial<SdxlAnalyticOptions>]> = [
    ['int32 ids in text_encoder (Olive)', { idsType1: 'int32' }],
    ['int32 ids in both', { idsType1: 'int32', idsType2: 'int32' }],
    ['fp16 I/O', { floatType: 'float16' }],
    ['int64 [batch] timestep (optimum before 2024-11)', { timestep: { type: 'int64', shape: 'batch' } }],
    ['float32 [1] timestep', { timestep: { type: 'float32', shape: 'one' } }],
    ['ONNX Runtime demo output names (hidden_states, text_embeddings)', { naming: 'ort-demo' }],
    ['latent_sample VAE encoder', { vaeEncoder: 'latent_sample' }],
    ['latents_mean / latents_std in the VAE config', { latentStats: { mean: [0.5, -0.25, 0.1, 0], std: [2, 0.5, 1.5, 1] } }],
  ];
  for (const [label, options] of variants) {
    it(`layout variant loads and generates: ${label}`, async () => {
      const dir = await model(label.replace(/[^a-z0-9]+/gi, '-'), options);
      const info = await describeModelFolder(dir);
      assert.equal(info.family, 'sdxl');
      assert.deepEqual(info.vae.latentsMean, options.latentStats?.mean);
      const result = await generate(dir, { prompt: PROMPT, negativePrompt: NEGATIVE, width: W, height: H, steps: 12, guidanceScale: GUIDANCE, seed: 6 });
      const image = await decodeImage(result.images[0].png);
      const tolerance = options.floatType === 'float16' ? 4 : TOLERANCE;
      assert.ok(maxRgbDiff(image.data, image.channels, expectedGuided(NEGATIVE), 3) <= tolerance, `max diff ${maxRgbDiff(image.data, image.channels, expectedGuided(NEGATIVE), 3)}`);
      const img = await generate(dir, { prompt: PROMPT, negativePrompt: NEGATIVE, steps: 12, guidanceScale: GUIDANCE, seed: 6, initImage: initPng, strength: 0.6 });
      const imgOut = await decodeImage(img.images[0].png);
      assert.ok(maxRgbDiff(imgOut.data, imgOut.channels, expectedGuided(NEGATIVE), 3) <= tolerance);
    });
  }

  it('an LCM-distilled SDXL UNet (timestep_cond) runs without CFG', async () => {
    const dir = await model('lcm', { timeCondProjDim: 8, schedulerConfig: { ...sdxlBaseSchedulerConfig(), _class_name: 'LCMScheduler' } });
    const info = await describeModelFolder(dir);
    assert.deepEqual(info.unet.extraInputs?.map((i) => i.name), ['text_embeds', 'time_ids', 'timestep_cond']);
    const result = await generate(dir, { prompt: PROMPT, width: W, height: H, steps: 4, seed: 1 });
    const image = await decodeImage(result.images[0].png);
    assert.ok(maxRgbDiff(image.data, image.channels, planarToBytes(oracle.expectedImage(PROMPT, H, W), H, W), 3) <= TOLERANCE);
  });

  for (const folder of ['taesdxl_decoder', 'taesd_decoder'] as const) {
    it(`previews come from ${folder}/ when present, else from the SDXL latent→RGB factors`, async () => {
      const dir = await model(`preview-${folder}`, { taesd: folder });
      const info = await describeModelFolder(dir);
      assert.equal(info.preview, 'taesd');
      const progress: GenerateProgress[] = [];
      await generate(dir, { prompt: PROMPT, width: W, height: H, steps: 3, guidanceScale: GUIDANCE, seed: 1, previewEverySteps: 1 }, progress);
      const previews = progress.filter((p) => p.stage === 'denoising' && p.preview);
      assert.equal(previews.length, 3);
    });
  }

  it('latent→RGB previews use the SDXL factors when there is no TAESD', async () => {
    const loaded = await engine.loadModel({ dir: await model('base') }, 'cpu');
    assert.equal(loaded.info.preview, 'latent-rgb');
    const progress: GenerateProgress[] = [];
    await generate(await model('base'), { prompt: PROMPT, width: W, height: H, steps: 2, guidanceScale: GUIDANCE, seed: 1, previewEverySteps: 1 }, progress);
    const preview = progress.find((p) => p.stage === 'denoising' && p.preview);
    assert.ok(preview && preview.stage === 'denoising' && preview.preview && preview.preview.width === W / 8);
    // The exact model predicts the guided x0 at every step: the preview is ComfyUI's SDXL factors applied to it.
    const x0 = ((u, c) => u.map((x, i) => x + GUIDANCE * (c[i] - x)))(oracle.targetLatent(null, H / 8, W / 8), oracle.targetLatent(PROMPT, H / 8, W / 8));
    const expected = latentToRgba(x0, 4, H / 8, W / 8, LATENT_RGB_FACTORS.sdxl).rgba;
    const got = preview.preview.rgba;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    assert.ok(worst <= 2, `preview max diff ${worst}`);
  });

  it('the refiner layout (text_encoder_2 alone, 5-wide time_ids) is reported and refused with a clear message', async () => {
    const dir = await model('refiner', { refiner: true });
    const info = await describeModelFolder(dir);
    assert.equal(info.family, 'sdxl-refiner');
    assert.ok(info.warnings.some((w) => /refiner/.test(w)));
    await assert.rejects(generate(dir, { prompt: PROMPT, width: W, height: H, steps: 2 }), /SDXL refiner .* not supported/);
  });

  it('a GPU-optimised export (com.microsoft GroupNorm) on the CPU provider: says so instead of the raw error', async () => {
    const dir = await model('cuda-only', { cudaOnlyOp: true });
    await assert.rejects(
      generate(dir, { prompt: PROMPT, width: W, height: H, steps: 2 }),
      /unet\/model\.onnx uses GroupNorm \(com\.microsoft\).*CPU execution provider does not implement.*optimised for a GPU.*CUDA or DirectML/s,
    );
  });

  it('a fp16 VAE that overflows: a clear error naming the fix, no file written; --vae swaps in a working VAE', async () => {
    const dir = await model('overflow', { vaeOverflow: true });
    const info = await describeModelFolder(dir);
    assert.equal(info.vae.decoderDtype, 'float16');
    await assert.rejects(generate(dir, { prompt: PROMPT, width: W, height: H, steps: 4, guidanceScale: GUIDANCE, seed: 1 }), /NaN\/Inf.*fp16-fix VAE.*fp32 VAE.*--vae/s);
    // The CLI writes nothing.
    const cli = path.resolve('dist', 'cli.js');
    const out = path.join(root, 'overflow.png');
    const r = spawnSync(process.execPath, [cli, 'generate', '--model', dir, '--prompt', PROMPT, '--width', String(W), '--height', String(H), '--steps', '2', '--ep', 'cpu', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /fp16-fix VAE/);
    assert.equal(fs.existsSync(out), false);
    // The same model with the base folder's fp32 VAE swapped in generates the closed form.
    const vae = await model('base');
    const swapped = await engine.generate({ model: { dir, vae }, executionProvider: 'cpu', task: 'txt2img', prompt: PROMPT, negativePrompt: NEGATIVE, width: W, height: H, steps: 12, guidanceScale: GUIDANCE, seed: '1' });
    const image = await decodeImage(swapped.images[0].png);
    assert.ok(maxRgbDiff(image.data, image.channels, expectedGuided(NEGATIVE), 3) <= TOLERANCE);
    const cliOk = spawnSync(process.execPath, [cli, 'generate', '--model', dir, '--vae', vae, '--prompt', PROMPT, '--width', String(W), '--height', String(H), '--steps', '2', '--ep', 'cpu', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(cliOk.status, 0, cliOk.stderr);
    assert.equal(fs.existsSync(out), true);
    const infoText = spawnSync(process.execPath, [cli, 'info', '--model', dir, '--vae', vae], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(infoText.status, 0, infoText.stderr);
    assert.match(infoText.stdout, /family sdxl,/);
    assert.match(infoText.stdout, /text_encoder_2: input_ids int64.*output hidden_states\.5, pooled text_embeds/);
    assert.match(infoText.stdout, /unet extra inputs: text_embeds float32\[batch_size, 19\], time_ids float32\[batch_size, 6\]/);
    assert.match(infoText.stdout, /decoder float32, from /);
  });
});
