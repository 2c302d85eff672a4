// Sizes the UNet cannot take (issue 12 §5): tiny-shapes' UNet down-samples 4× (3 down blocks) on top of the VAE's
// 4×, so sides must be multiples of 16; 72×72 used to end in ONNX Runtime's Concat shape error. It is generated at
// 80×80 and centre-cropped to exactly 72×72, with a warning.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { decodeImage, encodeImage } from '../../src/node/image/imageCodec';

const repo = path.resolve(__dirname, '../../..');
const modelDir = path.join(repo, 'models', 'tiny-shapes');

describe('sample model tiny-shapes: sizes the UNet cannot take', function () {
  this.timeout(120_000);
  const engine = new Engine();
  after(() => engine.dispose());

  it('reports the size multiple from unet/config.json', async () => {
    const info = await engine.info({ dir: modelDir });
    assert.equal(info.vae.scaleFactor, 4);
    assert.equal(info.sizeMultiple, 16);
  });

  it('without unet/config.json, reads the size multiple from the UNet graph and still generates 72×72', async () => {
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ld-no-unet-config-')), 'tiny-shapes');
    fs.cpSync(modelDir, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'unet', 'config.json'));
    const info = await engine.info({ dir: copy });
    assert.equal(info.sizeMultiple, 16);
    const result = await engine.generate({
      task: 'txt2img', model: { dir: copy }, executionProvider: 'cpu', prompt: 'a red circle', width: 72, height: 72, steps: 2, seed: '8', previewEverySteps: 0,
    });
    const image = await decodeImage(result.images[0].png);
    assert.deepEqual([image.width, image.height], [72, 72]);
  });

  it('txt2img at 72×72 gives a 72×72 image, with a warning', async () => {
    const result = await engine.generate({
      task: 'txt2img',
      model: { dir: modelDir },
      executionProvider: 'cpu',
      prompt: 'a big yellow star on a blue background',
      width: 72,
      height: 72,
      steps: 3,
      seed: '8',
      previewEverySteps: 0,
    });
    assert.equal(result.width, 72);
    assert.equal(result.height, 72);
    const image = await decodeImage(result.images[0].png);
    assert.deepEqual([image.width, image.height], [72, 72]);
    assert.ok(result.warnings.some((w) => /80×80 and centre-cropped to 72×72/.test(w)), result.warnings.join('\n'));
    assert.match(result.images[0].parameters, /Size: 72x72/);
  });

  it('img2img at 72×40 gives a 72×40 image', async () => {
    const data = new Uint8Array(72 * 40 * 3).fill(200);
    const result = await engine.generate({
      task: 'img2img',
      model: { dir: modelDir },
      executionProvider: 'cpu',
      prompt: 'a red circle',
      initImage: await encodeImage({ width: 72, height: 40, channels: 3, data }, 'png'),
      strength: 0.5,
      steps: 4,
      seed: '3',
      previewEverySteps: 0,
    });
    assert.deepEqual([result.width, result.height], [72, 40]);
    const image = await decodeImage(result.images[0].png);
    assert.deepEqual([image.width, image.height], [72, 40]);
  });
});
