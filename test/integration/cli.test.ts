// The built command-line tool (dist/cli.js), run as a user runs it.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist', 'cli.js');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI (dist/cli.js)', function () {
  this.timeout(120_000);
  let dir: string;
  let modelDir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-cli-'));
    modelDir = path.join(dir, 'model');
    await writeAnalyticModel(modelDir, {});
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('generate writes a PNG with the parameters chunk and prints its path', () => {
    const out = path.join(dir, 'red.png');
    const r = run(['generate', '--model', modelDir, '--prompt', 'a red circle', '--seed', '7', '--steps', '4', '--width', '128', '--height', '64', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /red\.png/);
    const png = new Uint8Array(fs.readFileSync(out));
    const text = readPngTextChunks(png).find((c) => c.keyword === 'parameters')?.text ?? '';
    assert.match(text, /^a red circle\nSteps: 4, Sampler: Euler, CFG scale: 7.5, Seed: 7, Size: 128x64/);
  });

  it('--seed takes 64-bit seeds: written in full into the PNG and --json, the batch wraps like a uint64', () => {
    const out = path.join(dir, 'big-seed.png');
    const r = run(['generate', '--model', modelDir, '--prompt', 'a red circle', '--seed', '18446744073709551615', '--steps', '2', '--width', '64', '--height', '64', '--batch', '2', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { seeds: string[] };
    assert.deepEqual(json.seeds, ['18446744073709551615', '0']);
    const png = new Uint8Array(fs.readFileSync(path.join(dir, 'big-seed-1.png')));
    assert.match(readPngTextChunks(png).find((c) => c.keyword === 'parameters')?.text ?? '', /Seed: 18446744073709551615,/);
  });

  it('--json prints one object with outputs, seed, timings; --batch names FILE-1..N', () => {
    const out = path.join(dir, 'batch.png');
    const r = run(['generate', '--model', modelDir, '--prompt', 'a blue square', '--seed', '10', '--steps', '3', '--width', '64', '--height', '64', '--batch', '2', '--scheduler', 'euler-a', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(json.outputs, [path.join(dir, 'batch-1.png'), path.join(dir, 'batch-2.png')]);
    assert.equal(json.seed, '10', 'seeds are decimal strings in --json');
    assert.deepEqual(json.seeds, ['10', '11']);
    assert.equal(json.width, 64);
    assert.equal(json.steps, 3);
    assert.equal(json.scheduler, 'euler-a');
    assert.equal(json.executionProvider, 'cpu');
    assert.ok(Array.isArray(json.warnings));
    const timings = json.timings as Record<string, number>;
    for (const key of ['loadMs', 'textEncodeMs', 'denoiseMs', 'unetMs', 'previewMs', 'decodeMs', 'totalMs']) {
      assert.equal(typeof timings[key], 'number', key);
    }
    assert.ok(timings.unetMs <= timings.denoiseMs + 1);
    assert.ok(fs.existsSync(path.join(dir, 'batch-1.png')) && fs.existsSync(path.join(dir, 'batch-2.png')));
  });

  it('img2img and inpaint from files', async () => {
    const image = path.join(dir, 'in.png');
    const mask = path.join(dir, 'mask.png');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } }).png().toFile(image);
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
      .composite([{ input: { create: { width: 16, height: 16, channels: 3, background: '#fff' } }, left: 8, top: 8 }])
      .png()
      .toFile(mask);
    const out = path.join(dir, 'inpainted.png');
    const r = run(['generate', '--model', modelDir, '--prompt', 'a yellow', '--image', image, '--mask', mask, '--steps', '3', '--seed', '1', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 64);
    assert.deepEqual([...data.subarray(0, 3)], [0x33, 0x66, 0x99], 'outside the mask: the original');
    const inside = ((16 * 64) + 16) * info.channels;
    assert.ok(data[inside] > 200 && data[inside + 2] < 60, `inside the mask: yellow, got ${[...data.subarray(inside, inside + 3)]}`);
    const out2 = path.join(dir, 'img2img.png');
    const r2 = run(['generate', '--model', modelDir, '--prompt', 'a yellow', '--image', image, '--strength', '0.5', '--steps', '4', '--seed', '1', '--out', out2]);
    assert.equal(r2.status, 0, r2.stderr);
  });

  it('errors: exit 1, one "error:" line on stderr, no output file', () => {
    const cases: [string[], RegExp][] = [
      [['generate', '--model', path.join(dir, 'missing'), '--prompt', 'x', '--out', path.join(dir, 'e1.png')], /^error: Model folder not found/],
      [['generate', '--model', modelDir, '--prompt', 'x', '--width', '100', '--out', path.join(dir, 'e2.png')], /^error: width 100 is not a multiple of 8: use 96 or 104\./],
      [['generate', '--model', modelDir, '--prompt', 'x', '--image', path.join(dir, 'nothing.png'), '--out', path.join(dir, 'e3.png')], /^error: cannot read the image/],
      [['generate', '--model', modelDir, '--prompt', 'x', '--steps', 'many', '--out', path.join(dir, 'e4.png')], /^error: --steps must be a whole number/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(!fs.existsSync(args[args.length - 1]), 'no output file');
    }
  });

  it('info reports what was detected', () => {
    const r = run(['info', '--model', modelDir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { unet: { inChannels: number; timestep: { type: string } }; vae: { scalingFactor: number }; components: { name: string; present: boolean }[] };
    assert.equal(info.unet.inChannels, 4);
    assert.equal(info.unet.timestep.type, 'float32');
    assert.equal(info.vae.scalingFactor, 0.5);
    assert.ok(info.components.some((c) => c.name === 'vae_encoder' && c.present));
    const human = run(['info', '--model', modelDir]);
    assert.equal(human.status, 0);
    assert.match(human.stdout, /unet: 4 input channels/);
  });
});
