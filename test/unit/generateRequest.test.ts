import * as assert from 'node:assert/strict';
import type { ModelInfo } from '../../src/common/protocol/engineProtocol';
import { RpcFailure } from '../../src/common/protocol/rpc';
import { checkSide, defaultSizeForImage, normalizeGenerateParams } from '../../src/engine/generateRequest';

function info(overrides: Partial<ModelInfo['unet']> = {}, encoder: ModelInfo['vae']['encoder'] = 'latent_sample'): ModelInfo {
  return {
    dir: '/m', name: 'm', family: 'sd1', pipelineClass: 'OnnxStableDiffusionPipeline', components: [],
    nativeWidth: 512, nativeHeight: 512,
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

const base = { model: { dir: '/m' }, prompt: 'p' };

function rejects(params: object, message: RegExp, model = info()): void {
  assert.throws(
    () => normalizeGenerateParams({ ...base, ...params }, model),
    (e: unknown) => e instanceof RpcFailure && message.test(e.message),
  );
}

describe('generate parameters', () => {
  it('fills defaults', () => {
    const r = normalizeGenerateParams({ ...base, seed: 5 }, info());
    assert.equal(r.task, 'txt2img');
    assert.equal(r.steps, 20);
    assert.equal(r.guidanceScale, 7.5);
    assert.equal(r.scheduler, 'default');
    assert.equal(r.batchCount, 1);
    assert.equal(r.strength, 1);
    assert.equal(r.seed, 5);
    assert.equal(r.width, undefined);
  });

  it('draws a random seed in range when none is given', () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const s = normalizeGenerateParams(base, info()).seed;
      assert.ok(Number.isInteger(s) && s >= 0 && s <= 2 ** 32 - 1);
      seeds.add(s);
    }
    assert.ok(seeds.size > 15);
  });

  it('LCM UNets default to 4 steps and guidance 8.5', () => {
    const r = normalizeGenerateParams(base, info({ timeCondProjDim: 256 }));
    assert.equal(r.steps, 4);
    assert.equal(r.guidanceScale, 8.5);
  });

  it('tasks follow the inputs', () => {
    const img = new Uint8Array([1]);
    assert.equal(normalizeGenerateParams({ ...base, initImage: img }, info()).task, 'img2img');
    assert.equal(normalizeGenerateParams({ ...base, initImage: img }, info()).strength, 0.75);
    const inpaint = normalizeGenerateParams({ ...base, initImage: img, mask: img }, info());
    assert.equal(inpaint.task, 'inpaint');
    assert.equal(inpaint.strength, 1);
  });

  it('rejects what it cannot run, saying what to do', () => {
    rejects({ width: 500 }, /width 500 is not a multiple of 8: use 496 or 504/);
    rejects({ height: 0 }, /height must be a positive whole number/);
    rejects({ width: 8192 }, /larger than 4096/);
    rejects({ steps: 0 }, /steps must be a whole number from 1/);
    rejects({ steps: 2.5 }, /steps/);
    rejects({ guidanceScale: -1 }, /guidanceScale/);
    rejects({ seed: -3 }, /seed/);
    rejects({ seed: 2 ** 32 }, /seed/);
    rejects({ scheduler: 'plms' }, /Unknown scheduler "plms"/);
    rejects({ batchCount: 0 }, /batchCount/);
    rejects({ mask: new Uint8Array([1]) }, /A mask needs an image/);
    rejects({ initImage: new Uint8Array([1]), strength: 0 }, /strength must be a number above 0/);
    rejects({ initImage: new Uint8Array([1]), strength: 1.5 }, /strength/);
    rejects({ initImage: new Uint8Array([1]) }, /no vae_encoder/, info({}, null));
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
