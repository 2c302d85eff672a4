import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as ort from 'onnxruntime-node';
import { ClipTokenizer } from '../../src/engine/tokenizer/clipTokenizer';
import { float16BitsToFloat32, fromFloat16Array, toFloat16Array } from '../../src/engine/tensor/float16';
import { buildAnalyticModelFiles, writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { resolveAnalyticOptions, type AnalyticModelOptions } from '../../tools/analytic/analyticModelOptions';
import { AnalyticOracle } from '../../tools/analytic/analyticOracle';
import { BACKGROUND_RGB, colourConcepts, concepts, DEFAULT_RGB, EMBEDDING_DIM, SAMPLE_PROMPT } from '../../tools/analytic/concepts';
import { analyticVocabulary, bpe, encodeText, preTokens } from '../../tools/analytic/tokenizerFiles';
import { alphasCumprod, sigmaAt, trainingSigmas } from '../../tools/analytic/trainingSigmas';

type Meta = { type: string; shape: readonly (number | string)[] };

function meta(list: readonly ort.InferenceSession.ValueMetadata[], name: string): Meta {
  const m = list.find((x) => x.name === name);
  assert.ok(m, `no value named ${name}; have ${list.map((x) => x.name).join(', ')}`);
  assert.ok(m.isTensor);
  return { type: m.type, shape: [...m.shape] };
}

/** Deterministic values in [lo, hi). */
function pseudoRandom(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 0x1000000) * (hi - lo);
  }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  assert.ok(worst <= tolerance, `${what}: worst relative error ${worst} at ${at} (got ${actual[at]}, want ${expected[at]})`);
}

interface Variant {
  label: string;
  options: Partial<AnalyticModelOptions>;
}

const variants: Variant[] = [
  { label: 'defaults: family A (int32 ids, float32 timestep [batch], dynamic dims)', options: {} },
  {
    label: 'optimum B: int64 ids, int64 timestep [1], latent_parameters, model.onnx_data',
    options: { idsType: 'int64', timestep: { type: 'int64', shape: 'one' }, vaeEncoder: 'latent_parameters', externalData: 'model.onnx_data' },
  },
  {
    label: 'optimum C: float32 scalar timestep, v_prediction',
    options: { idsType: 'int64', timestep: { type: 'float32', shape: 'scalar' }, predictionType: 'v_prediction', vaeEncoder: 'latent_parameters' },
  },
  {
    label: 'fp16 I/O, float16 timestep [1], weights.pb',
    options: { floatType: 'float16', timestep: { type: 'float16', shape: 'one' }, externalData: 'weights.pb' },
  },
  {
    label: 'static batch 1, static non-square 256×128 (W×H), int64 timestep [1]',
    options: { batch: 1, size: { width: 256, height: 128 }, timestep: { type: 'int64', shape: 'one' } },
  },
  {
    label: 'static batch 2, static 128×256 (W×H), inpainting 9 channels, timestep [batch]',
    options: { batch: 2, size: { width: 128, height: 256 }, unetInChannels: 9, scalingFactor: 0.25 },
  },
  {
    label: 'dynamic inpainting 9 channels, v_prediction, fp16 I/O, float32 timestep [batch]',
    options: { unetInChannels: 9, predictionType: 'v_prediction', floatType: 'float16' },
  },
  {
    label: 'no vae_encoder, taesd_decoder, no configs, pad "!"',
    options: { vaeEncoder: null, taesd: true, writeConfigs: false, padToken: '!' },
  },
  {
    label: 'heavy benchmark chain (output unchanged)',
    options: { heavy: { matmulSize: 64, layers: 3 }, taesd: true, floatType: 'float16', timestep: { type: 'float32', shape: 'scalar' } },
  },
];

const PROMPTS = [SAMPLE_PROMPT, 'blue square at the top', 'Pink  RING bottom right', 'green diamond'];

