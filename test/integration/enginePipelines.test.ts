// The engine against analytic oracle models: every scheduler converges to the closed-form image, CFG is
// x0_u + g·(x0_c − x0_u), inpainting keeps outside pixels bit-identical, every export variant loads and runs,
// bad inputs give the documented errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import type { AnalyticModelOptions } from '../../tools/analytic/analyticModelOptions';
import { AnalyticOracle } from '../../tools/analytic/analyticOracle';
import { Engine } from '../../src/engine/engine';
import { decodeImage } from '../../src/node/image/imageCodec';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { TorchGenerator } from '../../src/engine/noise/torchGenerator';
import type { ConcreteSchedulerName, GenerateParams, GenerateProgress, GenerateResult, GenerateTask, InpaintParams, ModelRef } from '../../src/common/protocol/engineProtocol';
import { CancellationSource, ErrorCode, RpcFailure } from '../../src/common/protocol/rpc';
import { analyticModelCache, planarToBytes, maxRgbDiff } from '../fixtures/analyticImages';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-engine-'));
const model = analyticModelCache(root);

async function pixels(png: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const image = await decodeImage(png);
  return image;
}

/** Any task's fields; the task follows the inputs (an image: img2img, with a mask: inpaint) unless given. */
type LooseParams = Partial<Omit<InpaintParams, 'task' | 'seed' | 'model'>> & { prompt: string; seed?: number | string; model?: ModelRef; task?: GenerateTask };

async function generate(engine: Engine, params: LooseParams, dir: string, progress?: GenerateProgress[]): Promise<GenerateResult> {
  const task = params.task ?? (params.mask ? 'inpaint' : params.initImage ? 'img2img' : 'txt2img');
  const seed = params.seed === undefined ? {} : { seed: String(params.seed) };
  return engine.generate({ model: { dir }, executionProvider: 'cpu', ...params, task, ...seed } as GenerateParams, {
    ...(progress ? { onProgress: (p) => progress.push(p) } : {}),
  });
}

