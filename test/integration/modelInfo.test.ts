// ModelInfo without sessions (describeModelFolder, what Engine.info uses) must equal what a loaded model reports,
// and load-time graph edits must reach ONNX Runtime.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { describeModelFolder, PipelineModel } from '../../src/engine/model/pipelineModel';
import type { GraphEdit } from '../../src/node/onnx/graphEdit';
import { readInitializers, readTensorBytes } from '../../src/node/onnx/readInitializer';
import { parseOnnxModel, readOnnxModel } from '../../src/node/onnx/readOnnxModel';
import { prepareSessionSource } from '../../src/engine/runtime/sessionSource';
import { OnnxSession } from '../../src/engine/runtime/ort';
import { Unet } from '../../src/engine/components/unet';
import { writeAnalyticModel, type AnalyticModelOptions } from '../../tools/analytic/analyticModel';
import { EMBEDDING_DIM } from '../../tools/analytic/concepts';

const repo = path.resolve(__dirname, '../../..');

const VARIANTS: Record<string, Partial<AnalyticModelOptions>> = {
  'fp16, int64 ids, scalar timestep, latent_parameters, taesd': {
    floatType: 'float16',
    idsType: 'int64',
    timestep: { type: 'int64', shape: 'scalar' },
    vaeEncoder: 'latent_parameters',
    taesd: true,
  },
  'fixed batch and size, no configs, external weights.pb': { batch: 1, size: { width: 256, height: 256 }, writeConfigs: false, externalData: 'weights.pb' },
  'inpainting UNet, v-prediction, no encoder': { unetInChannels: 9, predictionType: 'v_prediction', vaeEncoder: null },
};

async function sessionInfo(dir: string) {
  const model = await PipelineModel.load(dir, undefined, { executionProvider: 'cpu' });
  try {
    return model.info;
  } finally {
    await model.release();
  }
}

/** Scales one float32 initializer: a real edit whose effect on the output is known. */
function scaleInitializer(name: string, factor: number): GraphEdit {
  return {
    key: `scale ${name} ×${factor}`,
    apply(graph) {
      const tensor = graph.initializer(name);
      const values = new Float32Array(graph.read(name).slice().buffer);
      for (let i = 0; i < values.length; i++) values[i] *= factor;
      graph.setInitializer({ name, type: 'float32', dims: tensor.dims, rawData: new Uint8Array(values.buffer) });
    },
  };
}

describe('model info without sessions', function () {
  this.timeout(120000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-info-'));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const folder of ['analytic-shapes', 'tiny-shapes']) {
    it(`equals the session-based info on models/${folder}`, async () => {
      const model = path.join(repo, 'models', folder);
      assert.deepEqual(await describeModelFolder(model), await sessionInfo(model));
    });
  }

  for (const [label, options] of Object.entries(VARIANTS)) {
    it(`equals the session-based info: ${label}`, async () => {
      const model = path.join(dir, label.replace(/[^a-z0-9]+/gi, '-'));
      await writeAnalyticModel(model, options);
      assert.deepEqual(await describeModelFolder(model), await sessionInfo(model));
    });
  }

  it('Engine.info reads no weights: it answers with the external data emptied, and loads no model', async () => {
    const model = path.join(dir, 'no-weights');
    await writeAnalyticModel(model, { externalData: 'model.onnx_data' });
    const expected = await new Engine().info({ dir: model });
    fs.writeFileSync(path.join(model, 'unet', 'model.onnx_data'), new Uint8Array(0));
    await assert.rejects(sessionInfo(model), /unet/);
    const engine = new Engine();
    const info = await engine.info({ dir: model });
    assert.equal(engine.currentModel, undefined);
    const unetReport = (i: typeof info) => i.components.find((c) => c.name === 'unet');
    assert.deepEqual({ ...info, components: [] }, { ...expected, components: [] });
    assert.ok((unetReport(info)?.bytes ?? 0) < (unetReport(expected)?.bytes ?? 0), 'the emptied file is what the report sizes');
  });

  it('reports a graph without the expected input as the session path does', async () => {
    const model = path.join(dir, 'broken');
    await writeAnalyticModel(model, {});
    // The text encoder's graph stands in for the UNet: no "sample" input.
    fs.copyFileSync(path.join(model, 'text_encoder', 'model.onnx'), path.join(model, 'unet', 'model.onnx'));
    const viaSessions = await sessionInfo(model).then(() => 'loaded', (e: Error) => e.message);
    const viaFiles = await describeModelFolder(model).then(() => 'loaded', (e: Error) => e.message);
    assert.match(viaFiles, /unet: expected an input named "sample"/);
    assert.equal(viaFiles, viaSessions);
  });
});

