// Images as code in the extension host: the local-diffusion_generateImage tool called through vscode.lm.invokeTool
// (no confirmation in test mode), the build commands on a spec with a failing entry, and Save as Asset; all on
// the analytic model, through the real engine process.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { inspectAssets } from '../../src/node/assets/inspectAssets';
import { loadAssetSpec } from '../../src/node/assets/loadAssetSpec';
import { encodeImage } from '../../src/node/image/imageCodec';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { printExtensionLogOnFailure } from './extensionLog';
import { activatedApi, clearNotifications } from './localDiffusionExtension';
import { waitFor } from './waitFor';
import { freshFolder } from './workspaceFiles';

const TOOL = 'local-diffusion_generateImage';

async function statuses(specFile: string): Promise<Record<string, string>> {
  const spec = await loadAssetSpec(specFile);
  const states = await inspectAssets(spec, { modelsDir: path.join(os.tmpdir(), 'ld-e2e-no-models') });
  return Object.fromEntries(states.map((s) => [s.entry.output, s.error !== undefined ? 'failed' : s.status]));
}

describe('Images as code', function () {
  this.timeout(180_000);
  let model: string;

  before(async () => {
    await activatedApi();
    model = path.join(os.tmpdir(), `ld-e2e-assets-model-${process.pid}`);
    await writeAnalyticModel(model, {});
    const config = vscode.workspace.getConfiguration('localDiffusion');
    await config.update('model', model, vscode.ConfigurationTarget.Global);
    await config.update('defaultSteps', 2, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('localDiffusion');
    await config.update('model', undefined, vscode.ConfigurationTarget.Global);
    await config.update('defaultSteps', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(model, { recursive: true, force: true });
  });

  beforeEach(clearNotifications);
  afterEach(printExtensionLogOnFailure);

  it('the generateImage tool writes a fresh image, adds its entry and returns path and parameters', async () => {
    const folder = freshFolder('tool-assets');
    const specFile = path.join(folder, 'local-diffusion.json');
    fs.writeFileSync(specFile, '{\n  "images": []\n}\n');
    const input = { prompt: 'a red circle', outputPath: 'tool-assets/media/circle.png', width: 64, height: 64, seed: 5 };
    const result = await vscode.lm.invokeTool(TOOL, { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
    const text = result.content.filter((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart).map((p) => p.value).join('\n');
    assert.match(text, /Wrote tool-assets\/media\/circle\.png/);
    assert.match(text, /Seed: 5, Size: 64x64/);
    const file = path.join(folder, 'media', 'circle.png');
    assert.ok(fs.existsSync(file));
    const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as { images: Array<Record<string, unknown>> };
    assert.equal(spec.images.length, 1);
    assert.equal(spec.images[0].output, 'media/circle.png');
    assert.equal(spec.images[0].seed, 5);
    assert.deepEqual(await statuses(specFile), { 'media/circle.png': 'fresh' });
    // Where the running VS Code has data parts, the image comes back too.
    const DataPart = (vscode as unknown as { LanguageModelDataPart?: new (...args: never[]) => { data: Uint8Array; mimeType: string } }).LanguageModelDataPart;
    if (DataPart) {
      const image = result.content.find((p) => p instanceof DataPart) as { data: Uint8Array; mimeType: string } | undefined;
      assert.equal(image?.mimeType, 'image/png');
      assert.deepEqual(new Uint8Array(image.data), new Uint8Array(fs.readFileSync(file)));
    }
  });

  it('the generateImage tool refuses an outputPath outside the workspace, and an existing file, saying what to do', async () => {
    const token = new vscode.CancellationTokenSource().token;
    await assert.rejects(
      Promise.resolve(vscode.lm.invokeTool(TOOL, { input: { prompt: 'x', outputPath: '../outside.png' }, toolInvocationToken: undefined }, token)),
      /outside the workspace/,
    );
    await assert.rejects(
      Promise.resolve(vscode.lm.invokeTool(TOOL, { input: { prompt: 'x', outputPath: 'tool-assets/media/circle.png' }, toolInvocationToken: undefined }, token)),
      /already/,
    );
  });

  it('Build Stale builds what is missing; a failing entry does not stop the others; Build rebuilds one entry', async () => {
    const folder = freshFolder('built-assets');
    const specFile = path.join(folder, 'site.local-diffusion.json');
    fs.writeFileSync(
      specFile,
      JSON.stringify(
        {
          defaults: { model, steps: 2, width: 64, height: 64 },
          images: [
            { output: 'broken.png', prompt: 'x', seed: 1, model: './no-such-model' },
            { output: 'a.webp', prompt: 'a blue square', seed: 2 },
            { output: 'b.png', prompt: 'a green star', seed: 3, resize: { width: 32, height: 16 } },
          ],
        },
        null,
        2,
      ),
    );
    assert.deepEqual(await statuses(specFile), { 'broken.png': 'failed', 'a.webp': 'missing', 'b.png': 'missing' });
    await vscode.commands.executeCommand('localDiffusion.buildStaleAssets', vscode.Uri.file(specFile));
    assert.deepEqual(await statuses(specFile), { 'broken.png': 'failed', 'a.webp': 'fresh', 'b.png': 'fresh' });
    assert.equal(fs.existsSync(path.join(folder, 'broken.png')), false);
    const before = fs.readFileSync(path.join(folder, 'b.png'));
    fs.rmSync(path.join(folder, 'b.png'));
    await vscode.commands.executeCommand('localDiffusion.buildAsset', specFile, 2);
    assert.deepEqual(fs.readFileSync(path.join(folder, 'b.png')), before, 'the same bytes again');
    assert.deepEqual(fs.readdirSync(folder).filter((n) => n.endsWith('.tmp')), []);
  });

  it('Save as Asset appends the image with its exact parameters to the nearest spec', async () => {
    const folder = freshFolder('saved-assets');
    const image = path.join(folder, 'media', 'fox.png');
    fs.mkdirSync(path.dirname(image), { recursive: true });
    const parameters = formatA1111Parameters({ prompt: 'a fox', steps: 2, sampler: 'Euler', cfgScale: 1, seed: 12345678901234567890n, width: 64, height: 64, model: path.basename(model) });
    fs.writeFileSync(image, await encodeImage({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }, 'png', { parameters }));
    fs.writeFileSync(path.join(folder, 'local-diffusion.json'), '{\n  "images": []\n}\n');
    const saved = (await vscode.commands.executeCommand('localDiffusion.saveAsAsset', vscode.Uri.file(image))) as { specFile: string; index: number } | undefined;
    assert.deepEqual(saved, { specFile: path.join(folder, 'local-diffusion.json'), index: 0 });
    const spec = JSON.parse(fs.readFileSync(saved.specFile, 'utf8')) as { images: Array<Record<string, unknown>> };
    assert.deepEqual(spec.images[0], { output: 'media/fox.png', prompt: 'a fox', model, seed: '12345678901234567890', steps: 2, guidance: 1, scheduler: 'euler', width: 64, height: 64 });
  });

  it('the local-diffusion task runs the CLI; its problem matcher puts a bad spec\'s error on the field\'s line', async () => {
    const folder = freshFolder('task-assets');
    const specFile = path.join(folder, 'local-diffusion.json');
    const text = '{\n  "images": [\n    { "output": "a.png", "prompt": "x", "seed": 1,\n      "sed": 2 }\n  ]\n}\n';
    fs.writeFileSync(specFile, text);
    const relative = 'task-assets/local-diffusion.json';
    const tasks = await vscode.tasks.fetchTasks({ type: 'local-diffusion' });
    const names = tasks.map((t) => t.name);
    assert.ok(names.includes(`build ${relative}`) && names.includes(`check ${relative}`), names.join(', '));
    const check = tasks.find((t) => t.name === `check ${relative}`)!;
    const ended = new Promise<number | undefined>((resolve) => {
      const listener = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name !== check.name) return;
        listener.dispose();
        resolve(e.exitCode);
      });
    });
    await vscode.tasks.executeTask(check);
    assert.equal(await ended, 1, 'a bad spec exits 1');
    const diagnostics = await waitFor('the problem matcher\'s diagnostic', () => vscode.languages.getDiagnostics(vscode.Uri.file(specFile)), (d) => d.length > 0, 20_000);
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0].message, /images\[0\] \(a\.png\): unknown field "sed"/);
    // Line 4, column 7 ("sed"), 0-based in the API.
    assert.deepEqual([diagnostics[0].range.start.line, diagnostics[0].range.start.character], [3, 6]);
  });
});
