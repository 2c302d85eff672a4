// The generateImage tool's build on the analytic model, with the in-process engine as the generator (the extension
// uses its engine process): the file is fresh at once, the spec holds the entry, and `local-diffusion build`
// rebuilds the same bytes from it after the file is deleted.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { assetGenerateParams } from '../../src/node/assets/assetGenerateParams';
import { createImageAsset, planImageAsset, type ImageAssetContext } from '../../src/node/assets/createImageAsset';
import { inspectAssets } from '../../src/node/assets/inspectAssets';
import { loadAssetSpec } from '../../src/node/assets/loadAssetSpec';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';

const repo = path.resolve(__dirname, '../../..');

describe('createImageAsset (the generateImage tool) on the analytic model', function () {
  this.timeout(300_000);
  let root: string;
  let engine: Engine;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-tool-build-'));
    await writeAnalyticModel(path.join(root, 'models', 'analytic'), {});
    engine = new Engine(() => undefined);
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('writes a fresh image and its entry; the CLI rebuilds the same bytes', async () => {
    const context: ImageAssetContext = {
      workspaceFolders: [root],
      selectedModel: { dir: path.join(root, 'models', 'analytic'), name: 'analytic', setting: path.join(root, 'models', 'analytic') },
      modelsDir: path.join(root, 'no-models'),
      fallback: { steps: 3, guidance: 1, scheduler: 'euler' },
      randomSeed: () => 77n,
    };
    const plan = await planImageAsset({ prompt: 'a red circle', outputPath: 'media/circle.png', width: 64, height: 64 }, context);
    const created = await createImageAsset(plan, context, async (entry, model) => {
      const result = await engine.generate(assetGenerateParams(entry, model, 'cpu'), {});
      return { png: result.images[0].png, parameters: result.images[0].parameters };
    });
    const file = path.join(root, 'media', 'circle.png');
    assert.equal(created.file, file);
    assert.deepEqual(new Uint8Array(fs.readFileSync(file)), created.bytes);
    assert.match(created.parameters, /^a red circle\nSteps: 3, Sampler: Euler, .*Seed: 77, Size: 64x64, .*Asset hash: [0-9a-f]{64}$/);
    const spec = await loadAssetSpec(path.join(root, 'local-diffusion.json'));
    assert.deepEqual(spec.entries.map((e) => e.output), ['media/circle.png']);
    const [state] = await inspectAssets(spec, { modelsDir: context.modelsDir });
    assert.equal(state.status, 'fresh');

    fs.rmSync(file);
    const r = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'build', '--ep', 'cpu'], { cwd: root, encoding: 'utf8', env: { ...process.env, LOCAL_DIFFUSION_MODELS_DIR: context.modelsDir } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(new Uint8Array(fs.readFileSync(file)), created.bytes, 'same bytes from the CLI');
  });
});
