// upscale and remove-background on analytic models (tools/analytic/upscalerModel.ts): the tiled upscale equals the
// closed form for several tile sizes (and a tiling without context does not), scale and dtype come from the graph,
// alpha is upscaled on its own, the Lanczos fallback has the exact size; the segmenter's alpha is known; every bad
// input gives one "error:" line, exit 1, and writes nothing.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import type { RasterImage } from '../../src/common/image/imageTypes';
import { upscaleImage } from '../../src/engine/upscale/upscaleImage';
import { UpscaleModel } from '../../src/engine/upscale/upscaleModel';
import { decodeImage } from '../../src/node/image/imageCodec';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { upscalerOracle, writeSegmenterModel, writeTwoInputModel, writeUpscalerModel } from '../../tools/analytic/upscalerModel';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist', 'cli.js');
const BIG = 1 << 30;

/** A deterministic high-contrast pattern (every tile border crosses edges). */
function pattern(width: number, height: number, channels: 3 | 4): RasterImage {
  const data = new Uint8Array(width * height * channels);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = channels === 4 && i % 4 === 3 ? (i >> 2) % width < width / 2 ? 255 : 40 : (s >>> 16) & 255;
  }
  return { width, height, channels, data };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, stride = 1, take = stride): number {
  let d = 0;
  for (let i = 0; i < a.length / stride; i++) for (let c = 0; c < take; c++) d = Math.max(d, Math.abs(a[i * stride + c] - b[i * take + c]));
  return d;
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function writePng(file: string, image: RasterImage): Promise<void> {
  await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }).png().toFile(file);
}

