// An SDXL-layout model (the analytic SDXL model, tools/analytic/sdxlAnalyticModel.ts) through the real panel and the
// real inpaint editor: the panel takes the model's own guidance default (5) and draws the closed-form SDXL image; the
// inpaint editor keeps every pixel outside the mask.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { decodeImage } from '../../src/node/image/imageCodec';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { writeSdxlAnalyticModel } from '../../tools/analytic/sdxlAnalyticModel';
import { SdxlAnalyticOracle } from '../../tools/analytic/sdxlAnalyticOracle';
import { browserStep, browserStepsAvailable } from './browserStep';
import { printExtensionLogOnFailure } from './extensionLog';
import { activatedApi, clearNotifications } from './localDiffusionExtension';
import { changedPixels, decodeRgba, patternPng } from './testImages';
import { waitFor } from './waitFor';
import { freshFolder, workspaceRoot } from './workspaceFiles';

/** 128 px: not the built-in model's 64, so the panel's "native 128×128" is this model's report. */
const SIZE = 128;
const VIEW_TYPE = 'localDiffusion.inpaintEditor';
const STROKE = { tool: 'Brush', size: 16, points: [[40, 64], [88, 64]] as [number, number][] };
/** Brush radius + the default mask blur's reach (sigma 4 → 10) + 1 for rounding. */
const MASK_REACH = STROKE.size / 2 + 10 + 1;

function distanceToStroke(x: number, y: number): number {
  const [[ax, ay], [bx, by]] = STROKE.points as [[number, number], [number, number]];
  const px = x + 0.5;
  const py = y + 0.5;
  const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

describe('SDXL model in the panel and the inpaint editor', function () {
  this.timeout(240_000);
  const dir = path.join(os.tmpdir(), `ld-e2e-sdxl-${process.pid}`);
  const oracle = new SdxlAnalyticOracle({ sampleSize: SIZE });

  before(async function () {
    if (!browserStepsAvailable()) this.skip();
    await activatedApi();
    await writeSdxlAnalyticModel(dir, { sampleSize: SIZE });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('localDiffusion').update('model', dir, vscode.ConfigurationTarget.Global);
  });

  beforeEach(async () => {
    await clearNotifications();
  });

  afterEach(printExtensionLogOnFailure);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('localDiffusion').update('model', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the Generate panel uses the model's guidance 5 and draws the closed-form SDXL image at its native size", async () => {
    const prompt = 'a red circle on the left';
    await vscode.commands.executeCommand('localDiffusion.generateImage');
    const saved = (await browserStep('generatePanel.generateAndSave', { prompt, seed: 7, steps: 10 }, 200_000)) as { savedPath: string; stage: string };
    assert.equal(saved.stage, 'Done');
    const png = new Uint8Array(fs.readFileSync(path.join(workspaceRoot(), saved.savedPath)));
    const parameters = parseA1111Parameters(readPngTextChunks(png).find((c) => c.keyword === 'parameters')?.text ?? '');
    assert.equal(parameters.cfgScale, 5, "the model's default guidance");
    assert.deepEqual([parameters.width, parameters.height], [SIZE, SIZE]);
    assert.equal(parameters.model, path.basename(dir));
    const image = await decodeImage(png);
    // No negative prompt: force_zeros_for_empty_prompt zeroes the negative side.
    const expected = oracle.guidedImage(null, prompt, 5, SIZE, SIZE);
    const n = SIZE * SIZE;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) {
        const want = Math.round(Math.min(1, Math.max(0, Math.fround(expected[c * n + i] / 2 + 0.5))) * 255);
        worst = Math.max(worst, Math.abs(image.data[i * image.channels + c] - want));
      }
    }
    assert.ok(worst <= 2, `max difference from the closed form: ${worst}`);
  });

  it('the inpaint editor inpaints with the SDXL model and keeps every pixel outside the mask', async () => {
    const original = await patternPng(SIZE, SIZE);
    const file = path.join(freshFolder('sdxl-inpaint'), 'photo.png');
    fs.writeFileSync(file, original);
    const uri = vscode.Uri.file(file);
    const image = { width: SIZE, height: SIZE };
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    await browserStep('inpaint.paintStroke', { stroke: STROKE, image }, 60_000);
    await browserStep('inpaint.generateAndApply', { run: { prompt: 'a blue square', steps: 6, seed: 3 }, image }, 200_000);
    await vscode.commands.executeCommand('workbench.action.files.save');
    const saved = await waitFor('the saved result', () => new Uint8Array(fs.readFileSync(file)), (bytes) => Buffer.compare(bytes, original) !== 0, 20_000);
    const changed = changedPixels(await decodeRgba(original), await decodeRgba(saved));
    assert.ok(changed.length > 100, `the inpaint changed the masked area (${changed.length} pixels)`);
    const outside = changed.filter(([x, y]) => distanceToStroke(x, y) > MASK_REACH);
    assert.deepEqual(outside.slice(0, 10), [], `${outside.length} changed pixel(s) outside the mask`);
    assert.match(readPngTextChunks(saved).find((c) => c.keyword === 'parameters')?.text ?? '', /^a blue square\n/);
  });
});