describe('analytic models', function () {
  this.timeout(60000);
  let root: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'analytic-models-'));
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  describe('tokenizer', () => {
    it('gives every concept and filler word exactly one token, and the vocab the CLIP layout', () => {
      const v = analyticVocabulary();
      const ids = [...v.vocab.values()];
      assert.deepEqual(ids, ids.map((_, i) => i), 'ids are 0..n-1 in order');
      assert.equal(v.vocab.get('!'), 0);
      assert.equal(v.vocab.get('!</w>'), 256);
      assert.equal(v.vocab.get('Ġ'), 256 - 68 + 32, 'space maps to chr(256 + 32) after the 188 printable bytes');
      assert.equal(v.bosId, v.vocab.size - 2);
      assert.equal(v.eosId, v.vocab.size - 1);
      assert.equal(v.merges.length, v.vocab.size - 514);
      for (const c of concepts) assert.deepEqual(bpe(preTokens(c.word)[0], v.ranks), [`${c.word}</w>`]);
    });

    it('my BPE reproduces the real CLIP ids of facts §3 with the real merges', function () {
      const dataDir = process.env.LOCAL_DIFFUSION_SHARED_DATA ?? path.resolve(__dirname, '../../../../shared/data');
      const gz = path.join(dataDir, 'clip', 'bpe_simple_vocab_16e6.txt.gz');
      if (!fs.existsSync(gz)) this.skip();
      const lines = zlib.gunzipSync(fs.readFileSync(gz)).toString('utf8').split('\n').slice(1, 49152 - 256 - 2 + 1);
      const ranks = new Map(lines.map((l, i) => [l, i]));
      const vocab = new Map<string, number>();
      const base = [...analyticVocabulary().vocab.keys()].slice(0, 256);
      for (const s of base) vocab.set(s, vocab.size);
      for (const s of base) vocab.set(s + '</w>', vocab.size);
      for (const l of lines) vocab.set(l.replace(' ', ''), vocab.size);
      vocab.set('<|startoftext|>', vocab.size);
      vocab.set('<|endoftext|>', vocab.size);
      const clip = { vocab, ranks, merges: [], bosId: 49406, eosId: 49407 };
      assert.deepEqual(encodeText('A photo of an astronaut riding a horse on mars', clip), [320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496]);
      assert.deepEqual(encodeText('Hello, World!', clip), [3306, 267, 1002, 256]);
      assert.deepEqual(encodeText('masterpiece, best quality, 1girl', clip), [12066, 267, 949, 3027, 267, 272, 1611]);
      assert.deepEqual(encodeText('  multiple   spaces\tand\nnewlines ', clip), [6470, 9006, 537, 1218, 3418]);
    });

    for (const padToken of ['<|endoftext|>', '!'] as const) {
      it(`the engine's ClipTokenizer reads the written files (pad ${padToken}) and agrees with the oracle`, async () => {
        const dir = path.join(root, `tok-${padToken === '!' ? 'bang' : 'eos'}`);
        await writeAnalyticModel(dir, { padToken });
        const tokenizer = await ClipTokenizer.fromFolder(path.join(dir, 'tokenizer'));
        const oracle = new AnalyticOracle({ padToken });
        const v = analyticVocabulary();
        const word = (w: string): number => v.vocab.get(`${w}</w>`) ?? -1;
        const sample = tokenizer.encode(SAMPLE_PROMPT).ids;
        const pad = padToken === '!' ? 0 : v.eosId;
        assert.deepEqual(sample, [v.bosId, ...['a', 'red', 'circle', 'on', 'the', 'left'].map(word), v.eosId, ...Array(69).fill(pad)]);
        for (const prompt of [...PROMPTS, '', 'an unknown word, 42!', 'red '.repeat(90)]) {
          assert.deepEqual(tokenizer.encode(prompt).ids, oracle.tokenIds(prompt), prompt);
        }
        for (const c of concepts) assert.deepEqual(tokenizer.encode(c.word.toUpperCase()).ids.slice(0, 3), [v.bosId, word(c.word), v.eosId]);
      });
    }
  });

  describe('oracle closed forms', () => {
    const oracle = new AnalyticOracle();

    it('σ/ᾱ tables match facts §2.1 and interpolate like Euler (§2.4)', () => {
      assert.ok(Math.abs(alphasCumprod[0] - 0.99915) < 1e-6);
      assert.ok(Math.abs(alphasCumprod[999] - 0.0046600914) < 1e-9);
      assert.ok(Math.abs(trainingSigmas[0] - 0.0291675) < 1e-6);
      assert.ok(Math.abs(trainingSigmas[999] - 14.614653) < 1e-5);
      assert.equal(sigmaAt(500), trainingSigmas[500]);
      assert.equal(sigmaAt(999), trainingSigmas[999]);
      assert.ok(Math.abs(sigmaAt(961.733) - 11.7254) < 1e-3);
      assert.ok(Math.abs(sigmaAt(946.4211) - 10.7469) < 1e-3);
      assert.ok(Math.abs(oracle.alphaCumprodAt(999) - alphasCumprod[999]) < 1e-7);
    });

    it('draws the sample prompt: red circle left of centre on a dark grey background, non-square', () => {
      const h = 16;
      const w = 32;
      const rgb = oracle.decodeLatent(oracle.targetLatent(SAMPLE_PROMPT, h, w), h, w);
      const H = h * 8;
      const W = w * 8;
      const pixel = (x: number, y: number): number[] => [0, 1, 2].map((c) => rgb[(c * H + y) * W + x]);
      // Centre of the circle: u = −0.25 min-side units → x = 16·(−0.25) + 16 latent cells = 12 → pixel 96.
      // Soft edge: inside, the mask is sigmoid(30·(0.25 − d)) ≥ 0.998 near the centre.
      assertClose(pixel(96, 64), colourConcepts[0].rgb, 3e-3, 'circle centre is red');
      assertClose(pixel(2, 2), BACKGROUND_RGB, 1e-4, 'corner is background');
      assertClose(pixel(200, 64), BACKGROUND_RGB, 1e-4, 'right half is background');
      // No prompt at all: the whole image is the default colour.
      const empty = oracle.decodeLatent(oracle.targetLatent('', 4, 4), 4, 4);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(empty[c * 32 * 32 + 100] - DEFAULT_RGB[c]) < 1e-5);
      // latent_rgb_factors preview gives the same colours as the decoder.
      const preview = oracle.previewRgb(oracle.targetLatent('blue', 2, 2), 2, 2);
      assertClose([preview[0], preview[4], preview[8]], colourConcepts[2].rgb, 1e-5, 'preview of blue');
    });

    it('the UNet output denoises to the target in one step (ε and v) and encode∘decode is the identity on cells', () => {
      const h = 4;
      const w = 6;
      const x0 = oracle.targetLatent('yellow diamond', h, w);
      const latents = pseudoRandom(x0.length, 5);
      for (const predictionType of ['epsilon', 'v_prediction'] as const) {
        const o = new AnalyticOracle({ predictionType });
        const t = 700.5;
        const out = o.unetOutput(latents, x0, t);
        const a = Math.sqrt(o.alphaCumprodAt(t));
        const b = Math.sqrt(1 - o.alphaCumprodAt(t));
        // DDIM (facts §2.3): x0 = (x − √(1−ᾱ)ε)/√ᾱ, or x0 = √ᾱ·x − √(1−ᾱ)·v.
        const recovered = latents.map((x, i) => (predictionType === 'epsilon' ? (x - b * out[i]) / a : a * x - b * out[i]));
        assertClose(recovered, x0, 1e-4, predictionType);
      }
      const image = pseudoRandom(3 * 16 * 24, 9, -0.9, 0.9);
      const decoded = oracle.decodeVaeLatent(oracle.encodeImage(image, 16, 24), 2, 3);
      const blockMean = (c: number, by: number, bx: number): number => {
        let s = 0;
        for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) s += image[(c * 16 + by * 8 + y) * 24 + bx * 8 + x];
        return s / 64;
      };
      assert.ok(Math.abs(decoded[(1 * 16 + 9) * 24 + 17] - blockMean(1, 1, 2)) < 1e-5);
      // CFG target.
      const g = oracle.guidedTarget('', 'red', 7.5, 1, 1);
      const u = oracle.targetLatent('', 1, 1);
      const c = oracle.targetLatent('red', 1, 1);
      assert.ok(Math.abs(g[0] - (u[0] + 7.5 * (c[0] - u[0]))) < 1e-6);
    });
  });

  for (const variant of variants) {
    describe(variant.label, () => {
      const o = resolveAnalyticOptions(variant.options);
      const oracle = new AnalyticOracle(variant.options);
      const fp16 = o.floatType === 'float16';
      const tolerance = fp16 ? 1e-2 : 1e-4;
      const fixedBatch = o.batch === 'dynamic' ? null : o.batch;
      const batch = fixedBatch ?? 2;
      // Non-square latent size (h ≠ w); with a static size, the declared one.
      const [imageH, imageW] = o.size === 'dynamic' ? [128, 256] : [o.size.height, o.size.width];
      const h = imageH / 8;
      const w = imageW / 8;
      let dir: string;
      const sessions: Record<string, ort.InferenceSession> = {};

      const floatTensor = (data: Float32Array, dims: number[]): ort.Tensor =>
        fp16 ? new ort.Tensor('float16', toFloat16Array(data), dims) : new ort.Tensor('float32', data, dims);
      /** What the model sees after the input cast. */
      const asInput = (data: Float32Array): Float32Array => (fp16 ? fromFloat16Array(toFloat16Array(data)) : data);
      const floatOut = (t: ort.Tensor): Float32Array => {
        assert.equal(t.type, o.floatType);
        return fp16 ? fromFloat16Array(t.data as Uint16Array) : (t.data as Float32Array);
      };

      before(async function () {
        dir = path.join(root, variant.label.replace(/[^a-z0-9]+/gi, '-').slice(0, 60));
        await writeAnalyticModel(dir, variant.options);
        for (const c of ['text_encoder', 'unet', 'vae_decoder', 'vae_encoder', 'taesd_decoder']) {
          const file = path.join(dir, c, 'model.onnx');
          if (fs.existsSync(file)) sessions[c] = await ort.InferenceSession.create(file);
        }
      });

      after(async () => {
        for (const s of Object.values(sessions)) await s.release();
      });

      it('writes the diffusers folder layout and configs', () => {
        const index = JSON.parse(fs.readFileSync(path.join(dir, 'model_index.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(index._class_name, o.unetInChannels === 9 ? 'OnnxStableDiffusionInpaintPipeline' : 'OnnxStableDiffusionPipeline');
        assert.deepEqual(index.unet, ['diffusers', 'OnnxRuntimeModel']);
        assert.deepEqual(index.tokenizer, ['transformers', 'CLIPTokenizer']);
        assert.deepEqual(index.scheduler, ['diffusers', 'EulerDiscreteScheduler']);
        assert.equal('vae_encoder' in index, o.vaeEncoder !== null);
        assert.equal(fs.existsSync(path.join(dir, 'vae_encoder', 'model.onnx')), o.vaeEncoder !== null);
        assert.equal(fs.existsSync(path.join(dir, 'taesd_decoder', 'model.onnx')), o.taesd);
        const scheduler = JSON.parse(fs.readFileSync(path.join(dir, 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(scheduler.prediction_type, o.predictionType);
        assert.equal(scheduler.beta_schedule, 'scaled_linear');
        const merges = fs.readFileSync(path.join(dir, 'tokenizer', 'merges.txt'), 'utf8').split('\n');
        assert.equal(merges[0], '#version: 0.2');
        const tokConfig = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer', 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(tokConfig.pad_token, o.padToken);
        assert.equal(tokConfig.model_max_length, 77);
        const external = o.externalData ?? (o.heavy ? 'model.onnx_data' : null);
        for (const name of ['model.onnx_data', 'weights.pb']) {
          assert.equal(fs.existsSync(path.join(dir, 'unet', name)), name === external, `unet/${name}`);
        }
        if (o.heavy) {
          const bytes = fs.statSync(path.join(dir, 'unet', 'model.onnx_data')).size;
          assert.ok(bytes >= (o.heavy.layers + 1) * o.heavy.matmulSize ** 2 * 4, `${bytes} bytes of heavy weights`);
        }
        const unetConfig = path.join(dir, 'unet', 'config.json');
        assert.equal(fs.existsSync(unetConfig), o.writeConfigs);
        if (o.writeConfigs) {
          const unet = JSON.parse(fs.readFileSync(unetConfig, 'utf8')) as Record<string, unknown>;
          assert.equal(unet.in_channels, o.unetInChannels);
          assert.equal(unet.sample_size, o.sampleSize / 8);
          assert.equal(unet.cross_attention_dim, EMBEDDING_DIM);
          const vae = JSON.parse(fs.readFileSync(path.join(dir, 'vae_decoder', 'config.json'), 'utf8')) as Record<string, unknown>;
          assert.equal(vae.scaling_factor, o.scalingFactor);
          assert.equal((vae.block_out_channels as number[]).length, 4);
          assert.deepEqual(vae.latent_rgb_factors, oracle.latentRgbFactors());
          assert.deepEqual(vae.latent_rgb_bias, oracle.latentRgbBias());
        }
      });

      it('declares the variant in inputMetadata/outputMetadata', () => {
        const B = fixedBatch ?? 'batch';
        const S = fixedBatch ? 77 : 'sequence';
        const dyn = o.size === 'dynamic';
        const ch = (n: number): number | string => (dyn ? 'channels' : n);
        const [lh, lw, ih, iw] = dyn ? ['height', 'width', 'image_height', 'image_width'] : [h, w, imageH, imageW];
        const te = sessions.text_encoder;
        assert.deepEqual(meta(te.inputMetadata, 'input_ids'), { type: o.idsType, shape: [B, S] });
        assert.deepEqual(meta(te.outputMetadata, 'last_hidden_state'), { type: o.floatType, shape: [B, S, EMBEDDING_DIM] });
        assert.deepEqual(meta(te.outputMetadata, 'pooler_output'), { type: o.floatType, shape: [B, EMBEDDING_DIM] });
        const unet = sessions.unet;
        assert.deepEqual(unet.inputNames, ['sample', 'timestep', 'encoder_hidden_states']);
        assert.deepEqual(meta(unet.inputMetadata, 'sample'), { type: o.floatType, shape: [B, ch(o.unetInChannels), lh, lw] });
        const tShape = { scalar: [], one: [1], batch: [B] }[o.timestep.shape];
        assert.deepEqual(meta(unet.inputMetadata, 'timestep'), { type: o.timestep.type, shape: tShape });
        assert.deepEqual(meta(unet.inputMetadata, 'encoder_hidden_states'), { type: o.floatType, shape: [B, S, EMBEDDING_DIM] });
        assert.deepEqual(meta(unet.outputMetadata, 'out_sample'), { type: o.floatType, shape: [B, 4, lh, lw] });
        const dec = sessions.vae_decoder;
        assert.deepEqual(meta(dec.inputMetadata, 'latent_sample'), { type: o.floatType, shape: ['batch', ch(4), lh, lw] });
        assert.deepEqual(meta(dec.outputMetadata, 'sample'), { type: o.floatType, shape: ['batch', 3, ih, iw] });
        if (o.vaeEncoder) {
          const enc = sessions.vae_encoder;
          assert.deepEqual(meta(enc.inputMetadata, 'sample'), { type: o.floatType, shape: ['batch', ch(3), ih, iw] });
          assert.deepEqual(enc.outputNames, [o.vaeEncoder]);
          assert.deepEqual(meta(enc.outputMetadata, o.vaeEncoder), { type: o.floatType, shape: ['batch', o.vaeEncoder === 'latent_sample' ? 4 : 8, lh, lw] });
        }
        if (o.taesd) assert.deepEqual(meta(sessions.taesd_decoder.inputMetadata, 'latent_sample'), { type: o.floatType, shape: ['batch', ch(4), lh, lw] });
      });

      it('text encoder: one-hot concept rows and pooled concept weights', async () => {
        const prompts = PROMPTS.slice(0, batch);
        const ids = prompts.flatMap((p) => oracle.tokenIds(p));
        const data = o.idsType === 'int32' ? Int32Array.from(ids) : BigInt64Array.from(ids, BigInt);
        const out = await sessions.text_encoder.run({ input_ids: new ort.Tensor(o.idsType, data, [batch, 77]) });
        assert.deepEqual(out.last_hidden_state.dims, [batch, 77, EMBEDDING_DIM]);
        assertClose(floatOut(out.last_hidden_state), prompts.flatMap((p) => [...oracle.lastHiddenState(p)]), 0, 'last_hidden_state');
        const pooled = floatOut(out.pooler_output);
        assertClose(pooled, prompts.flatMap((p) => [...oracle.conceptWeights(p)]), 0, 'pooler_output');
        // "a red circle on the left": weight 1 on red, circle and left; nothing else.
        const red = concepts.findIndex((c) => c.word === 'red');
        const circle = concepts.findIndex((c) => c.word === 'circle');
        const left = concepts.findIndex((c) => c.word === 'left');
        const ones = [...pooled.subarray(0, EMBEDDING_DIM)].flatMap((x, i) => (x ? [i] : []));
        assert.deepEqual(ones, [red, circle, left]);
      });

      const timesteps = o.timestep.type === 'int64' ? [999, 500, 20] : [999, 961.733, 263.5];
      for (const timestep of timesteps) {
        it(`unet at t=${timestep}: exact ${o.predictionType} for the prompts' targets`, async () => {
          const C = o.unetInChannels;
          const plane = h * w;
          const sample = pseudoRandom(batch * C * plane, 17 + timestep, -2, 2);
          if (C === 9) {
            for (let b = 0; b < batch; b++) {
              const mask = sample.subarray((b * C + 4) * plane, (b * C + 5) * plane);
              mask.forEach((_, i) => (mask[i] = (i * 7 + b) % 3 === 0 ? 1 : 0)); // binary mask, as pipelines feed
            }
          }
          const prompts = PROMPTS.slice(1, 1 + batch);
          const hidden = Float32Array.from(prompts.flatMap((p) => [...oracle.lastHiddenState(p)]));
          const tDims = { scalar: [], one: [1], batch: [batch] }[o.timestep.shape];
          const tCount = o.timestep.shape === 'batch' ? batch : 1;
          let tTensor: ort.Tensor;
          let tSeen = timestep;
          if (o.timestep.type === 'int64') tTensor = new ort.Tensor('int64', new BigInt64Array(tCount).fill(BigInt(timestep)), tDims);
          else if (o.timestep.type === 'float16') {
            const bits = toFloat16Array(new Float32Array(tCount).fill(timestep));
            tSeen = float16BitsToFloat32(bits[0]);
            tTensor = new ort.Tensor('float16', bits, tDims);
          } else tTensor = new ort.Tensor('float32', new Float32Array(tCount).fill(timestep), tDims);
          const out = await sessions.unet.run({
            sample: floatTensor(sample, [batch, C, h, w]),
            timestep: tTensor,
            encoder_hidden_states: floatTensor(hidden, [batch, 77, EMBEDDING_DIM]),
          });
          assert.deepEqual(out.out_sample.dims, [batch, 4, h, w]);
          const expected = oracle.unetBatch(asInput(sample), prompts.map((p) => oracle.conceptWeights(p)), tSeen, h, w);
          // ε = (x − √ᾱ x0)/√(1−ᾱ) amplifies by 1/√(1−ᾱ): relative tolerance scaled by it.
          const gain = 1 / Math.sqrt(1 - oracle.alphaCumprodAt(tSeen));
          assertClose(floatOut(out.out_sample), expected, tolerance * Math.max(1, gain / 4), 'out_sample');
          // Independently of the oracle's ε formula: the output denoises to the prompt's target.
          const a = Math.sqrt(oracle.alphaCumprodAt(tSeen));
          const s = Math.sqrt(1 - oracle.alphaCumprodAt(tSeen));
          const got = floatOut(out.out_sample);
          const seen = asInput(sample);
          for (let b = 0; b < batch; b++) {
            let target = oracle.targetLatent(prompts[b], h, w);
            if (C === 9) {
              const item = seen.subarray(b * C * plane, (b + 1) * C * plane);
              target = oracle.inpaintTarget(target, item.subarray(4 * plane, 5 * plane), item.subarray(5 * plane), h, w);
            }
            const x = seen.subarray(b * C * plane, b * C * plane + 4 * plane);
            const pred = got.subarray(b * 4 * plane, (b + 1) * 4 * plane);
            const x0 = x.map((xi, i) => (o.predictionType === 'epsilon' ? (xi - s * pred[i]) / a : a * xi - s * pred[i]));
            assertClose(x0, target, fp16 ? 5e-2 : 1e-3 * Math.max(1, 1 / a), `x0 of batch item ${b}`);
          }
        });
      }

      it('vae decoder: linear W·l + b in 8×8 blocks', async () => {
        const latent = pseudoRandom(4 * h * w, 3, -2, 2);
        const out = await sessions.vae_decoder.run({ latent_sample: floatTensor(latent, [1, 4, h, w]) });
        assert.deepEqual(out.sample.dims, [1, 3, imageH, imageW]);
        assertClose(floatOut(out.sample), oracle.decodeVaeLatent(asInput(latent), h, w), tolerance, 'sample');
        // UNet-space target latents of a prompt decode (÷ scaling_factor) to the concept colour.
        const z = oracle.targetLatent('purple', h, w);
        const rgb = floatOut((await sessions.vae_decoder.run({ latent_sample: floatTensor(z.map((x) => x / o.scalingFactor), [1, 4, h, w]) })).sample);
        assertClose([rgb[0], rgb[imageH * imageW], rgb[2 * imageH * imageW]], colourConcepts[6].rgb, fp16 ? 1e-2 : 1e-5, 'purple');
      });

      if (o.vaeEncoder) {
        it(`vae encoder (${o.vaeEncoder}): W⁺(8×8 mean − b)`, async () => {
          const image = pseudoRandom(3 * imageH * imageW, 11, -1, 1);
          const out = await sessions.vae_encoder.run({ sample: floatTensor(image, [1, 3, imageH, imageW]) });
          const result = floatOut(out[o.vaeEncoder as string]);
          const mean = oracle.encodeImage(asInput(image), imageH, imageW);
          if (o.vaeEncoder === 'latent_sample') {
            assert.deepEqual(out.latent_sample.dims, [1, 4, h, w]);
            assertClose(result, mean, tolerance, 'latent_sample');
          } else {
            assert.deepEqual(out.latent_parameters.dims, [1, 8, h, w]);
            assertClose(result.subarray(0, 4 * h * w), mean, tolerance, 'mean');
            assert.ok(result.subarray(4 * h * w).every((x) => x === -30), 'logvar = −30');
          }
        });
      }

      if (variant.options === variants[0].options) {
        it('a hand-written Euler + CFG loop over the ONNX components lands exactly on the oracle image', async () => {
          // Euler discrete, linspace spacing, 8 steps (facts §2.4); CFG on ε (facts §7); decode latents/scaling.
          const steps = 8;
          const guidance = 7.5;
          const timesteps = Array.from({ length: steps }, (_, i) => 999 - (999 * i) / (steps - 1));
          const sigmas = [...timesteps.map(sigmaAt), 0];
          const plane = h * w;
          const ids = Int32Array.from([...oracle.tokenIds(''), ...oracle.tokenIds(SAMPLE_PROMPT)]);
          const text = await sessions.text_encoder.run({ input_ids: new ort.Tensor('int32', ids, [2, 77]) });
          let x = pseudoRandom(4 * plane, 99, -1, 1).map((n) => n * sigmas[0]);
          for (let i = 0; i < steps; i++) {
            const scale = Math.sqrt(sigmas[i] ** 2 + 1);
            const input = new Float32Array(2 * 4 * plane);
            input.set(x.map((v) => v / scale));
            input.set(x.map((v) => v / scale), 4 * plane);
            const out = await sessions.unet.run({
              sample: new ort.Tensor('float32', input, [2, 4, h, w]),
              timestep: new ort.Tensor('float32', Float32Array.of(timesteps[i], timesteps[i]), [2]),
              encoder_hidden_states: text.last_hidden_state,
            });
            const eps = out.out_sample.data as Float32Array;
            x = x.map((v, j) => {
              const e = eps[j] + guidance * (eps[4 * plane + j] - eps[j]);
              const x0 = v - sigmas[i] * e;
              return v + ((v - x0) / sigmas[i]) * (sigmas[i + 1] - sigmas[i]);
            });
          }
          const image = floatOut((await sessions.vae_decoder.run({
            latent_sample: new ort.Tensor('float32', x.map((v) => v / o.scalingFactor), [1, 4, h, w]),
          })).sample);
          const expected = oracle.decodeLatent(oracle.guidedTarget('', SAMPLE_PROMPT, guidance, h, w), h, w);
          assertClose(image, expected, 1e-3, 'final image');
        });
      }

      if (o.taesd) {
        it('taesd decoder: UNet-space latents straight to [-1, 1] RGB', async () => {
          const z = pseudoRandom(4 * h * w, 23, -1, 1);
          const out = await sessions.taesd_decoder.run({ latent_sample: floatTensor(z, [1, 4, h, w]) });
          assertClose(floatOut(out.sample), oracle.decodeLatent(asInput(z), h, w), tolerance, 'taesd sample');
        });
      }
    });
  }

  it('builds byte-identical files for the same options (so the sample build can skip rewriting)', () => {
    const a = buildAnalyticModelFiles({ taesd: true, externalData: 'weights.pb' });
    const b = buildAnalyticModelFiles({ taesd: true, externalData: 'weights.pb' });
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    for (const [name, bytes] of a) assert.ok(Buffer.from(bytes).equals(Buffer.from(b.get(name) as Uint8Array)), name);
    const c = buildAnalyticModelFiles({ taesd: true, externalData: 'weights.pb', scalingFactor: 0.3 });
    assert.ok(!Buffer.from(c.get('unet/weights.pb') as Uint8Array).equals(Buffer.from(a.get('unet/weights.pb') as Uint8Array)));
  });
});
