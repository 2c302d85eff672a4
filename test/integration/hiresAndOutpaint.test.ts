// The hires fix and outpainting on analytic models: the hires fix's second pass runs at floor(side × scale) with the
// given strength (DDIM with ᾱ_final < 1 keeps the start step's noise in the result, so the strength shows in closed
// form), its infotext has A1111's keys and regenerates through --parameters; outpainting keeps the original
// outside the overlap bit-identical and paints the new border in the prompt's colour; bad inputs fail clearly.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { AnalyticOracle } from '../../tools/analytic/analyticOracle';
import { Engine } from '../../src/engine/engine';
import { decodeImage, resizeImage } from '../../src/node/image/imageCodec';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { TorchGenerator } from '../../src/engine/noise/torchGenerator';
import type { GenerateParams, GenerateProgress } from '../../src/common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../../src/common/protocol/rpc';
import { outpaintCanvas } from '../../src/engine/pipelines/outpaintPipeline';
import { planarToBytes, maxRgbDiff } from '../fixtures/analyticImages';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist', 'cli.js');

const DDIM = {
  _class_name: 'DDIMScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear',
  num_train_timesteps: 1000, set_alpha_to_one: false, steps_offset: 1, clip_sample: false, prediction_type: 'epsilon',
};

