// "Local Diffusion: Generate Image Here" on a folder: its five questions answered in the real quick input
// (browser steps), a preview before anything is written, the exact target sizes and format written into that folder
// under the chosen name with the chosen seed; Discard, a cancelled or a failed job leave nothing behind.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import * as vscode from 'vscode';
import type { LocalDiffusionApi } from '../../src/host/extension';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { PROTOCOL_VERSION } from '../../src/common/protocol/engineProtocol';
import { readImageParameters } from '../../src/node/image/imageCodec';
import { browserStep, browserStepsAvailable } from './browserStep';
import { printExtensionLogOnFailure, readExtensionLog } from './extensionLog';
import { writeUpscalerModel } from '../../tools/analytic/upscalerModel';
import { activatedApi, clearNotifications } from './localDiffusionExtension';
import { waitFor } from './waitFor';
import { freshFolder, listFolder } from './workspaceFiles';
import { installAnalyticBackgroundModel } from './installedTestModels';

const CUSTOM_SIZE = 'Custom size…';

/** Answers the command's questions: prompt, target sizes (presets and/or one custom WxH), format, file name, seed. */
async function answerQuestions(
  prompt: string,
  sizes: { presets?: string[]; custom?: string },
  format: 'PNG' | 'WEBP' | 'JPEG',
  name: string,
  seed = '',
): Promise<void> {
  await browserStep('quickInput.answer', { title: 'Generate Image Here (1/5)', value: prompt });
  await browserStep('quickInput.answer', { title: 'Generate Image Here (2/5)', pickMany: [...(sizes.presets ?? []), ...(sizes.custom ? [CUSTOM_SIZE] : [])] });
  if (sizes.custom) await browserStep('quickInput.answer', { title: 'Generate Image Here: Custom Size', value: sizes.custom });
  await browserStep('quickInput.answer', { title: 'Generate Image Here (3/5)', pick: format });
  // PNG and WebP: keep the background, or cut the subject out.
  if (format !== 'JPEG') await browserStep('quickInput.answer', { title: 'Generate Image Here: Background', pick: 'Keep the Background' });
  await browserStep('quickInput.answer', { title: 'Generate Image Here (4/5)', value: name });
  await browserStep('quickInput.answer', { title: 'Generate Image Here (5/5)', value: seed });
}

