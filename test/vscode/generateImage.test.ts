// "Local Diffusion: Generate Image": the panel driven with real typing and clicks (browser steps), the result
// saved into the workspace's output folder as a PNG with the A1111 `parameters` chunk, never over a file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import * as vscode from 'vscode';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { imageFileName, numberedFileName } from '../../src/host/output/fileNaming';
import { browserStep, browserStepsAvailable } from './browserStep';
import { printExtensionLogOnFailure } from './extensionLog';
import { activatedApi, clearNotifications } from './localDiffusionExtension';
import { listFolder, workspaceRoot } from './workspaceFiles';

interface SavedFromPanel {
  savedPath: string;
  stage: string;
  previews: { step: string }[];
}

describe('Generate Image panel', function () {
  this.timeout(180_000);

  let native: [number, number];

  before(async function () {
    if (!browserStepsAvailable()) this.skip();
    const info = await (await activatedApi()).generation.modelInfo();
    native = [info.nativeWidth, info.nativeHeight];
  });

  beforeEach(async () => {
    await clearNotifications();
  });

  afterEach(printExtensionLogOnFailure);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('generates with live previews and saves a PNG with the parameters chunk into generated/, never overwriting', async () => {
    const prompt = 'a green triangle at the top';
    const seed = 4242;
    const steps = 5;
    const folder = path.join(workspaceRoot(), 'generated');
    const taken = imageFileName(prompt, seed, 'png');
    const occupant = Buffer.from('a file that is already there and must stay as it is');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, taken), occupant);

    await vscode.commands.executeCommand('localDiffusion.generateImage');
    const saved = (await browserStep('generatePanel.generateAndSave', { prompt, seed, steps }, 150_000)) as SavedFromPanel;

    assert.equal(saved.stage, 'Done');
    assert.deepEqual(
      saved.previews.map((p) => p.step),
      Array.from({ length: steps }, (_, i) => `step ${i + 1}/${steps}`),
      'a preview at every step',
    );
    const expected = numberedFileName(taken, 2);
    assert.equal(saved.savedPath, `generated/${expected}`);
    assert.deepEqual(listFolder(folder), [taken, expected].sort(), 'the new file beside the old one, no temp file left');
    assert.deepEqual(fs.readFileSync(path.join(folder, taken)), occupant, 'the existing file is untouched');

    const png = new Uint8Array(fs.readFileSync(path.join(folder, expected)));
    const metadata = await sharp(png).metadata();
    assert.deepEqual([metadata.format, metadata.width, metadata.height], ['png', ...native], 'a PNG at the model\'s native size');
    const chunk = readPngTextChunks(png).find((c) => c.keyword === 'parameters');
    assert.ok(chunk, 'the PNG carries the A1111 parameters chunk');
    const parameters = parseA1111Parameters(chunk.text);
    assert.equal(parameters.prompt, prompt);
    assert.equal(parameters.seed, seed);
    assert.equal(parameters.steps, steps);
    assert.deepEqual([parameters.width, parameters.height], native);
  });
});