function infotextOf(png: Uint8Array): string {
  return readPngTextChunks(png).find((c) => c.keyword === 'parameters')?.text ?? '';
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hires fix and outpainting on analytic models', function () {
  this.timeout(300_000);
  const engine = new Engine();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-hires-'));
  const ddimDir = path.join(root, 'ddim');
  const plainDir = path.join(root, 'plain');
  before(async () => {
    await writeAnalyticModel(ddimDir, { schedulerConfig: DDIM });
    await writeAnalyticModel(plainDir, {});
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('hires fix: first pass, Lanczos ×2, then img2img at 128×128 with strength 0.5 (closed form); progress spans both passes', async () => {
    const oracle = new AnalyticOracle();
    const base = { model: { dir: ddimDir }, executionProvider: 'cpu' as const, prompt: 'a blue', width: 64, height: 64, steps: 20, guidanceScale: 1, seed: '77' };
    const progress: GenerateProgress[] = [];
    const result = await engine.generate({ task: 'txt2img', ...base, hires: { scale: 2, strength: 0.5 } }, { onProgress: (p) => progress.push(p) });
    assert.equal(result.width, 128);
    assert.equal(result.height, 128);
    const steps = progress.filter((p) => p.stage === 'denoising');
    assert.equal(steps.length, 30, '20 first-pass steps + 20 × strength 0.5 second-pass steps');
    assert.ok(steps.every((p) => p.steps === 30), 'one bar over both passes');
    assert.deepEqual(steps.map((p) => p.step), Array.from({ length: 30 }, (_, i) => i + 1));

    // The first pass is a plain txt2img with the same seed; the second is img2img of its Lanczos upscale.
    const plain = await engine.generate({ task: 'txt2img', ...base });
    const small = await decodeImage(plain.images[0].png);
    const upscaled = await resizeImage(small, 128, 128, 'fill');
    const planar = new Float32Array(3 * 128 * 128);
    for (let i = 0; i < 128 * 128; i++) for (let c = 0; c < 3; c++) planar[c * 128 * 128 + i] = (upscaled.data[i * upscaled.channels + c] / 255) * 2 - 1;
    const t = 451; // leading spacing, 20 steps, offset 1; strength 0.5 starts at index 10
    const a = oracle.alphaCumprodAt(t);
    const af = oracle.alphaCumprodAt(0);
    const x0 = oracle.targetLatent('a blue', 16, 16);
    const zImage = oracle.encodeImage(planar, 128, 128).map((v) => v * oracle.scalingFactor);
    const noise = new TorchGenerator(77n).randn([1, 4, 16, 16]);
    const latent = x0.map((v, i) => {
      const xt = Math.sqrt(a) * zImage[i] + Math.sqrt(1 - a) * noise[i];
      const eps = (xt - Math.sqrt(a) * v) / Math.sqrt(1 - a);
      return Math.sqrt(af) * v + Math.sqrt(1 - af) * eps;
    });
    const expected = planarToBytes(oracle.decodeLatent(latent, 16, 16), 128, 128);
    const image = await decodeImage(result.images[0].png);
    assert.ok(maxRgbDiff(image.data, image.channels, expected, 3) <= 1, `max diff ${maxRgbDiff(image.data, image.channels, expected, 3)}`);
    // Another strength starts elsewhere: the result differs (the test would notice a strength that is ignored).
    const other = await engine.generate({ task: 'txt2img', ...base, hires: { scale: 2, strength: 0.9 } });
    const otherImage = await decodeImage(other.images[0].png);
    assert.ok(maxRgbDiff(otherImage.data, 3, image.data, 3) > 0);

    const params = parseA1111Parameters(infotextOf(result.images[0].png));
    assert.equal(params.width, 64, 'A1111 writes the first pass size');
    assert.equal(params.denoisingStrength, 0.5);
    assert.equal(params.raw['Hires upscale'], '2');
    assert.equal(params.raw['Hires upscaler'], 'Lanczos');
    assert.equal(params.raw['Hires steps'], undefined, 'A1111 leaves out Hires steps when 0');
  });

  it('hires fix to a size the UNet does not take: generated larger, centre-cropped to floor(side × scale)', async () => {
    const result = await engine.generate({
      task: 'txt2img', model: { dir: plainDir }, executionProvider: 'cpu', prompt: 'a red', width: 64, height: 64, steps: 4, guidanceScale: 1, seed: '3',
      hires: { scale: 1.3, strength: 0.6, steps: 6 },
    });
    assert.equal(result.width, 83);
    assert.equal(result.height, 83);
    const image = await decodeImage(result.images[0].png);
    assert.equal(image.width, 83);
    assert.match(infotextOf(result.images[0].png), /Denoising strength: 0\.6, Hires upscale: 1\.3, Hires steps: 6, Hires upscaler: Lanczos/);
  });

  it('hires fix bad inputs: one clear InvalidParams error each', async () => {
    const base = { task: 'txt2img' as const, model: { dir: plainDir }, executionProvider: 'cpu' as const, prompt: 'x', steps: 2 };
    for (const [hires, pattern] of [
      [{ scale: 0.5 }, /hires\.scale must be a number from 1 to 4/],
      [{ scale: 4, strength: 0 }, /hires\.strength/],
      [{ scale: 2, steps: 1.5 }, /hires\.steps must be a whole number/],
    ] as const) {
      await assert.rejects(engine.generate({ ...base, hires } as GenerateParams), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.InvalidParams && pattern.test(e.message));
    }
    await assert.rejects(
      engine.generate({ ...base, width: 2048, height: 64, hires: { scale: 4 } }),
      (e: unknown) => e instanceof RpcFailure && /8192×256, over 4096 pixels a side/.test(e.message),
    );
  });

  it('CLI: --hires-scale writes A1111 keys and --parameters regenerates the same bytes; bad flags write nothing', () => {
    const first = path.join(root, 'hires-1.png');
    const again = path.join(root, 'hires-2.png');
    let r = run(['generate', '--model', plainDir, '--prompt', 'a green', '--seed', '5', '--steps', '4', '--width', '64', '--height', '64',
      '--hires-scale', '1.5', '--hires-strength', '0.45', '--hires-steps', '6', '--out', first]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /96×96/);
    const text = infotextOf(new Uint8Array(fs.readFileSync(first)));
    assert.match(text, /Size: 64x64/);
    assert.match(text, /Denoising strength: 0\.45, Hires upscale: 1\.5, Hires steps: 6, Hires upscaler: Lanczos/);
    r = run(['generate', '--model', plainDir, '--parameters', first, '--out', again]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.readFileSync(again).equals(fs.readFileSync(first)), 'same pixels and metadata');

    const bad = path.join(root, 'bad.png');
    for (const [args, pattern] of [
      [['--hires-strength', '0.5'], /--hires-strength needs --hires-scale/],
      [['--hires-scale', '9'], /hires\.scale must be a number from 1 to 4/],
      [['--outpaint', '8,8,8,8'], /--outpaint needs --image/],
    ] as [string[], RegExp][]) {
      r = run(['generate', '--model', plainDir, '--prompt', 'x', '--steps', '2', ...args, '--out', bad]);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.ok(!fs.existsSync(bad), 'nothing written');
    }
  });

  /** An RGBA noise image. */
  async function noiseImage(width: number, height: number): Promise<{ png: Uint8Array; raw: Uint8Array }> {
    const raw = new Uint8Array(width * height * 4);
    let s = 987;
    for (let i = 0; i < raw.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      raw[i] = i % 4 === 3 ? 128 + ((s >>> 24) & 127) : s >>> 24;
    }
    return { png: new Uint8Array(await sharp(Buffer.from(raw), { raw: { width, height, channels: 4 } }).png().toBuffer()), raw };
  }

  for (const [label, options] of [
    ['4-channel UNet', {}],
    ['9-channel inpainting UNet', { unetInChannels: 9 as const }],
  ] as const) {
    it(`outpaint (${label}): original outside the overlap bit-identical, new border in the prompt's colour`, async () => {
      const dir = path.join(root, `outpaint-${label.replace(/\W+/g, '-')}`);
      await writeAnalyticModel(dir, options);
      const { png, raw } = await noiseImage(48, 40);
      const m = { left: 16, top: 8, right: 24, bottom: 0 };
      const overlap = 8;
      const result = await engine.generate({
        task: 'outpaint', model: { dir }, executionProvider: 'cpu', prompt: 'a green', initImage: png, margins: m, overlap,
        steps: 8, guidanceScale: 1, seed: '4', scheduler: 'euler',
      });
      assert.equal(result.width, 88);
      assert.equal(result.height, 48);
      const out = await decodeImage(result.images[0].png);
      assert.equal(out.channels, 4);
      let green = 0;
      let border = 0;
      for (let y = 0; y < out.height; y++) {
        for (let x = 0; x < out.width; x++) {
          const i = (y * out.width + x) * 4;
          const ox = x - m.left;
          const oy = y - m.top;
          if (ox >= 0 && ox < 48 && oy >= 0 && oy < 40) {
            const far = ox >= overlap && oy >= overlap && ox < 48 - overlap; // bottom did not grow
            if (far) assert.deepEqual([...out.data.subarray(i, i + 4)], [...raw.subarray((oy * 48 + ox) * 4, (oy * 48 + ox) * 4 + 4)], `(${x}, ${y}) changed`);
          } else if (x < m.left - 8 || x >= m.left + 48 + 8 || y < m.top - 8) {
            border++; // away from the seam by a latent cell
            if (out.data[i + 1] > 150 && out.data[i] < 80 && out.data[i + 3] === 255) green++;
          }
        }
      }
      assert.ok(border > 0);
      assert.equal(green, border, `new border in the prompt's colour: ${green} of ${border}`);
    });
  }

  it('outpaint canvas: edge-extended fill, mask 255 outside, feathered inside only along grown sides', () => {
    const original = { width: 4, height: 4, channels: 3 as const, data: new Uint8Array(48).fill(200) };
    const canvas = outpaintCanvas(original, { left: 2, top: 0, right: 0, bottom: 0 }, 2);
    assert.equal(canvas.image.width, 6);
    assert.ok(canvas.image.data.every((v) => v === 200), 'a flat image extends flat');
    assert.deepEqual([...canvas.mask.data.subarray(0, 6)], [255, 255, 170, 85, 0, 0]);
    assert.deepEqual([...canvas.mask.data.subarray(18, 24)], [255, 255, 170, 85, 0, 0], 'no feather along sides that did not grow');
  });

  it('outpaint bad inputs: negative margins, nothing to add, a canvas over LIMITS; nothing written', async () => {
    const { png } = await noiseImage(16, 16);
    const base = { task: 'outpaint' as const, model: { dir: plainDir }, executionProvider: 'cpu' as const, prompt: 'x', initImage: png, steps: 2 };
    for (const [margins, pattern] of [
      [{ left: -8, top: 0, right: 0, bottom: 0 }, /margins\.left must be a whole number from 0 to 2048/],
      [{ left: 0, top: 0, right: 0, bottom: 0 }, /needs a margin above 0/],
    ] as const) {
      await assert.rejects(engine.generate({ ...base, margins }), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.InvalidParams && pattern.test(e.message));
    }
    const wide = await sharp({ create: { width: 4000, height: 8, channels: 3, background: '#808080' } }).png().toBuffer();
    await assert.rejects(
      engine.generate({ ...base, initImage: new Uint8Array(wide), margins: { left: 0, top: 0, right: 200, bottom: 0 } }),
      (e: unknown) => e instanceof RpcFailure && /makes 4200×8, over 4096 pixels a side/.test(e.message),
    );
    const image = path.join(root, 'small.png');
    fs.writeFileSync(image, png);
    const out = path.join(root, 'outpaint-bad.png');
    const r = run(['generate', '--model', plainDir, '--prompt', 'x', '--image', image, '--outpaint', '8,-8,0,0', '--out', out]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--outpaint must be LEFT,TOP,RIGHT,BOTTOM/);
    assert.ok(!fs.existsSync(out));
    const ok = run(['generate', '--model', plainDir, '--prompt', 'a red', '--image', image, '--outpaint', '8,0,8,0', '--steps', '3', '--out', out]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /32×16/);
  });
});