describe('engine pipelines on analytic models', function () {
  this.timeout(120_000);
  const engine = new Engine();
  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const schedulers: ConcreteSchedulerName[] = ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'];
  for (const scheduler of schedulers) {
    it(`txt2img with ${scheduler} converges to the closed-form image (non-square 256×128)`, async () => {
      const dir = await model('default');
      const oracle = new AnalyticOracle();
      const result = await generate(engine, { prompt: 'a red circle on the left', width: 256, height: 128, steps: 12, guidanceScale: 1, seed: 3, scheduler }, dir);
      assert.equal(result.width, 256);
      assert.equal(result.height, 128);
      assert.equal(result.scheduler, scheduler);
      const image = await pixels(result.images[0].png);
      assert.equal(image.width, 256);
      assert.equal(image.height, 128);
      const expected = planarToBytes(oracle.expectedImage('a red circle on the left', 128, 256), 128, 256);
      assert.ok(maxRgbDiff(image.data, image.channels, expected, 3) <= 1, `max diff ${maxRgbDiff(image.data, image.channels, expected, 3)}`);
    });
  }

  it('the circle is on the left and red: the orientation is not swapped', async () => {
    const dir = await model('default');
    const result = await generate(engine, { prompt: 'a red circle on the left', width: 256, height: 128, guidanceScale: 1, steps: 4, seed: 1 }, dir);
    const image = await pixels(result.images[0].png);
    const at = (x: number, y: number): number[] => [...image.data.subarray((y * 256 + x) * image.channels, (y * 256 + x) * image.channels + 3)];
    const left = at(128 - 32, 64);
    const right = at(128 + 64, 64);
    assert.ok(left[0] > 200 && left[1] < 60, `left pixel ${left}`);
    assert.ok(right[0] < 100, `right pixel ${right}`);
  });

  it('classifier-free guidance equals x0_u + g·(x0_c − x0_u), batched and in two passes', async () => {
    const oracle = new AnalyticOracle();
    const expected = planarToBytes(oracle.decodeLatent(oracle.guidedTarget('a blue', 'a red', 1.5, 16, 16), 16, 16), 128, 128);
    for (const [name, batch] of [['default', 'dynamic'], ['static-batch-1', 1]] as const) {
      const dir = await model(name, { batch });
      const result = await generate(engine, { prompt: 'a red', negativePrompt: 'a blue', guidanceScale: 1.5, width: 128, height: 128, steps: 8, seed: 9, scheduler: 'euler' }, dir);
      const image = await pixels(result.images[0].png);
      assert.ok(maxRgbDiff(image.data, image.channels, expected, 3) <= 1, `${name}: max diff ${maxRgbDiff(image.data, image.channels, expected, 3)}`);
      const unet = engine.currentModel?.unet.session;
      assert.equal(unet?.runCount, batch === 'dynamic' ? 8 : 16, `${name}: UNet runs`);
    }
  });

  it('guidance ≤ 1 skips the unconditional pass', async () => {
    const dir = await model('default');
    await generate(engine, { prompt: 'a red', negativePrompt: 'a blue', guidanceScale: 1, width: 64, height: 64, steps: 5, seed: 1 }, dir);
    assert.equal(engine.currentModel?.unet.session.runCount, 5);
    assert.equal(engine.currentModel?.textEncoder.session.runCount, 1);
  });

  it('seeds are PyTorch CPU generator seeds: DDIM (ᾱ_final < 1) ends at √ᾱ_f·x0 + √(1−ᾱ_f)·randn(seed)', async () => {
    const config = {
      _class_name: 'DDIMScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear',
      num_train_timesteps: 1000, set_alpha_to_one: false, steps_offset: 1, clip_sample: false, prediction_type: 'epsilon',
    };
    const dir = await model('ddim-alpha', { schedulerConfig: config });
    const oracle = new AnalyticOracle();
    const result = await generate(engine, { prompt: 'a green square', width: 64, height: 64, steps: 10, guidanceScale: 1, seed: 1234, batchCount: 2 }, dir);
    assert.deepEqual(result.images.map((i) => i.seed), ['1234', '1235']);
    assert.equal(result.scheduler, 'ddim');
    const alphaFinal = oracle.alphaCumprodAt(0);
    for (const [k, seed] of [1234, 1235].entries()) {
      const x0 = oracle.targetLatent('a green square', 8, 8);
      const noise = new TorchGenerator(seed).randn([1, 4, 8, 8]);
      const latent = x0.map((v, i) => Math.sqrt(alphaFinal) * v + Math.sqrt(1 - alphaFinal) * noise[i]);
      const expected = planarToBytes(oracle.decodeLatent(latent, 8, 8), 64, 64);
      const image = await pixels(result.images[k].png);
      assert.ok(maxRgbDiff(image.data, image.channels, expected, 3) <= 1, `seed ${seed}: max diff ${maxRgbDiff(image.data, image.channels, expected, 3)}`);
    }
    const a = await pixels(result.images[0].png);
    const b = await pixels(result.images[1].png);
    assert.ok(maxRgbDiff(a.data, 3, b.data, 3) > 0, 'different seeds give different images');
    // Image k of a batch equals a single run with seed + k.
    const single = await generate(engine, { prompt: 'a green square', width: 64, height: 64, steps: 10, guidanceScale: 1, seed: 1235 }, dir);
    assert.deepEqual(single.images[0].png, result.images[1].png);
  });

  const variants: [string, Partial<AnalyticModelOptions>][] = [
    ['fp16 I/O, int64 ids, int64 timestep [1]', { floatType: 'float16', idsType: 'int64', timestep: { type: 'int64', shape: 'one' } }],
    ['float32 scalar timestep (optimum ≥ 1.24)', { idsType: 'int64', timestep: { type: 'float32', shape: 'scalar' }, vaeEncoder: 'latent_parameters' }],
    ['float16 timestep [1]', { floatType: 'float16', timestep: { type: 'float16', shape: 'one' } }],
    ['static batch 2 and static size 128×64', { batch: 2, size: { width: 128, height: 64 } }],
    ['v_prediction', { predictionType: 'v_prediction' }],
    ['external weights.pb', { externalData: 'weights.pb' }],
    ['external model.onnx_data', { externalData: 'model.onnx_data', idsType: 'int64', timestep: { type: 'int64', shape: 'batch' } }],
    ['no config.json files (scaling factor default)', { writeConfigs: false, scalingFactor: 0.18215 }],
    ['9-channel inpainting UNet drawing from text (mask 1, grey masked image)', { unetInChannels: 9 }],
  ];
  for (const [label, options] of variants) {
    it(`export variant: ${label}`, async () => {
      const name = label.replace(/\W+/g, '-');
      const dir = await model(name, options);
      const oracle = new AnalyticOracle(options);
      const size = options.size && options.size !== 'dynamic' ? options.size : { width: 128, height: 64 };
      const result = await generate(engine, { prompt: 'a yellow diamond', negativePrompt: 'a black', guidanceScale: 2, width: size.width, height: size.height, steps: 6, seed: 5, scheduler: 'euler' }, dir);
      const target = oracle.guidedTarget('a black', 'a yellow diamond', 2, size.height / 8, size.width / 8);
      const expected = planarToBytes(oracle.decodeLatent(target, size.height / 8, size.width / 8), size.height, size.width);
      const image = await pixels(result.images[0].png);
      const tolerance = options.floatType === 'float16' ? 3 : 1;
      assert.ok(maxRgbDiff(image.data, image.channels, expected, 3) <= tolerance, `max diff ${maxRgbDiff(image.data, image.channels, expected, 3)}`);
      const info = engine.currentModel?.info;
      assert.equal(info?.unet.predictionType, options.predictionType ?? 'epsilon');
      assert.equal(info?.vae.scalingFactor, options.scalingFactor ?? 0.5);
    });
  }

  it('a static-size UNet refuses another size with a clear error', async () => {
    const dir = await model('static-batch-2-and-static-size-128-64', { batch: 2, size: { width: 128, height: 64 } });
    await assert.rejects(
      generate(engine, { prompt: 'a red', width: 64, height: 64, steps: 2 }, dir),
      (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.InvalidParams && /exported for 128×64 only/.test(e.message),
    );
  });

  it('img2img: strength picks the start step, the image and the seed noise go in as diffusers does', async () => {
    const config = {
      _class_name: 'DDIMScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear',
      num_train_timesteps: 1000, set_alpha_to_one: false, steps_offset: 1, clip_sample: false, prediction_type: 'epsilon',
    };
    const dir = await model('ddim-alpha', { schedulerConfig: config });
    const oracle = new AnalyticOracle();
    // An init image: a uniform colour, exactly representable by the linear VAE.
    const initPlanar = oracle.expectedImage('a white', 64, 64);
    const initBytes = planarToBytes(initPlanar, 64, 64);
    const init = new Uint8Array(await sharp(Buffer.from(initBytes), { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer());
    const progress: GenerateProgress[] = [];
    const result = await generate(engine, { prompt: 'a blue', initImage: init, strength: 0.5, steps: 20, guidanceScale: 1, seed: 77 }, dir, progress);
    const steps = progress.filter((p) => p.stage === 'denoising');
    assert.equal(steps.length, 10, '20 steps × strength 0.5 = 10 denoising steps');
    // DDIM with an exact ε-model keeps ε constant: x_final = √ᾱ_f·x0 + √(1−ᾱ_f)·ε, where
    // ε = (x_t − √ᾱ_t·x0)/√(1−ᾱ_t) and x_t = √ᾱ_t·z_image + √(1−ᾱ_t)·noise at t = the first remaining timestep.
    const t = 451; // leading spacing, 20 steps, offset 1: [951, 901, …, 1]; start index 10 → 451
    const a = oracle.alphaCumprodAt(t);
    const af = oracle.alphaCumprodAt(0);
    const x0 = oracle.targetLatent('a blue', 8, 8);
    const zImage = oracle.encodeImage(new Float32Array(initPlanar), 64, 64).map((v) => v * oracle.scalingFactor);
    const noise = new TorchGenerator(77).randn([1, 4, 8, 8]);
    const latent = x0.map((v, i) => {
      const xt = Math.sqrt(a) * zImage[i] + Math.sqrt(1 - a) * noise[i];
      const eps = (xt - Math.sqrt(a) * v) / Math.sqrt(1 - a);
      return Math.sqrt(af) * v + Math.sqrt(1 - af) * eps;
    });
    const expected = planarToBytes(oracle.decodeLatent(latent, 8, 8), 64, 64);
    const image = await pixels(result.images[0].png);
    assert.ok(maxRgbDiff(image.data, image.channels, expected, 3) <= 1, `max diff ${maxRgbDiff(image.data, image.channels, expected, 3)}`);
    const params = parseA1111Parameters(readPngTextChunks(result.images[0].png).find((c) => c.keyword === 'parameters')?.text ?? '');
    assert.equal(params.denoisingStrength, 0.5);
  });

  /** An RGBA photo-like image (noise pattern) and a mask with a hard-edged white rectangle. */
  async function inpaintInputs(width: number, height: number, rect: { x: number; y: number; w: number; h: number }, soft = false): Promise<{ image: Uint8Array; raw: Uint8Array; mask: Uint8Array }> {
    const raw = new Uint8Array(width * height * 4);
    let s = 12345;
    for (let i = 0; i < raw.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      raw[i] = (i % 4 === 3) ? 128 + ((s >>> 24) & 127) : (s >>> 24);
    }
    const maskRaw = new Uint8Array(width * height);
    for (let y = rect.y; y < rect.y + rect.h; y++) for (let x = rect.x; x < rect.x + rect.w; x++) maskRaw[y * width + x] = 255;
    if (soft) for (let x = rect.x; x < rect.x + rect.w; x++) maskRaw[(rect.y + rect.h) * width + x] = 100;
    const image = new Uint8Array(await sharp(Buffer.from(raw), { raw: { width, height, channels: 4 } }).png().toBuffer());
    const mask = new Uint8Array(await sharp(Buffer.from(maskRaw), { raw: { width, height, channels: 1 } }).png().toBuffer());
    return { image, raw, mask };
  }

  for (const [label, options] of [
    ['4-channel UNet (per-step latent blend)', {}],
    ['9-channel inpainting UNet', { unetInChannels: 9 as const }],
    ['9-channel, latent_parameters encoder, fp16', { unetInChannels: 9 as const, vaeEncoder: 'latent_parameters' as const, floatType: 'float16' as const }],
    ['9-channel UNet in the diffusers-script layout (no config.json, symbolic channels)', { unetInChannels: 9 as const, writeConfigs: false, scalingFactor: 0.18215 }],
  ] as [string, Partial<AnalyticModelOptions>][]) {
    it(`inpaint with a ${label}: outside pixels bit-identical (RGBA), inside the prompt`, async () => {
      const dir = await model(`inpaint-${label.replace(/\W+/g, '-')}`, options);
      const rect = { x: 16, y: 8, w: 32, h: 24 };
      const { image, raw, mask } = await inpaintInputs(96, 64, rect, true);
      const result = await generate(engine, { prompt: 'a green', initImage: image, mask, steps: 8, guidanceScale: 1, seed: 2, scheduler: 'euler' }, dir);
      const out = await pixels(result.images[0].png);
      assert.equal(out.channels, 4, 'alpha kept');
      assert.equal(out.width, 96);
      assert.equal(out.height, 64);
      let changedInside = 0;
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 96; x++) {
          const i = (y * 96 + x) * 4;
          const inRect = x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
          const softRow = y === rect.y + rect.h && x >= rect.x && x < rect.x + rect.w;
          if (!inRect && !softRow) {
            assert.deepEqual([...out.data.subarray(i, i + 4)], [...raw.subarray(i, i + 4)], `pixel (${x}, ${y}) changed outside the mask`);
          } else if (inRect) {
            // Inside: the prompt's colour (green: low R, high G); alpha becomes opaque.
            if (out.data[i + 1] > 150 && out.data[i] < 80 && out.data[i + 3] === 255) changedInside++;
          }
        }
      }
      // Cells fully inside the mask (8×8 latent blocks) are exactly the prompt colour.
      assert.ok(changedInside >= 24 * 16, `inside pixels repainted: ${changedInside}`);
    });
  }

  it('inpaint "only masked" crops around the mask, generates at the requested size and pastes back', async () => {
    const dir = await model('default');
    const rect = { x: 40, y: 40, w: 16, h: 16 };
    const { image, raw, mask } = await inpaintInputs(256, 192, rect);
    const progress: GenerateProgress[] = [];
    const result = await generate(engine, { prompt: 'a purple', initImage: image, mask, steps: 4, guidanceScale: 1, seed: 2, inpaintArea: 'masked', maskPadding: 8, width: 64, height: 64 }, dir, progress);
    const out = await pixels(result.images[0].png);
    assert.equal(out.width, 256);
    let inside = 0;
    for (let y = 0; y < 192; y++) {
      for (let x = 0; x < 256; x++) {
        const i = (y * 256 + x) * 4;
        const inRect = x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
        if (!inRect) assert.deepEqual([...out.data.subarray(i, i + 4)], [...raw.subarray(i, i + 4)], `(${x}, ${y})`);
        else if (out.data[i + 3] === 255) inside++;
      }
    }
    assert.equal(inside, 16 * 16);
    const preview = progress.find((p) => p.stage === 'denoising' && p.preview);
    assert.ok(preview && preview.stage === 'denoising' && preview.preview?.width === 8, 'previews at the crop generation size (64 px → 8 latent cells)');
  });

  it('a feathered mask blends only inside its soft edge', async () => {
    const dir = await model('default');
    const rect = { x: 24, y: 24, w: 16, h: 16 };
    const { image, raw, mask } = await inpaintInputs(64, 64, rect);
    const result = await generate(engine, { prompt: 'a white', initImage: image, mask, maskBlur: 2, steps: 3, guidanceScale: 1, seed: 1 }, dir);
    const out = await pixels(result.images[0].png);
    let identical = 0;
    let blended = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const i = (y * 64 + x) * 4;
        const same = out.data.subarray(i, i + 4).every((v, c) => v === raw[i + c]);
        const dist = Math.max(rect.x - x, x - (rect.x + rect.w - 1), rect.y - y, y - (rect.y + rect.h - 1), 0);
        if (dist > 6) assert.ok(same, `(${x}, ${y}) is far outside the feather and must not change`);
        if (same) identical++;
        else if (dist > 0) blended++;
      }
    }
    assert.ok(blended > 0, 'the soft edge outside the hard rectangle blends');
    assert.ok(identical > 64 * 64 - 40 * 40);
  });

  it('previews: one per step from predOriginalSample, latent→RGB factors from the model config', async () => {
    const dir = await model('default');
    const progress: GenerateProgress[] = [];
    const result = await generate(engine, { prompt: 'a cyan', width: 64, height: 64, steps: 6, guidanceScale: 1, seed: 4, previewEverySteps: 1, scheduler: 'euler' }, dir, progress);
    const previews = progress.filter((p) => p.stage === 'denoising' && p.preview);
    assert.equal(previews.length, 6);
    const last = previews[5];
    assert.ok(last.stage === 'denoising' && last.preview);
    const final = await pixels(result.images[0].png);
    // The exact model predicts x0 at every step, and the config's factors are exact for the linear VAE:
    // the 8×8 preview equals the final image's block colours.
    const p = last.preview;
    assert.equal(p.width, 8);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(p.rgba[i] - final.data[i]) <= 1, `preview channel ${i}`);
    assert.ok(result.timings.previewMs >= 0 && result.timings.previewMs < result.timings.denoiseMs);
  });

  it('previews through a TAESD decoder when the folder has one (full resolution)', async () => {
    const dir = await model('taesd', { taesd: true });
    const progress: GenerateProgress[] = [];
    await generate(engine, { prompt: 'a cyan', width: 64, height: 64, steps: 2, guidanceScale: 1, seed: 4 }, dir, progress);
    assert.equal(engine.currentModel?.info.preview, 'taesd');
    const preview = progress.find((p) => p.stage === 'denoising' && p.preview);
    assert.ok(preview?.stage === 'denoising' && preview.preview?.width === 64);
  });

  it('progress goes loading → encodingPrompt → denoising x/N → decoding, and the warm run loads nothing', async () => {
    const dir = await model('progress-model');
    const fresh = new Engine();
    try {
      const progress: GenerateProgress[] = [];
      const first = await generate(fresh, { prompt: 'a red', width: 64, height: 64, steps: 3, seed: 1 }, dir, progress);
      const stages = progress.map((p) => p.stage);
      assert.equal(stages[0], 'loading');
      assert.ok(stages.indexOf('encodingPrompt') > stages.lastIndexOf('loading'));
      assert.deepEqual(progress.filter((p) => p.stage === 'denoising').map((p) => (p.stage === 'denoising' ? p.step : 0)), [1, 2, 3]);
      assert.equal(stages[stages.length - 1], 'decoding');
      assert.ok(first.timings.loadMs > 0);
      const again: GenerateProgress[] = [];
      const second = await generate(fresh, { prompt: 'a red', width: 64, height: 64, steps: 3, seed: 1 }, dir, again);
      assert.equal(second.timings.loadMs, 0);
      assert.ok(!again.some((p) => p.stage === 'loading'));
      assert.deepEqual(second.images[0].png, first.images[0].png, 'same seed, same bytes');
    } finally {
      await fresh.dispose();
    }
  });

  it('PNG metadata: the A1111 parameters chunk', async () => {
    const dir = await model('default');
    const result = await generate(engine, { prompt: 'a red, circle: big', negativePrompt: 'blue', width: 64, height: 64, steps: 3, guidanceScale: 4.5, seed: 42, scheduler: 'dpmpp-2m-karras' }, dir);
    const text = readPngTextChunks(result.images[0].png).find((c) => c.keyword === 'parameters')?.text;
    assert.ok(text);
    const p = parseA1111Parameters(text);
    assert.equal(p.prompt, 'a red, circle: big');
    assert.equal(p.negativePrompt, 'blue');
    assert.equal(p.steps, 3);
    assert.equal(p.sampler, 'DPM++ 2M');
    assert.equal(p.scheduleType, 'Karras');
    assert.equal(p.cfgScale, 4.5);
    assert.equal(p.seed, 42);
    assert.equal(p.width, 64);
    assert.match(p.modelHash ?? '', /^[0-9a-f]{10}$/);
    assert.equal(p.model, 'default');
    assert.equal(result.images[0].parameters, text);
  });

  it('cancel stops the job between steps with a Cancelled error', async () => {
    const dir = await model('default');
    const source = new CancellationSource();
    let steps = 0;
    const job = engine.generate(
      { task: 'txt2img', model: { dir }, executionProvider: 'cpu', prompt: 'a red', width: 64, height: 64, steps: 50, seed: '1' },
      {
        cancellation: source.token,
        onProgress: (p) => {
          if (p.stage === 'denoising') {
            steps = p.step;
            if (p.step === 3) source.cancel();
          }
        },
      },
    );
    await assert.rejects(job, (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.Cancelled);
    assert.equal(steps, 3, 'no step after the cancel');
  });

  it('errors name what is wrong', async () => {
    const missing = path.join(root, 'nope');
    await assert.rejects(generate(engine, { prompt: 'x' }, missing), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.ModelMissing && /not found/.test(e.message));
    const broken = path.join(root, 'broken');
    await writeAnalyticModel(broken, {});
    fs.rmSync(path.join(broken, 'unet'), { recursive: true });
    await assert.rejects(generate(engine, { prompt: 'x' }, broken), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.ModelMissing && /unet\/model\.onnx/.test(e.message));
    const corrupt = path.join(root, 'corrupt');
    await writeAnalyticModel(corrupt, {});
    fs.writeFileSync(path.join(corrupt, 'vae_decoder', 'model.onnx'), 'not onnx');
    await assert.rejects(generate(engine, { prompt: 'x' }, corrupt), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.ModelMismatch && /vae_decoder/.test(e.message));
    const dir = await model('default');
    await assert.rejects(generate(engine, { prompt: 'x', width: 100 }, dir), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.InvalidParams && /multiple of 8/.test(e.message));
    await assert.rejects(generate(engine, { prompt: 'x', initImage: new Uint8Array([1, 2, 3]) }, dir), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.InvalidParams && /init image could not be read/.test(e.message));
    const noEncoder = await model('no-encoder', { vaeEncoder: null });
    const { image, mask } = await inpaintInputs(64, 64, { x: 0, y: 0, w: 8, h: 8 });
    await assert.rejects(generate(engine, { prompt: 'x', initImage: image, mask }, noEncoder), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.ModelMismatch && /vae_encoder/.test(e.message));
    const empty = new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } }).png().toBuffer());
    await assert.rejects(generate(engine, { prompt: 'x', initImage: image, mask: empty }, dir), (e: unknown) => e instanceof RpcFailure && /mask is empty/.test(e.message));
  });

  it('a provider that fails falls back to the CPU and the result says why', async () => {
    const dir = await model('default');
    // No GPU here: WebGPU finds no adapter (a real failure of the provider), CUDA's library is not installed.
    for (const [provider, reason] of [['webgpu', /WebGPU failed on text_encoder/], ['cuda', /CUDA is not available/]] as const) {
      const fresh = new Engine();
      try {
        const result = await fresh.generate({ task: 'txt2img', model: { dir }, executionProvider: provider, prompt: 'a red', width: 64, height: 64, steps: 2, seed: '1' });
        assert.equal(result.executionProvider, 'cpu');
        assert.ok(result.warnings.some((w) => /^Running on CPU: /.test(w) && reason.test(w)), result.warnings.join('\n'));
      } finally {
        await fresh.dispose();
      }
    }
  });

  it('auto without a GPU provider runs on the CPU without a warning; loadModel says why', async () => {
    const dir = await model('default');
    const fresh = new Engine();
    try {
      const loaded = await fresh.loadModel({ dir }, 'auto');
      assert.equal(loaded.executionProvider, 'cpu');
      if (process.platform === 'linux') assert.match(loaded.fallbackReason ?? '', /CUDA is not installed/);
      const result = await fresh.generate({ task: 'txt2img', model: { dir }, executionProvider: 'auto', prompt: 'a red', width: 64, height: 64, steps: 2, seed: '1' });
      assert.deepEqual(result.warnings, []);
    } finally {
      await fresh.dispose();
    }
  });

  it('info with a provider keeps the model loaded for the generate that follows', async () => {
    const dir = await model('default');
    const fresh = new Engine();
    try {
      const info = await fresh.info({ dir }, 'cpu');
      assert.equal(info.unet.inChannels, 4);
      const result = await fresh.generate({ task: 'txt2img', model: { dir }, executionProvider: 'cpu', prompt: 'a red', width: 64, height: 64, steps: 2, seed: '1' });
      assert.equal(result.timings.loadMs, 0, 'nothing loaded twice');
      // Without a provider (the CLI's info) another model is inspected and released, the loaded one stays.
      const other = await model('v_prediction', { predictionType: 'v_prediction' });
      assert.equal((await fresh.info({ dir: other })).unet.predictionType, 'v_prediction');
      assert.equal(fresh.currentModel?.folder.dir, path.resolve(dir));
    } finally {
      await fresh.dispose();
    }
  });

  it('a prompt over 75 tokens is read in 75-token chunks (A1111), not cut: no truncation warning', async () => {
    const dir = await model('default');
    const long = Array.from({ length: 90 }, (_, i) => (i % 2 ? 'red' : 'a')).join(' ');
    const result = await generate(engine, { prompt: long, width: 64, height: 64, steps: 2, guidanceScale: 1, seed: 1 }, dir);
    assert.ok(!result.warnings.some((w) => /tokens|dropped|truncat/i.test(w)), result.warnings.join('\n'));
  });
});
