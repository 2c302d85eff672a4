// Seamless tiling (src/node/onnx/circularPadding.ts): on analytic padded-conv models (tools/analytic/paddedConvModel.ts)
// the rewritten graph equals the closed form with circular padding along exactly the chosen axes (x, y, xy) and zero
// padding along the others, so a flat colour stays flat only along the wrapped axes; the edit composes with another
// GraphEdit and is cached per model and mode. Through the engine, an analytic model whose VAE decoder ends in a padded
// blur generates a flat colour flat only along the axes `tiling` wraps. On the trained tiny-shapes model, `tiling: 'xy'` images continue across
// their edges (left/right and top/bottom) far better than untiled ones, and the infotext says `Tiling: True`.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RasterImage } from '../../src/common/image/imageTypes';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { TILING_MODES, tilingAxes, type TilingMode } from '../../src/common/tilingMode';
import { Engine } from '../../src/engine/engine';
import { floatTensor, OnnxSession } from '../../src/engine/runtime/ort';
import { prepareSessionSource } from '../../src/engine/runtime/sessionSource';
import { circularPadding, paddedConvCount } from '../../src/node/onnx/circularPadding';
import type { GraphEdit } from '../../src/node/onnx/graphEdit';
import { makeTensor } from '../../src/node/onnx/onnxWriter';
import { readOnnxModel } from '../../src/node/onnx/readOnnxModel';
import { decodeImage, encodeImage, readImageParameters } from '../../src/node/image/imageCodec';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { paddedConvOracle, writePaddedConvModel, type PaddedConvKernel } from '../../tools/analytic/paddedConvModel';

const repo = path.resolve(__dirname, '../../..');
const tinyShapes = path.join(repo, 'models', 'tiny-shapes');
const WIDTH = 7;
const HEIGHT = 5;
const FLAT = 0.6;

