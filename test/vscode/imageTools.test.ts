// The Explorer's image tools on a PNG: "Upscale Image…" with Lanczos ×3 writes NAME-x3.png next to it (a second run
// NAME-x3-2.png: never overwriting); "Remove Background" with a downloaded background model (an analytic segmenter
// installed in the models folder with a manifest of kind background) writes NAME-nobg.png with the known alpha. The
// pickers are answered in the real quick input (browser steps).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import * as vscode from 'vscode';
import { browserStep, browserStepsAvailable } from './browserStep';
import { printExtensionLogOnFailure } from './extensionLog';
import { activatedApi, clearNotifications } from './localDiffusionExtension';
import { waitFor } from './waitFor';
import { freshFolder, listFolder } from './workspaceFiles';
import { installAnalyticBackgroundModel } from './installedTestModels';

/** Files whose write is finished (no hidden temp file left). */
const finished = (names: string[]) => !names.some((n) => n.endsWith('.tmp'));

describe('Image tools (Explorer menus)', function () {
  this.timeout(180_000);
  const modelsDir = path.join(os.tmpdir(), `ld-e2e-tool-models-${process.pid}`);

  before(async function () {
    if (!browserStepsAvailable()) this.skip();
    await activatedApi();
  });
  beforeEach(clearNotifications);
  afterEach(printExtensionLogOnFailure);
  after(async () => {
    await vscode.workspace.getConfiguration('localDiffusion').update('modelsFolder', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('Upscale Image… with Lanczos ×3 writes NAME-x3.png, and a second run never overwrites it', async () => {
    const folder = freshFolder('upscale-here');
    const input = path.join(folder, 'tile.png');
    await sharp({ create: { width: 20, height: 16, channels: 3, background: { r: 200, g: 60, b: 30 } } }).png().toFile(input);
    const runs = [
      { expected: 'tile-x3.png', all: ['tile-x3.png', 'tile.png'] },
      { expected: 'tile-x3-2.png', all: ['tile-x3-2.png', 'tile-x3.png', 'tile.png'] },
    ];
    for (const { expected, all } of runs) {
      void vscode.commands.executeCommand('localDiffusion.upscaleImage', vscode.Uri.file(input), [vscode.Uri.file(input)]);
      await browserStep('quickInput.answer', { title: 'Upscale Image: model', pickFirst: 'Lanczos' });
      await browserStep('quickInput.answer', { title: 'Upscale Image: scale', pickFirst: '×3' });
      const names = await waitFor('the upscaled image', () => listFolder(folder), (n) => n.includes(expected) && finished(n), 60_000);
      assert.deepEqual(names, all);
      const meta = await sharp(fs.readFileSync(path.join(folder, expected))).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 60, 48]);
      await clearNotifications();
    }
  });

  it('Remove Background offers the downloaded background model and writes NAME-nobg.png with its alpha', async () => {
    await installAnalyticBackgroundModel(modelsDir);
    await vscode.workspace.getConfiguration('localDiffusion').update('modelsFolder', modelsDir, vscode.ConfigurationTarget.Global);

    const folder = freshFolder('cut-here');
    const input = path.join(folder, 'half.jpg');
    // Left half black, right half white: the analytic mask is the min-max of the mean colour → alpha 0 and 255.
    const w = 64;
    const data = Buffer.alloc(w * w * 3);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill(x < w / 2 ? 0 : 255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    await sharp(data, { raw: { width: w, height: w, channels: 3 } }).jpeg({ quality: 100 }).toFile(input);
    void vscode.commands.executeCommand('localDiffusion.removeBackground', vscode.Uri.file(input), [vscode.Uri.file(input)]);
    await browserStep('quickInput.answer', { title: 'Remove Background: model', pickFirst: 'rmbg-analytic' });
    await waitFor('the cut-out', () => listFolder(folder), (n) => n.includes('half-nobg.png') && finished(n), 60_000);
    const { data: out, info } = await sharp(fs.readFileSync(path.join(folder, 'half-nobg.png'))).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.channels, 4);
    assert.ok(out[(32 * w + 4) * 4 + 3]! <= 2, `alpha on the black side: ${out[(32 * w + 4) * 4 + 3]}`);
    assert.ok(out[(32 * w + 60) * 4 + 3]! >= 253, `alpha on the white side: ${out[(32 * w + 60) * 4 + 3]}`);
  });
});
