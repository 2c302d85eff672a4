// "Local Diffusion: Generate Image Here" on a folder: its three questions answered in the real quick input
// (browser steps), the exact target size and format written into that folder; a cancelled or failed job
// leaves nothing behind.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import * as vscode from 'vscode';
import type { LocalDiffusionApi } from '../../src/host/extension';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { PROTOCOL_VERSION } from '../../src/common/protocol/engineProtocol';
import { browserStep, browserStepsAvailable } from './browserStep';
import { printExtensionLogOnFailure } from './extensionLog';
import { activatedApi, clearNotifications } from './localDiffusionExtension';
import { waitFor } from './waitFor';
import { freshFolder, listFolder } from './workspaceFiles';

const CUSTOM_SIZE = 'Custom size…';

/** Answers the command's questions: prompt, then one target size (custom WxH), then the format. */
async function answerQuestions(prompt: string, size: string, format: 'PNG' | 'WEBP' | 'JPEG'): Promise<void> {
  await browserStep('quickInput.answer', { title: 'Generate Image Here (1/3)', value: prompt });
  await browserStep('quickInput.answer', { title: 'Generate Image Here (2/3)', pickMany: [CUSTOM_SIZE] });
  await browserStep('quickInput.answer', { title: 'Generate Image Here: Custom Size', value: size });
  await browserStep('quickInput.answer', { title: 'Generate Image Here (3/3)', pick: format });
}

describe('Generate Image Here', function () {
  this.timeout(180_000);
  let api: LocalDiffusionApi;

  before(async function () {
    if (!browserStepsAvailable()) this.skip();
    api = await activatedApi();
  });

  beforeEach(async () => {
    await clearNotifications();
  });

  afterEach(printExtensionLogOnFailure);

  afterEach(async () => {
    const config = vscode.workspace.getConfiguration('localDiffusion');
    await config.update('defaultSteps', undefined, vscode.ConfigurationTarget.Global);
    await config.update('model', undefined, vscode.ConfigurationTarget.Global);
  });

  it('writes an image of the exact target size and format into the folder', async () => {
    const folder = freshFolder('assets');
    const prompt = 'a yellow star in the middle';
    // Not running to completion: the command's last step (a notification with "Open") waits for the user.
    void vscode.commands.executeCommand('localDiffusion.generateImageHere', vscode.Uri.file(folder));
    await answerQuestions(prompt, '200x120', 'WEBP');
    // Written as a hidden temp file, then linked under its name: wait for the name and for the temp file to go.
    const files = await waitFor(
      'the asset in the folder',
      () => listFolder(folder),
      (names) => names.some((n) => !n.startsWith('.')) && !names.some((n) => n.endsWith('.tmp')),
      120_000,
    );
    assert.equal(files.length, 1, `one file: ${files.join(', ')}`);
    assert.match(files[0]!, /^a-yellow-star-in-the-middle-\d+-200x120\.webp$/);
    const metadata = await sharp(fs.readFileSync(path.join(folder, files[0]!))).metadata();
    assert.deepEqual([metadata.format, metadata.width, metadata.height], ['webp', 200, 120]);
  });

  it('leaves no file behind when the job is cancelled or fails', async () => {
    const folder = freshFolder('nothing-here');
    // A long job, seen running in its progress notification ("Step x/150") before it is cancelled or its engine
    // killed: an analytic model whose UNet steps take tens of milliseconds, as real models' do (the built-in
    // model's take about one, so a fast machine could finish 150 of them before the notification is seen).
    const slowModel = path.join(os.tmpdir(), `ld-e2e-slow-model-${process.pid}`);
    await writeAnalyticModel(slowModel, { heavy: { matmulSize: 384, layers: 8 } });
    const config = vscode.workspace.getConfiguration('localDiffusion');
    await config.update('model', slowModel, vscode.ConfigurationTarget.Global);
    await config.update('defaultSteps', 150, vscode.ConfigurationTarget.Global);
    const aStepIsShown = () => browserStep('workbench.waitForNotification', { pattern: 'Step \\d+/150' }, 60_000);

    void vscode.commands.executeCommand('localDiffusion.generateImageHere', vscode.Uri.file(folder));
    await answerQuestions('a purple circle', '64x64', 'PNG');
    await aStepIsShown();
    assert.equal(api.generation.isRunning, true);
    await vscode.commands.executeCommand('localDiffusion.cancelGeneration');
    await waitFor('the cancelled job to end', () => api.generation.isRunning, (running) => !running, 30_000);
    await clearNotifications();

    const { pid } = await api.engine.request('hello', { protocolVersion: PROTOCOL_VERSION });
    void vscode.commands.executeCommand('localDiffusion.generateImageHere', vscode.Uri.file(folder));
    await answerQuestions('a purple circle', '64x64', 'PNG');
    await aStepIsShown();
    assert.equal(api.generation.isRunning, true);
    process.kill(pid, 'SIGKILL');
    await waitFor('the failed job to end', () => api.generation.isRunning, (running) => !running, 30_000);

    // Give a late write the chance to show up before looking.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(listFolder(folder), [], 'no image and no temp file');
    fs.rmSync(slowModel, { recursive: true, force: true });
  });
});