describe('load-time graph edits', function () {
  this.timeout(120000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-edit-'));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scaling the VAE decoder weight by 2 doubles the decoded image around the bias, cached per edit set', async () => {
    const model = path.join(dir, 'model');
    await writeAnalyticModel(model, {});
    const decoderFile = path.join(model, 'vae_decoder', 'model.onnx');
    const bias = new Float32Array((readInitializers(readOnnxModel(decoderFile), ['decoder_bias']).get('decoder_bias') as Uint8Array).buffer);
    const latents = Float32Array.from({ length: 4 * 8 * 8 }, (_, i) => Math.cos(i) * 0.7);
    const decode = async (edits: GraphEdit[], cacheDir?: string) => {
      const loaded = await PipelineModel.load(model, undefined, {
        executionProvider: 'cpu',
        graphEdits: { vae_decoder: edits },
        ...(cacheDir ? { cacheDir } : {}),
      });
      try {
        return await loaded.vaeDecoder.decode(latents, 4, 8, 8);
      } finally {
        await loaded.release();
      }
    };
    const plain = await decode([]);
    const cacheDir = path.join(dir, 'cache');
    const doubled = await decode([scaleInitializer('decoder_weight', 2)], cacheDir);
    const pixels = plain.height * plain.width;
    for (let i = 0; i < plain.rgb.length; i++) {
      const b = bias[Math.floor(i / pixels)];
      const expected = 2 * (plain.rgb[i] - b) + b;
      assert.ok(Math.abs(doubled.rgb[i] - expected) < 1e-5, `pixel value ${i}: ${doubled.rgb[i]} vs ${expected}`);
    }
    assert.equal(fs.readdirSync(cacheDir).length, 1, 'one cached graph for the edit set');
    // The same edit set again: served from the cache (same bytes), a different one: a second entry.
    const source = await prepareSessionSource(decoderFile, { edits: [scaleInitializer('decoder_weight', 2)], cacheDir });
    assert.ok(source.kind === 'graph');
    assert.deepEqual(source.bytes, fs.readFileSync(path.join(cacheDir, fs.readdirSync(cacheDir)[0])));
    await decode([scaleInitializer('decoder_weight', 3)], cacheDir);
    assert.equal(fs.readdirSync(cacheDir).length, 2);
  });

  it('hands a model that embeds large weights over as a small graph referring to its own file, whose references point at the weights', async () => {
    const model = path.join(dir, 'embedded');
    await writeAnalyticModel(model, { heavy: { matmulSize: 64, layers: 3, embedded: true } });
    const unetFile = path.join(model, 'unet', 'model.onnx');
    assert.ok(readOnnxModel(unetFile).graph.initializers.some((t) => t.name === 'heavy_w1' && t.data.kind === 'embedded'));
    const source = await prepareSessionSource(unetFile, { embeddedThreshold: 1024 });
    assert.ok(source.kind === 'graph');
    assert.ok(source.bytes.length < fs.statSync(unetFile).size / 4, `${source.bytes.length} bytes handed over`);
    const sample = Float32Array.from({ length: 2 * 4 * 8 * 8 }, (_, i) => Math.sin(i));
    const hidden = Float32Array.from({ length: 2 * 77 * EMBEDDING_DIM }, (_, i) => ((i % 13) - 6) / 6);
    const predict = async (from: string | typeof source) => {
      const session = await OnnxSession.create(from, { provider: 'cpu' });
      try {
        const runner = new Unet(session, null).runner({
          batch: 2,
          height: 8,
          width: 8,
          conditioning: [{ name: 'encoder_hidden_states', itemShape: [77, EMBEDDING_DIM], data: hidden }],
        });
        runner.sample.set(sample);
        return (await runner.run(500)).slice();
      } finally {
        await session.release();
      }
    };
    assert.deepEqual(await predict(source), await predict(unetFile));
    // The heavy chain's result is multiplied by 0 in the output: check its weights through the references.
    const original = readOnnxModel(unetFile);
    const handed = parseOnnxModel(source.bytes, unetFile);
    for (const name of ['heavy_w1', 'heavy_w3']) {
      const ref = handed.graph.initializers.find((t) => t.name === name);
      assert.ok(ref && ref.data.kind === 'external' && ref.data.location === 'model.onnx');
      assert.deepEqual(readTensorBytes(handed, ref), readTensorBytes(original, original.graph.initializers.find((t) => t.name === name) as never));
    }
  });
});
