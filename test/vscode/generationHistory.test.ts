// Nothing lost: a Generate panel result nobody saved is in the generation history at once (global storage, PNG
// with its parameters), comes back with the form when the panel is closed and opened again, is copied as a
// local-diffusion.json entry, and its PNG's parameters fill the panel through Open Parameters from Image….
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { parseAssetSpec } from '../../src/common/assets/parseAssetSpec';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { readImageParameters } from '../../src/node/image/imageCodec';
import { browserStep, browserStepsAvailable } from './browserStep';
import { printExtensionLogOnFailure } from './extensionLog';
import { waitFor } from './waitFor';
import { activatedApi, clearNotifications } from './localDiffusionExtension';
import { imageFileName } from '../../src/host/output/fileNaming';
import { workspaceRoot } from './workspaceFiles';
import * as path from 'node:path';
// What the driver's generatePanel.read step answers (test/e2e/suites/browserSteps.ts); a type only, erased in the bundle.
import type { PanelReading } from '../e2e/suites/localDiffusionUi';

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('Generation history', function () {
  this.timeout(180_000);

  before(function () {
    if (!browserStepsAvailable()) this.skip();
  });
  beforeEach(clearNotifications);
  afterEach(printExtensionLogOnFailure);
  after(closeAll);

  it('keeps an unsaved panel result, restores it with the form in a reopened panel, copies it as an asset entry and reads its parameters back', async () => {
    const api = await activatedApi();
    const prompt = 'a blue square at the bottom';
    const seed = 9191;
    const steps = 3;
    await closeAll();
    await vscode.commands.executeCommand('localDiffusion.generateImage');
    const { resultId, stage } = (await browserStep('generatePanel.generate', { prompt, seed, steps }, 150_000)) as { resultId: string; stage: string };
    assert.equal(stage, 'Done');

    // Kept at once, unsaved: the engine's PNG with its parameters, a thumbnail, in the extension's global storage.
    const entry = await api.history.get(resultId);
    assert.ok(entry, 'the result is in the history');
    assert.deepEqual([entry.prompt, entry.seed, entry.source], [prompt, String(seed), 'panel']);
    const png = new Uint8Array(fs.readFileSync(api.history.filePath(entry)));
    const parameters = parseA1111Parameters((await readImageParameters(png)) ?? '');
    assert.deepEqual([parameters.prompt, parameters.seed, parameters.steps], [prompt, seed, steps]);
    assert.ok(fs.statSync(api.history.thumbnailPath(entry)).size > 0, 'a thumbnail');

    // Closing the panel loses nothing: reopened, it has the form and every card again (newest first).
    const shown = (await browserStep('generatePanel.read', { prompt, cards: 1 }, 30_000)) as PanelReading;
    assert.deepEqual([shown.cards[0]?.resultId, shown.cards[0]?.prompt], [resultId, prompt]);
    await closeAll();
    await vscode.commands.executeCommand('localDiffusion.generateImage');
    const reopened = (await browserStep('generatePanel.read', { prompt, cards: shown.cards.length }, 90_000)) as PanelReading;
    assert.deepEqual(reopened.cards.map((c) => [c.resultId, c.prompt]), shown.cards.map((c) => [c.resultId, c.prompt]));
    assert.deepEqual([reopened.steps, reopened.seedMode, reopened.seed], [String(steps), 'fixed', String(seed)]);

    // Copy as Asset Entry: a local-diffusion.json entry with the exact seed and steps.
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('localDiffusion.history.copyAsAssetEntry', entry);
    const copied = JSON.parse(await vscode.env.clipboard.readText()) as Record<string, unknown>;
    assert.deepEqual([copied.prompt, copied.seed, copied.steps], [prompt, seed, steps]);
    assert.equal(parseAssetSpec(JSON.stringify({ images: [copied] })).problems, undefined, 'a spec holding it is valid');

    // Open Parameters from Image…: the history's PNG (any PNG/JPEG/WebP with an infotext) fills the panel.
    const other = 'a red circle in the middle';
    const copyUri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'history-parameters.png');
    const { setPngTextChunk } = await import('../../src/node/image/pngTextChunks');
    const text = `${other}\nSteps: 7, Sampler: Euler a, CFG scale: 5, Seed: 31337, Size: ${entry.width}x${entry.height}`;
    await vscode.workspace.fs.writeFile(copyUri, setPngTextChunk(png, 'parameters', text));
    await vscode.commands.executeCommand('localDiffusion.openParametersFromImage', copyUri);
    const filled = (await browserStep('generatePanel.read', { prompt: other }, 60_000)) as PanelReading;
    assert.deepEqual([filled.steps, filled.seedMode, filled.seed], ['7', 'fixed', '31337']);
    assert.match(filled.message, /Parameters from history-parameters\.png/);
    await vscode.workspace.fs.delete(copyUri);

    // Remove from History: the entry and its files go.
    const file = api.history.filePath(entry);
    await vscode.commands.executeCommand('localDiffusion.history.remove', entry);
    assert.equal(await api.history.get(resultId), undefined);
    assert.equal(fs.existsSync(file), false, 'its PNG is deleted');
  });

  it("Save as Asset on a result card saves it and adds it to the workspace's local-diffusion.json with its seed", async () => {
    const root = workspaceRoot();
    const spec = path.join(root, 'local-diffusion.json');
    assert.equal(fs.existsSync(spec), false, 'no spec at the workspace root yet');
    const prompt = 'a red square in the middle';
    const seed = 1357;
    await vscode.commands.executeCommand('localDiffusion.generateImage');
    const { resultId } = (await browserStep('generatePanel.generate', { prompt, seed, steps: 2 }, 150_000)) as { resultId: string };
    await browserStep('generatePanel.resultAction', { resultId, action: 'saveAsAsset' }, 30_000);
    try {
      const deadline = Date.now() + 30_000;
      while (!fs.existsSync(spec) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      const images = (JSON.parse(fs.readFileSync(spec, 'utf8')) as { images: Array<Record<string, unknown>> }).images;
      assert.equal(images.length, 1);
      assert.deepEqual([images[0]!.output, images[0]!.prompt, images[0]!.seed], [`generated/${imageFileName(prompt, seed, 'png')}`, prompt, seed]);
      // The spec may be written before the card hears that its image was saved: read the card until it says so.
      const want = `Saved: generated/${imageFileName(prompt, seed, 'png')}`;
      const saved = await waitFor(
        'the card to say where the image was saved',
        async () => ((await browserStep('generatePanel.read', { cards: 1 }, 30_000)) as PanelReading).cards.find((c) => c.resultId === resultId)?.saved,
        (text) => text === want,
        15_000,
      );
      assert.equal(saved, want);
    } finally {
      fs.rmSync(spec, { force: true });
    }
  });

  it('saves every panel result into the output folder as it arrives with localDiffusion.autoSave = outputFolder', async () => {
    const config = vscode.workspace.getConfiguration('localDiffusion');
    const folder = path.join(workspaceRoot(), 'auto-saved');
    await config.update('outputFolder', 'auto-saved', vscode.ConfigurationTarget.Workspace);
    await config.update('autoSave', 'outputFolder', vscode.ConfigurationTarget.Workspace);
    try {
      const prompt = 'a green circle at the top';
      const seed = 2468;
      await vscode.commands.executeCommand('localDiffusion.generateImage');
      const { resultId } = (await browserStep('generatePanel.generate', { prompt, seed, steps: 2 }, 150_000)) as { resultId: string };
      const name = imageFileName(prompt, seed, 'png');
      assert.ok(fs.existsSync(path.join(folder, name)), `${name} was saved into auto-saved/ without a click`);
      const saved = await waitFor(
        'the card to say where the image was saved',
        async () => ((await browserStep('generatePanel.read', { cards: 1 }, 30_000)) as PanelReading).cards.find((c) => c.resultId === resultId)?.saved,
        (text) => text === `Saved: auto-saved/${name}`,
        15_000,
      );
      assert.equal(saved, `Saved: auto-saved/${name}`);
      const entry = await (await activatedApi()).history.get(resultId);
      assert.deepEqual(entry?.savedTo, [vscode.Uri.file(path.join(folder, name)).toString()], 'the history knows where it went');
    } finally {
      await config.update('autoSave', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('outputFolder', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
