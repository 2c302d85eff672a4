// Inpainting with the trained sample model (models/tiny-shapes, a 4-channel UNet: diffusers' latent blend after every
// step): a red circle on a blue background, a mask over the circle, the prompt asks for a green square. Inside the mask
// the circle is replaced by a green square; outside, every pixel is unchanged.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { decodeImage, encodeImage } from '../../src/node/image/imageCodec';
import type { RasterImage } from '../../src/common/image/imageTypes';

const repo = path.resolve(__dirname, '../../..');
const modelDir = path.join(repo, 'models', 'tiny-shapes');

/** The training palette (tools/trainSampleModel.py COLORS). */
const RED = [220, 38, 38];
const GREEN = [40, 170, 70];
const BLUE = [40, 90, 220];
const SIZE = 64;
const CIRCLE = { x: 32, y: 32, radius: 15 };
/** The mask: a square over the circle, on the VAE's 4-pixel grid. */
const MASK = { x0: 12, y0: 12, x1: 52, y1: 52 };
const SEED = 3;
/** Euclidean RGB distance under which a pixel counts as that palette colour (palette colours are ≥ 78 apart). */
const NEAR = 60;

function inMask(x: number, y: number): boolean {
  return x >= MASK.x0 && x < MASK.x1 && y >= MASK.y0 && y < MASK.y1;
}

/** A training-style scene: the circle antialiased by coverage clip(0.5 − signed distance, 0, 1). */
function circleScene(): RasterImage {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const d = Math.hypot(x + 0.5 - CIRCLE.x, y + 0.5 - CIRCLE.y) - CIRCLE.radius;
      const a = Math.min(1, Math.max(0, 0.5 - d));
      for (let c = 0; c < 3; c++) data[(y * SIZE + x) * 3 + c] = Math.round(BLUE[c] * (1 - a) + RED[c] * a);
    }
  }
  return { width: SIZE, height: SIZE, channels: 3, data };
}

function maskImage(): RasterImage {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) if (inMask(x, y)) data.fill(255, (y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3);
  return { width: SIZE, height: SIZE, channels: 3, data };
}

function near(image: RasterImage, x: number, y: number, color: number[]): boolean {
  const o = (y * image.width + x) * image.channels;
  return Math.hypot(image.data[o] - color[0], image.data[o + 1] - color[1], image.data[o + 2] - color[2]) < NEAR;
}

/** Pixels of a colour inside the mask, and how much of their bounding box they fill (square ≈ 1, circle ≈ 0.79). */
function colourInMask(image: RasterImage, color: number[]): { count: number; fill: number; width: number; height: number } {
  let count = 0;
  let x0 = SIZE;
  let y0 = SIZE;
  let x1 = -1;
  let y1 = -1;
  for (let y = MASK.y0; y < MASK.y1; y++) {
    for (let x = MASK.x0; x < MASK.x1; x++) {
      if (!near(image, x, y, color)) continue;
      count++;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  const width = x1 - x0 + 1;
  const height = y1 - y0 + 1;
  return { count, fill: count > 0 ? count / (width * height) : 0, width, height };
}

describe('sample model tiny-shapes: inpainting', function () {
  this.timeout(120_000);
  const engine = new Engine();
  const source = circleScene();
  const maskArea = (MASK.x1 - MASK.x0) * (MASK.y1 - MASK.y0);
  let result: RasterImage;

  before(async () => {
    const generated = await engine.generate({
      task: 'inpaint',
      model: { dir: modelDir },
      executionProvider: 'cpu',
      prompt: 'a big green square in the center on a blue background',
      initImage: await encodeImage(source, 'png'),
      mask: await encodeImage(maskImage(), 'png'),
      seed: String(SEED),
      steps: 20,
      previewEverySteps: 0,
    });
    assert.equal(generated.width, SIZE);
    result = await decodeImage(generated.images[0].png);
  });
  after(() => engine.dispose());

  it('the source has a red circle inside the mask (the check below can fail)', () => {
    const red = colourInMask(source, RED);
    assert.ok(red.count > 0.4 * maskArea, `${red.count} red pixels`);
    assert.ok(red.fill < 0.85, `a circle fills ${red.fill} of its box`);
  });

  it('keeps every pixel outside the mask', () => {
    let changed = 0;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        if (inMask(x, y)) continue;
        for (let c = 0; c < 3; c++) if (result.data[(y * SIZE + x) * result.channels + c] !== source.data[(y * SIZE + x) * 3 + c]) changed++;
      }
    }
    assert.equal(changed, 0);
  });

  it('replaces the red circle with a green square inside the mask', () => {
    const red = colourInMask(result, RED);
    const green = colourInMask(result, GREEN);
    assert.ok(red.count < 0.02 * maskArea, `${red.count} red pixels left`);
    assert.ok(green.count > 0.25 * maskArea, `only ${green.count} green pixels`);
    assert.ok(green.fill > 0.85, `the green shape fills ${green.fill} of its bounding box (a square fills about 1)`);
    assert.ok(Math.abs(green.width - green.height) <= 4, `the green box is ${green.width}×${green.height}`);
  });

  it('keeps the background blue around the new shape inside the mask', () => {
    let blue = 0;
    for (let y = MASK.y0; y < MASK.y1; y++) for (let x = MASK.x0; x < MASK.x1; x++) if (near(result, x, y, BLUE)) blue++;
    assert.ok(blue > 0.2 * maskArea, `only ${blue} blue pixels inside the mask`);
  });
});
