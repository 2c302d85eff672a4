import * as assert from 'node:assert/strict';
import type { GenerateParams, ModelInfo } from '../../src/common/protocol/engineProtocol';
import { RpcFailure } from '../../src/common/protocol/rpc';
import { checkSide, defaultSizeForImage, normalizeGenerateParams } from '../../src/engine/generateRequest';

function info(overrides: Partial<ModelInfo['unet']> = {}, encoder: ModelInfo['vae']['encoder'] = 'latent_sample'): ModelInfo {
  return {
    dir: '/m', name: 'm', family: 'sd1', pipelineClass: 'OnnxStableDiffusionPipeline', components: [],
    nativeWidth: 512, nativeHeight: 512, sizeMultiple: 64,
    textEncoder: { inputIdsType: 'int32', sequenceLength: 77, hiddenSize: 768, outputName: 'last_hidden_state' },
    tokenizer: { maxLength: 77, padToken: '<|endoftext|>', padTokenId: 49407, vocabSize: 49408 },
    unet: {
      inChannels: 4, latentChannels: 4, inpainting: false, dtype: 'float32', timestep: { type: 'int64', shape: [1] },
      batch: 'dynamic', size: 'dynamic', predictionType: 'epsilon', timeCondProjDim: null, ...overrides,
    },
    vae: { scalingFactor: 0.18215, scalingFactorSource: 'config', scaleFactor: 8, encoder, decoderDtype: 'float32' },
    scheduler: { className: 'PNDMScheduler', defaultScheduler: 'dpmpp-2m' }, preview: 'latent-rgb', warnings: [],
  };
}

const base = { task: 'txt2img' as const, model: { dir: '/m' }, prompt: 'p' };
const img = new Uint8Array([1]);
const img2img = { ...base, task: 'img2img' as const, initImage: img };
const inpaint = { ...base, task: 'inpaint' as const, initImage: img, mask: img };

function rejects(params: object, message: RegExp, model = info()): void {
  assert.throws(
    () => normalizeGenerateParams({ ...base, ...params } as GenerateParams, model),
    (e: unknown) => e instanceof RpcFailure && message.test(e.message),
  );
}

describe('generate parameters', () => {
  it('fills defaults', () => {
    const r = normalizeGenerateParams({ ...base, seed: '5' }, info());
    assert.equal(r.task, 'txt2img');
    assert.equal(r.steps, 20);
    assert.equal(r.guidanceScale, 7.5);
    assert.equal(r.scheduler, 'default');
    assert.equal(r.batchCount, 1);
    assert.equal(r.seed, 5n);
    assert.equal(r.width, undefined);
    assert.equal(r.emphasis, 'Original');
    assert.equal(r.clipSkip, 1);
    const chosen = normalizeGenerateParams({ ...base, emphasis: 'No norm', clipSkip: 2 }, info());
    assert.equal(chosen.emphasis, 'No norm');
    assert.equal(chosen.clipSkip, 2);
  });

  it('takes seeds up to 2^64 − 1 as decimal strings; -1 and none are random', () => {
    assert.equal(normalizeGenerateParams({ ...base, seed: '18446744073709551615' }, info()).seed, 2n ** 64n - 1n);
    assert.equal(normalizeGenerateParams({ ...base, seed: '1099511627783' }, info()).seed, 1099511627783n);
    const seeds = new Set<bigint>();
    for (let i = 0; i < 20; i++) {
      const s = normalizeGenerateParams(i % 2 ? base : { ...base, seed: '-1' }, info()).seed;
      assert.ok(s >= 0n && s <= 2n ** 32n - 1n);
      seeds.add(s);
    }
    assert.ok(seeds.size > 15);
  });

  it('LCM UNets default to 4 steps and guidance 8.5', () => {
    const r = normalizeGenerateParams(base, info({ timeCondProjDim: 256 }));
    assert.equal(r.steps, 4);
    assert.equal(r.guidanceScale, 8.5);
  });

  it('each task gets its own fields and defaults', () => {
    const i2i = normalizeGenerateParams(img2img, info());
    assert.ok(i2i.task === 'img2img');
    assert.equal(i2i.strength, 0.75);
    const inp = normalizeGenerateParams(inpaint, info());
    assert.ok(inp.task === 'inpaint');
    assert.equal(inp.strength, 1);
    assert.equal(inp.maskPadding, 32);
    assert.equal(inp.inpaintArea, 'whole');
  });

  it('rejects what it cannot run, saying what to do', () => {
    rejects({ width: 500 }, /width 500 is not a multiple of 8: use 496 or 504/);
    rejects({ height: 0 }, /height must be a positive whole number/);
    rejects({ width: 8192 }, /outside 8…4096/);
    rejects({ steps: 0 }, /steps must be a whole number from 1 to 150/);
    rejects({ steps: 151 }, /steps/);
    rejects({ steps: 2.5 }, /steps/);
    rejects({ guidanceScale: -1 }, /guidanceScale/);
    rejects({ guidanceScale: 31 }, /guidanceScale/);
    rejects({ seed: '-3' }, /seed/);
    rejects({ seed: 5 }, /seed must be a decimal string/);
    rejects({ seed: '18446744073709551616' }, /seed/);
    rejects({ scheduler: 'plms' }, /Unknown scheduler "plms"/);
    rejects({ batchCount: 0 }, /batchCount/);
    rejects({ batchCount: 17 }, /batchCount/);
    rejects({ emphasis: 'no norm' }, /emphasis must be one of "Original", "No norm", "Ignore", "None", got "no norm"/);
    rejects({ clipSkip: 0 }, /clipSkip must be a whole number from 1 to 12, got 0/);
    rejects({ clipSkip: 1.5 }, /clipSkip/);
    rejects({ task: 'sketch' }, /task must be one of txt2img, img2img, inpaint, outpaint/);
    rejects({ task: 'inpaint', initImage: img }, /mask must be bytes/);
    rejects({ task: 'img2img' }, /initImage must be bytes/);
    rejects({ ...img2img, strength: 0 }, /strength must be a number from 0.01/);
    rejects({ ...img2img, strength: 1.5 }, /strength/);
    rejects({ ...inpaint, maskBlur: 65 }, /maskBlur/);
    rejects(img2img, /no vae_encoder/, info({}, null));
  });

  it('checkSide accepts multiples of the scale factor', () => {
    assert.equal(checkSide('width', 512, 8), 512);
    assert.equal(checkSide('width', 48, 16), 48);
    assert.throws(() => checkSide('width', 40, 16), /use 32 or 48/);
  });

  it('default size for image jobs keeps small images and scales large ones to about the native area', () => {
    assert.deepEqual(defaultSizeForImage(640, 384, info()), { width: 640, height: 384 });
    const big = defaultSizeForImage(2048, 1024, info());
    assert.equal(big.width % 8, 0);
    assert.equal(big.height % 8, 0);
    assert.ok(Math.abs(big.width / big.height - 2) < 0.05);
    assert.ok(Math.abs(big.width * big.height - 512 * 512) / (512 * 512) < 0.05);
    assert.deepEqual(defaultSizeForImage(333, 333, info()).width % 8, 0);
    assert.deepEqual(defaultSizeForImage(1000, 700, info({ size: { width: 512, height: 512 } })), { width: 512, height: 512 });
  });
});