/** The preview's question, once the images are generated. */
async function answerPreview(pick: 'Write the File' | 'Discard' | `Write ${number} Files`): Promise<void> {
  await browserStep('quickInput.answer', { title: 'Generate Image Here: Preview', pick }, 120_000);
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

  it('shows a preview, then writes the exact target size and format under the chosen name and seed', async () => {
    const folder = freshFolder('assets');
    const prompt = 'a yellow star in the middle';
    // Not running to completion: the command's last step (a notification with "Open") waits for the user.
    void vscode.commands.executeCommand('localDiffusion.generateImageHere', vscode.Uri.file(folder));
    await answerQuestions(prompt, { custom: '200x120' }, 'WEBP', 'hero-card', '42');
    // The preview question is up once the images exist: nothing is in the folder yet.
    await browserStep('workbench.waitForQuickInput', { title: 'Generate Image Here: Preview' }, 120_000);
    assert.deepEqual(listFolder(folder), [], 'nothing written before the choice');
    await answerPreview('Discard');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(listFolder(folder), [], 'Discard writes nothing');
    void vscode.commands.executeCommand('localDiffusion.generateImageHere', vscode.Uri.file(folder));
    await answerQuestions(prompt, { custom: '200x120' }, 'WEBP', 'hero-card', '42');
    await answerPreview('Write the File');
    // Written as a hidden temp file, then linked under its name: wait for the name and for the temp file to go.
    const files = await waitFor(
      'the asset in the folder',
      () => listFolder(folder),
      (names) => names.some((n) => !n.startsWith('.')) && !names.some((n) => n.endsWith('.tmp')),
      120_000,
    );
    assert.deepEqual(files, ['hero-card.webp']);
    const metadata = await sharp(fs.readFileSync(path.join(folder, files[0]!))).metadata();
    assert.deepEqual([metadata.format, metadata.width, metadata.height], ['webp', 200, 120]);
    assert.match((await readImageParameters(fs.readFileSync(path.join(folder, files[0]!)))) ?? '', /Seed: 42,/);
  });

  it('generates each aspect ratio once, at a size the UNet takes, and names each file by its size', async () => {
    const folder = freshFolder('two-ratios');
    // The hires-fix upscaler setting's model brings the card (larger than its generation) up before the crop.
    const upscaler = path.join(os.tmpdir(), `ld-e2e-upscaler-${process.pid}.onnx`);
    await writeUpscalerModel(upscaler, { scale: 2, dtype: 'float32' });
    await vscode.workspace.getConfiguration('localDiffusion').update('hiresUpscaler', upscaler, vscode.ConfigurationTarget.Global);
    void vscode.commands.executeCommand('localDiffusion.generateImageHere', vscode.Uri.file(folder));
    await answerQuestions('a red circle', { presets: ['Icon 32×32', 'Icon 64×64'], custom: '1200x630' }, 'PNG', 'logo', '7');
    await answerPreview('Write 3 Files');
    const files = await waitFor(
      'the three assets',
      () => listFolder(folder),
      (names) => names.filter((n) => !n.startsWith('.')).length === 3 && !names.some((n) => n.endsWith('.tmp')),
      120_000,
    );
    assert.deepEqual(files.sort(), ['logo-1200x630.png', 'logo-32x32.png', 'logo-64x64.png']);
    const info = await api.generation.modelInfo();
    /** The generation size each file's A1111 parameters record (renderAsset keeps the generated image's). */
    const generatedSize = async (name: string): Promise<[number, number]> => {
      const match = /Size: (\d+)x(\d+)/.exec((await readImageParameters(fs.readFileSync(path.join(folder, name)))) ?? '');
      assert.ok(match, `${name} has its parameters`);
      return [Number(match[1]), Number(match[2])];
    };
    const [cardW, cardH] = await generatedSize('logo-1200x630.png');
    assert.ok(cardW > cardH, `the card was generated wide (${cardW}×${cardH})`);
    assert.equal(cardW % info.sizeMultiple, 0);
    assert.equal(cardH % info.sizeMultiple, 0);
    assert.deepEqual(await generatedSize('logo-32x32.png'), [info.nativeWidth, info.nativeHeight]);
    assert.deepEqual(await generatedSize('logo-64x64.png'), [info.nativeWidth, info.nativeHeight]);
    const card = await sharp(fs.readFileSync(path.join(folder, 'logo-1200x630.png'))).metadata();
    assert.deepEqual([card.width, card.height], [1200, 630]);
    const log = readExtensionLog() ?? '';
    assert.match(log, /Generate Image Here: 1200×630 upscaled ×\d+(\.\d+)? with .*ld-e2e-upscaler/, 'the card went through the upscaler model');
    assert.doesNotMatch(log, /32×32 upscaled/, 'smaller targets are only resized');
    await vscode.workspace.getConfiguration('localDiffusion').update('hiresUpscaler', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(upscaler, { force: true });
  });

  it('Transparent Background cuts the subject out with the chosen background model (PNG with alpha)', async () => {
    const modelsDir = path.join(os.tmpdir(), `ld-e2e-here-models-${process.pid}`);
    await installAnalyticBackgroundModel(modelsDir);
    const config = vscode.workspace.getConfiguration('localDiffusion');
    await config.update('modelsFolder', modelsDir, vscode.ConfigurationTarget.Global);
    try {
      const folder = freshFolder('cut-out');
      void vscode.commands.executeCommand('localDiffusion.generateImageHere', vscode.Uri.file(folder));
      await browserStep('quickInput.answer', { title: 'Generate Image Here (1/5)', value: 'a yellow star on a blue background' });
      await browserStep('quickInput.answer', { title: 'Generate Image Here (2/5)', pickMany: [CUSTOM_SIZE] });
      await browserStep('quickInput.answer', { title: 'Generate Image Here: Custom Size', value: '64x64' });
      await browserStep('quickInput.answer', { title: 'Generate Image Here (3/5)', pick: 'PNG' });
      await browserStep('quickInput.answer', { title: 'Generate Image Here: Background', pick: 'Transparent Background' });
      await browserStep('quickInput.answer', { title: 'Generate Image Here: Cut-Out Model', pickFirst: 'rmbg-analytic' });
      await browserStep('quickInput.answer', { title: 'Generate Image Here (4/5)', value: 'star' });
      await browserStep('quickInput.answer', { title: 'Generate Image Here (5/5)', value: '8' });
      await answerPreview('Write the File');
      await waitFor('the cut-out', () => listFolder(folder), (names) => names.includes('star.png') && !names.some((n) => n.endsWith('.tmp')), 120_000);
      const { data, info } = await sharp(fs.readFileSync(path.join(folder, 'star.png'))).raw().toBuffer({ resolveWithObject: true });
      assert.equal(info.channels, 4, 'the PNG has an alpha channel');
      let min = 255;
      let max = 0;
      for (let i = 3; i < data.length; i += 4) {
        min = Math.min(min, data[i]!);
        max = Math.max(max, data[i]!);
      }
      assert.ok(max - min > 100, `the alpha follows the subject (min ${min}, max ${max})`);
    } finally {
      await config.update('modelsFolder', undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(modelsDir, { recursive: true, force: true });
    }
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
    await answerQuestions('a purple circle', { custom: '64x64' }, 'PNG', 'purple');
    await aStepIsShown();
    assert.equal(api.generation.isRunning, true);
    await vscode.commands.executeCommand('localDiffusion.cancelGeneration');
    await waitFor('the cancelled job to end', () => api.generation.isRunning, (running) => !running, 30_000);
    await clearNotifications();

    const { pid } = await api.engine.request('hello', { protocolVersion: PROTOCOL_VERSION });
    void vscode.commands.executeCommand('localDiffusion.generateImageHere', vscode.Uri.file(folder));
    await answerQuestions('a purple circle', { custom: '64x64' }, 'PNG', 'purple');
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