describe('upscale and remove-background (analytic models)', function () {
  this.timeout(300_000);
  let dir: string;
  const m = (name: string): string => path.join(dir, name);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-upscale-'));
    await writeUpscalerModel(m('x2.onnx'), { scale: 2, dtype: 'float32' });
    await writeUpscalerModel(m('x4-fp16.onnx'), { scale: 4, dtype: 'float16', inputName: 'input.1', outputName: '1895' });
    fs.mkdirSync(m('x2-folder'));
    await writeUpscalerModel(m('x2-folder/model.onnx'), { scale: 2, dtype: 'float16' });
    fs.mkdirSync(m('rmbg-analytic'));
    await writeSegmenterModel(m('rmbg-analytic/model.onnx'), 64);
    await writeTwoInputModel(m('two-inputs.onnx'));
    await writeUpscalerModel(m('x2-fixed24.onnx'), { scale: 2, dtype: 'float32', fixedSize: 24 });
    await writeAnalyticModel(m('diffusion'), {});
    await writePng(m('in.png'), pattern(70, 45, 3));
    await writePng(m('alpha.png'), pattern(40, 30, 4));
    await writePng(m('big.png'), pattern(200, 120, 3));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads scale, dtype and names from the graph', async () => {
    const a = await UpscaleModel.load(m('x2.onnx'), 'cpu');
    const b = await UpscaleModel.load(m('x4-fp16.onnx'), 'cpu');
    const c = await UpscaleModel.load(m('x2-folder'), 'cpu');
    try {
      assert.deepEqual([a.info.scale, a.info.dtype, a.info.input, a.info.output], [2, 'float32', 'input', 'output']);
      assert.deepEqual([b.info.scale, b.info.dtype, b.info.input, b.info.output], [4, 'float16', 'input.1', '1895']);
      assert.deepEqual([c.info.scale, c.info.dtype], [2, 'float16']);
    } finally {
      await Promise.all([a.dispose(), b.dispose(), c.dispose()]);
    }
  });

  for (const [file, scale] of [['x2.onnx', 2], ['x4-fp16.onnx', 4]] as const) {
    it(`${file}: tiled with context equals the closed form for every tile size; without context it does not`, async () => {
      const model = await UpscaleModel.load(m(file), 'cpu');
      try {
        const image = pattern(37, 29, 3);
        const oracle = upscalerOracle(image, scale);
        const whole = await upscaleImage(image, model, { tile: 64, memoryBudgetBytes: BIG });
        assert.equal(whole.tiles, 1);
        assert.ok(maxDiff(whole.image.data, oracle, 3) <= 1, 'untiled within 1 level of the closed form');
        for (const tile of [5, 8, 13, 16]) {
          const tiled = await upscaleImage(image, model, { tile, tilePad: 2, memoryBudgetBytes: BIG });
          assert.ok(tiled.tiles > 1);
          assert.equal(tiled.image.width, 37 * scale);
          assert.ok(maxDiff(tiled.image.data, oracle, 3) <= 1, `tile ${tile}: within 1 level`);
        }
        const seams = await upscaleImage(image, model, { tile: 8, tilePad: 0, memoryBudgetBytes: BIG });
        assert.ok(maxDiff(seams.image.data, oracle, 3) > 10, 'zero context shows seams');
        const short = await upscaleImage(image, model, { tile: 8, tilePad: 1, memoryBudgetBytes: BIG });
        assert.ok(maxDiff(short.image.data, oracle, 3) > 1, 'one pixel of context is not enough for a 5×5 blur');
      } finally {
        await model.dispose();
      }
    });
  }

  it('a graph with a fixed input size: scale from its static dims, windows of exactly that size, still the closed form', async () => {
    const model = await UpscaleModel.load(m('x2-fixed24.onnx'), 'cpu');
    try {
      assert.deepEqual([model.info.scale, model.info.fixedSize], [2, { width: 24, height: 24 }]);
      const image = pattern(37, 29, 3);
      const result = await upscaleImage(image, model, { tilePad: 2, memoryBudgetBytes: BIG });
      assert.equal(result.tile, 20);
      assert.ok(maxDiff(result.image.data, upscalerOracle(image, 2), 3) <= 1);
      await assert.rejects(upscaleImage(pattern(20, 30, 3), model, { memoryBudgetBytes: BIG }), /exactly 24×24/);
    } finally {
      await model.dispose();
    }
  });

  it('chooses a tile from the memory budget and still matches', async () => {
    const model = await UpscaleModel.load(m('x2.onnx'), 'cpu');
    try {
      const image = pattern(200, 90, 3);
      const result = await upscaleImage(image, model, { memoryBudgetBytes: 20 * 1048576 });
      assert.ok(result.tiles > 1, `tiles ${result.tiles}`);
      assert.ok(maxDiff(result.image.data, upscalerOracle(image, 2), 3) <= 1);
    } finally {
      await model.dispose();
    }
  });

  it('cancels between tiles', async () => {
    const model = await UpscaleModel.load(m('x2.onnx'), 'cpu');
    let seen = 0;
    const token = { cancelled: false, onCancel: () => ({ dispose: () => undefined }) };
    try {
      await assert.rejects(
        upscaleImage(pattern(64, 64, 3), model, { tile: 32, memoryBudgetBytes: BIG, cancellation: token, onProgress: () => { seen++; token.cancelled = true; } }),
        /cancelled/i,
      );
      assert.equal(seen, 1);
    } finally {
      await model.dispose();
    }
  });

  it('CLI: model upscale with --tile, alpha upscaled on its own, --scale other than the model\'s', async () => {
    let r = run(['upscale', '--model', m('x2.onnx'), '--image', m('in.png'), '--out', m('out.png'), '--tile', '32']);
    assert.equal(r.status, 0, r.stderr);
    const out = await decodeImage(fs.readFileSync(m('out.png')));
    const input = await decodeImage(fs.readFileSync(m('in.png')));
    assert.deepEqual([out.width, out.height], [140, 90]);
    assert.ok(maxDiff(out.data, upscalerOracle(input, 2), 3) <= 1);

    r = run(['upscale', '--model', m('x2-folder'), '--image', m('alpha.png'), '--out', m('alpha-out.webp')]);
    assert.equal(r.status, 0, r.stderr);
    const a = await decodeImage(fs.readFileSync(m('alpha-out.webp')));
    assert.deepEqual([a.width, a.height, a.channels], [80, 60, 4]);
    // Alpha: the left half 255, the right half 40, away from the edge where Lanczos rings.
    assert.equal(a.data[(30 * 80 + 10) * 4 + 3], 255);
    assert.equal(a.data[(30 * 80 + 70) * 4 + 3], 40);
    assert.ok(maxDiff(a.data, upscalerOracle(await decodeImage(fs.readFileSync(m('alpha.png'))), 2), 4, 3) <= 1, 'RGB still the closed form');

    r = run(['upscale', '--model', m('x4-fp16.onnx'), '--image', m('in.png'), '--out', m('out3.png'), '--scale', '3']);
    assert.equal(r.status, 0, r.stderr);
    const o3 = await decodeImage(fs.readFileSync(m('out3.png')));
    assert.deepEqual([o3.width, o3.height], [210, 135]);
  });

  it('CLI: without a model, a Lanczos upscale of the exact size', async () => {
    const r = run(['upscale', '--image', m('in.png'), '--out', m('lanczos.jpg'), '--scale', '1.5']);
    assert.equal(r.status, 0, r.stderr);
    const out = await decodeImage(fs.readFileSync(m('lanczos.jpg')));
    assert.deepEqual([out.width, out.height], [105, 68]);
  });

  it('CLI remove-background: the alpha is the known function of the colour', async () => {
    // Left half black, right half white, a grey band in the middle: mask = min-max of the mean → 0, 1, 128/255.
    const w = 64;
    const data = new Uint8Array(w * w * 3);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill(x < 24 ? 0 : x < 40 ? 128 : 255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    await writePng(m('seg.png'), { width: w, height: w, channels: 3, data });
    const r = run(['remove-background', '--model', m('rmbg-analytic'), '--image', m('seg.png'), '--out', m('seg.png.out.png')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /preset rmbg/);
    const out = await decodeImage(fs.readFileSync(m('seg.png.out.png')));
    assert.equal(out.channels, 4);
    for (const [x, alpha] of [[5, 0], [31, 128], [60, 255]]) {
      for (const y of [0, 30, 63]) assert.ok(Math.abs(out.data[(y * w + x) * 4 + 3] - alpha) <= 1, `alpha at ${x},${y}: ${out.data[(y * w + x) * 4 + 3]} vs ${alpha}`);
    }
    // A different size: resized to the model's 64×64 and back; flat regions keep their alpha.
    await sharp(m('seg.png')).resize(150, 100, { kernel: 'nearest' }).toFile(m('seg-big.png'));
    const r2 = run(['remove-background', '--model', m('rmbg-analytic/model.onnx'), '--preset', 'rmbg', '--image', m('seg-big.png'), '--out', m('seg-big.webp')]);
    assert.equal(r2.status, 0, r2.stderr);
    const big = await decodeImage(fs.readFileSync(m('seg-big.webp')));
    assert.deepEqual([big.width, big.height, big.channels], [150, 100, 4]);
    assert.ok(big.data[(50 * 150 + 10) * 4 + 3] <= 1);
    assert.ok(big.data[(50 * 150 + 140) * 4 + 3] >= 254);
  });

  describe('bad inputs: one error line, exit 1, nothing written', () => {
    const cases: Array<[string, () => string[], RegExp]> = [
      ['a diffusion folder as upscaler', () => ['upscale', '--model', m('diffusion'), '--image', m('in.png'), '--out', m('bad.png')], /diffusion model folder/],
      ['a model with 2 inputs', () => ['upscale', '--model', m('two-inputs.onnx'), '--image', m('in.png'), '--out', m('bad.png')], /2 inputs/],
      ['a segmenter as upscaler', () => ['upscale', '--model', m('rmbg-analytic'), '--image', m('in.png'), '--out', m('bad.png')], /not a super-resolution model/],
      ['an upscaler as segmenter', () => ['remove-background', '--model', m('x2.onnx'), '--preset', 'u2net', '--image', m('in.png'), '--out', m('bad.png')], /not a background-segmentation model/],
      ['an image too large for the budget', () => ['upscale', '--model', m('x2.onnx'), '--image', m('in.png'), '--out', m('bad.png'), '--memory-mb', '1'], /memory budget/],
      ['Lanczos too large for the budget', () => ['upscale', '--image', m('in.png'), '--out', m('bad.png'), '--scale', '8', '--memory-mb', '1'], /memory budget/],
      ['remove-background too large for the budget', () => ['remove-background', '--model', m('rmbg-analytic'), '--image', m('big.png'), '--out', m('bad.png'), '--memory-mb', '1'], /memory budget/],
      ['remove-background to JPEG', () => ['remove-background', '--model', m('rmbg-analytic'), '--image', m('in.png'), '--out', m('bad.jpg')], /JPEG cannot hold transparency/],
      ['upscale of an image with alpha to JPEG', () => ['upscale', '--model', m('x2.onnx'), '--image', m('alpha.png'), '--out', m('bad.jpg')], /JPEG cannot hold transparency/],
      ['a model of unknown preset', () => ['remove-background', '--model', m('x2.onnx'), '--image', m('in.png'), '--out', m('bad.png')], /--preset/],
      ['a missing image', () => ['upscale', '--image', m('nope.png'), '--out', m('bad.png')], /cannot read the image/],
    ];
    for (const [name, args, pattern] of cases) {
      it(name, () => {
        const before = fs.readdirSync(dir).sort();
        const r = run(args());
        assert.equal(r.status, 1, r.stderr);
        assert.ok(r.stderr.startsWith('error: '), r.stderr);
        assert.equal(r.stderr.match(/^error: /gm)?.length, 1, r.stderr);
        assert.match(r.stderr, pattern);
        assert.deepEqual(fs.readdirSync(dir).sort(), before);
      });
    }
  });
});