async function runModel(file: string, edits: readonly GraphEdit[], input: Float32Array, cacheDir?: string): Promise<Float32Array> {
  const source = await prepareSessionSource(file, { edits, ...(cacheDir ? { cacheDir } : {}) });
  const session = await OnnxSession.create(source, { provider: 'cpu' });
  try {
    const out = await session.run({ sample: floatTensor('float32', input, [1, 3, HEIGHT, WIDTH]) });
    return out.out.data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function ramp(): Float32Array {
  return Float32Array.from({ length: 3 * HEIGHT * WIDTH }, (_, i) => ((i * 37) % 101) / 100);
}

/** Whether row i (or column j) of channel 0 is the flat colour everywhere. */
function flatRow(y: Float32Array, i: number): boolean {
  for (let j = 0; j < WIDTH; j++) if (Math.abs(y[i * WIDTH + j] - FLAT) > 1e-6) return false;
  return true;
}
function flatColumn(y: Float32Array, j: number): boolean {
  for (let i = 0; i < HEIGHT; i++) if (Math.abs(y[i * WIDTH + j] - FLAT) > 1e-6) return false;
  return true;
}

describe('seamless tiling: circular padding on analytic padded-conv models', function () {
  this.timeout(120_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-tiling-'));
  const files: Record<PaddedConvKernel, string> = { blur: path.join(root, 'blur.onnx'), shift: path.join(root, 'shift.onnx') };
  before(async () => {
    for (const kernel of ['blur', 'shift'] as const) await writePaddedConvModel(files[kernel], kernel);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('without the edit the models have zero padding (the closed form with no wrap)', async () => {
    for (const kernel of ['blur', 'shift'] as const) {
      const y = await runModel(files[kernel], [], ramp());
      assert.ok(maxDiff(y, paddedConvOracle(ramp(), WIDTH, HEIGHT, kernel, false, false)) < 1e-6, kernel);
    }
    const flat = await runModel(files.blur, [], new Float32Array(3 * HEIGHT * WIDTH).fill(FLAT));
    assert.ok(!flatRow(flat, 0) && !flatColumn(flat, 0), 'zero padding darkens the borders');
  });

  for (const mode of TILING_MODES) {
    it(`tiling ${mode}: circular along exactly ${mode === 'xy' ? 'both axes' : `the ${mode} axis`}`, async () => {
      const { x, y } = tilingAxes(mode);
      for (const kernel of ['blur', 'shift'] as const) {
        const out = await runModel(files[kernel], [circularPadding(mode)], ramp());
        assert.ok(maxDiff(out, paddedConvOracle(ramp(), WIDTH, HEIGHT, kernel, x, y)) < 1e-6, `${kernel} equals the closed form`);
        // …and not the closed form of another mode.
        for (const other of TILING_MODES.filter((m) => m !== mode)) {
          const o = tilingAxes(other);
          assert.ok(maxDiff(out, paddedConvOracle(ramp(), WIDTH, HEIGHT, kernel, o.x, o.y)) > 1e-3, `${kernel} ${mode} differs from ${other}`);
        }
      }
      const flat = await runModel(files.blur, [circularPadding(mode)], new Float32Array(3 * HEIGHT * WIDTH).fill(FLAT));
      // Interior rows / columns: flat at the left and right edges iff x wraps; top and bottom rows flat iff y wraps.
      const middleRowFlat = flatRow(flat, Math.floor(HEIGHT / 2));
      const middleColumnFlat = flatColumn(flat, Math.floor(WIDTH / 2));
      assert.equal(middleRowFlat, x, 'middle row flat (its ends are the left/right edges)');
      assert.equal(middleColumnFlat, y, 'middle column flat (its ends are the top/bottom edges)');
      assert.equal(flatRow(flat, 0) && flatColumn(flat, 0), x && y, 'the whole image is flat only with xy');
    });
  }

  it('an opset-9 graph (Slice with attributes) wraps the same; a Conv with auto_pad is refused with its name', async () => {
    const old = path.join(root, 'shift-opset9.onnx');
    await writePaddedConvModel(old, 'shift', { opsetVersion: 9 });
    for (const mode of TILING_MODES) {
      const { x, y } = tilingAxes(mode);
      assert.ok(maxDiff(await runModel(old, [circularPadding(mode)], ramp()), paddedConvOracle(ramp(), WIDTH, HEIGHT, 'shift', x, y)) < 1e-6, mode);
    }
    const auto = path.join(root, 'auto-pad.onnx');
    await writePaddedConvModel(auto, 'blur', { autoPad: 'SAME_UPPER' });
    await assert.rejects(prepareSessionSource(auto, { edits: [circularPadding('xy')] }), /Conv padded_conv uses auto_pad=SAME_UPPER; seamless tiling needs explicit pads/);
  });

  it('counts the padded convs it rewrites, and composes with another edit (a weight change, as a LoRA merge makes)', async () => {
    const model = readOnnxModel(files.blur);
    assert.equal(paddedConvCount(model, 'xy'), 1);
    const weight = model.graph.nodes.find((n) => n.opType === 'Conv')!.inputs[1];
    const doubled: GraphEdit = {
      key: 'double-weights',
      apply: (graph) => {
        const bytes = graph.read(weight);
        const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)).map((w) => 2 * w);
        graph.setInitializer(makeTensor(weight, values, graph.initializer(weight).dims));
      },
    };
    const expected = paddedConvOracle(ramp(), WIDTH, HEIGHT, 'blur', true, true).map((v) => 2 * v);
    for (const edits of [[doubled, circularPadding('xy')], [circularPadding('xy'), doubled]]) {
      assert.ok(maxDiff(await runModel(files.blur, edits, ramp()), expected) < 1e-5, edits.map((e) => e.key).join(' then '));
    }
  });

  it('caches one edited graph per model and mode, and reuses it', async () => {
    const cacheDir = path.join(root, 'cache');
    for (const mode of TILING_MODES) await runModel(files.shift, [circularPadding(mode)], ramp(), cacheDir);
    assert.equal(fs.readdirSync(cacheDir).length, 3);
    const again = await runModel(files.shift, [circularPadding('x')], ramp(), cacheDir);
    assert.equal(fs.readdirSync(cacheDir).length, 3);
    assert.ok(maxDiff(again, paddedConvOracle(ramp(), WIDTH, HEIGHT, 'shift', true, false)) < 1e-6);
  });
});

describe('seamless tiling through the engine: an analytic model whose VAE decoder has a padded blur', function () {
  this.timeout(120_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-tiling-engine-'));
  const dir = path.join(root, 'blurred');
  const engine = new Engine(undefined, { graphCacheDir: path.join(root, 'cache') });
  before(() => writeAnalyticModel(dir, { decoderBlur: true }));
  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /**
   * A colour-only prompt: the analytic UNet converges to one flat colour (its shape mask is 1 everywhere); no CFG, so
   * the colour stays inside the image range and zero padding shows (a border pixel is 6/9 of it).
   */
  async function flatness(tiling: TilingMode | undefined): Promise<{ rows: boolean[]; columns: boolean[] }> {
    const result = await engine.generate({ task: 'txt2img', model: { dir }, executionProvider: 'cpu', prompt: 'a red', guidanceScale: 1, width: 64, height: 48, steps: 8, seed: '1', previewEverySteps: 0, ...(tiling ? { tiling } : {}) });
    const image = await decodeImage(result.images[0]!.png);
    const { width, height, channels, data } = image;
    const centre = [...data.subarray(((height >> 1) * width + (width >> 1)) * channels, ((height >> 1) * width + (width >> 1)) * channels + 3)];
    const same = (x: number, y: number): boolean => [0, 1, 2].every((c) => Math.abs(data[(y * width + x) * channels + c]! - centre[c]!) <= 1);
    // Each edge row / column away from the corners: flat or not.
    const rows = [0, height - 1].map((y) => Array.from({ length: width - 2 }, (_, i) => same(i + 1, y)).every(Boolean));
    const columns = [0, width - 1].map((x) => Array.from({ length: height - 2 }, (_, i) => same(x, i + 1)).every(Boolean));
    return { rows, columns };
  }

  it('untiled the borders are darker; xy: flat everywhere; x: flat left and right only; y: top and bottom only', async () => {
    assert.deepEqual(await flatness(undefined), { rows: [false, false], columns: [false, false] });
    assert.deepEqual(await flatness('xy'), { rows: [true, true], columns: [true, true] });
    assert.deepEqual(await flatness('x'), { rows: [false, false], columns: [true, true] });
    assert.deepEqual(await flatness('y'), { rows: [true, true], columns: [false, false] });
  });
});

/**
 * How much worse the wrap-around seam is than an ordinary step between neighbours: the mean |column 0 − column W−1|
 * over the mean |column j − column j+1| (x), the same for rows (y). About 1 for an image that tiles; large otherwise.
 */
function seamRatios(image: RasterImage): { x: number; y: number } {
  const { width: w, height: h, channels: ch, data } = image;
  const px = (x: number, y: number, c: number): number => data[(y * w + x) * ch + c];
  let wrapX = 0;
  let innerX = 0;
  let wrapY = 0;
  let innerY = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      wrapX += Math.abs(px(0, y, c) - px(w - 1, y, c));
      for (let x = 0; x < w - 1; x++) innerX += Math.abs(px(x, y, c) - px(x + 1, y, c));
    }
    for (let x = 0; x < w; x++) {
      wrapY += Math.abs(px(x, 0, c) - px(x, h - 1, c));
      for (let y = 0; y < h - 1; y++) innerY += Math.abs(px(x, y, c) - px(x, y + 1, c));
    }
  }
  return { x: wrapX / h / (innerX / (h * (w - 1))), y: wrapY / w / (innerY / (w * (h - 1))) };
}

const PROMPTS = [
  'a big red star on a blue background, right',
  'a big white circle on a black background, top left',
  'a big yellow square at the bottom on a green background',
];

describe('seamless tiling on the trained tiny-shapes model', function () {
  this.timeout(600_000);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-tiling-cache-'));
  const engine = new Engine(undefined, { graphCacheDir: cacheDir });
  after(async () => {
    await engine.dispose();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  async function meanSeams(tiling: TilingMode | undefined): Promise<{ x: number; y: number; parameters: string }> {
    let x = 0;
    let y = 0;
    let n = 0;
    let parameters = '';
    for (const prompt of PROMPTS) {
      const result = await engine.generate({ task: 'txt2img', model: { dir: tinyShapes }, prompt, seed: '3', batchCount: 2, previewEverySteps: 0, ...(tiling ? { tiling } : {}) });
      for (const image of result.images) {
        const ratios = seamRatios(await decodeImage(image.png));
        x += ratios.x;
        y += ratios.y;
        n++;
        parameters = image.parameters;
      }
    }
    return { x: x / n, y: y / n, parameters };
  }

  it('--tiling xy images wrap: left/right and top/bottom edges continue each other; x alone wraps only left/right', async () => {
    const plain = await meanSeams(undefined);
    const xy = await meanSeams('xy');
    const x = await meanSeams('x');
    // Untiled, the edges of these scenes are unrelated (measured ≈ 5.8 and 5.7); tiled, a seam is about an ordinary step.
    assert.ok(plain.x > 4 && plain.y > 4, `untiled seams ${plain.x.toFixed(2)}, ${plain.y.toFixed(2)}`);
    assert.ok(xy.x < 2.5 && xy.y < 2.5, `tiled xy seams ${xy.x.toFixed(2)}, ${xy.y.toFixed(2)}`);
    assert.ok(x.x < 2.5 && x.y > 3, `tiled x seams ${x.x.toFixed(2)}, ${x.y.toFixed(2)}`);
    assert.equal(parseA1111Parameters(xy.parameters).raw['Tiling'], 'True');
    assert.equal(parseA1111Parameters(x.parameters).raw['Tiling axes'], 'X');
    assert.equal(parseA1111Parameters(plain.parameters).raw['Tiling'], undefined);
    // One edited graph per component with convolutions (unet, vae_decoder, vae_encoder) and mode.
    assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.onnx')).length, 6);
  });

  it('works for img2img and inpainting too (the VAE encoder wraps as well)', async () => {
    const first = await engine.generate({ task: 'txt2img', model: { dir: tinyShapes }, prompt: PROMPTS[1], seed: '5', tiling: 'xy', previewEverySteps: 0 });
    const init = first.images[0].png;
    const img2img = await engine.generate({ task: 'img2img', model: { dir: tinyShapes }, prompt: PROMPTS[1], seed: '6', initImage: init, strength: 0.6, tiling: 'xy', previewEverySteps: 0 });
    const { width, height } = await decodeImage(init);
    const mask = new Uint8Array(width * height * 3);
    for (let yy = 0; yy < height; yy++) for (let xx = 0; xx < width; xx++) if (xx < 16 || xx >= width - 16) mask.fill(255, (yy * width + xx) * 3, (yy * width + xx) * 3 + 3);
    const inpaint = await engine.generate({
      task: 'inpaint', model: { dir: tinyShapes }, prompt: PROMPTS[1], seed: '7', initImage: init,
      mask: await encodeImage({ width, height, channels: 3, data: mask }, 'png'), tiling: 'xy', previewEverySteps: 0,
    });
    for (const result of [img2img, inpaint]) {
      assert.equal(parseA1111Parameters(result.images[0].parameters).raw['Tiling'], 'True');
      const ratios = seamRatios(await decodeImage(result.images[0].png));
      assert.ok(ratios.x < 3 && ratios.y < 3, `seams ${ratios.x.toFixed(2)}, ${ratios.y.toFixed(2)}`);
    }
    assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.onnx')).length, 6, 'the xy graphs were reused');
  });

  it('the CLI: --tiling y writes Tiling: True / Tiling axes: Y, and --parameters takes it back; a bad mode is one error', async () => {
    const cli = path.join(repo, 'dist', 'cli.js');
    const out = path.join(cacheDir, 'cli-tiled.png');
    const env = { ...process.env, LOCAL_DIFFUSION_CACHE_DIR: cacheDir };
    const run = (args: string[]) => spawnSync(process.execPath, [cli, 'generate', '--model', tinyShapes, ...args], { encoding: 'utf8', env, timeout: 120_000 });
    let r = run(['--prompt', PROMPTS[0]!, '--seed', '2', '--steps', '4', '--tiling', 'y', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const parameters = (await readImageParameters(fs.readFileSync(out))) ?? '';
    assert.match(parameters, /, Tiling: True, Tiling axes: Y, /);
    const again = path.join(cacheDir, 'cli-again.png');
    r = run(['--parameters', out, '--out', again]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(fs.readFileSync(again), fs.readFileSync(out), '--parameters regenerates the same tiled image');
    r = run(['--prompt', 'a star', '--tiling', 'diagonal', '--out', path.join(cacheDir, 'bad.png')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--tiling must be one of xy, x, y, got "diagonal"/);
    assert.equal(fs.existsSync(path.join(cacheDir, 'bad.png')), false);
  });

  it('rejects an unknown tiling mode before loading anything', async () => {
    await assert.rejects(
      engine.generate({ task: 'txt2img', model: { dir: tinyShapes }, prompt: 'a star', tiling: 'z' as TilingMode }),
      /tiling must be one of "xy", "x", "y"/,
    );
  });
});
