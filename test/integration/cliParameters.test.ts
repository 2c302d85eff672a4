// `generate --parameters FILE`: an A1111 infotext regenerates the image, for every sampler (issue: A1111's names
// both ways), and the command line's own options win over the infotext's.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { SAMPLER_NAMES } from '../../src/common/samplers';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist', 'cli.js');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function infotext(file: string): string {
  return readPngTextChunks(new Uint8Array(fs.readFileSync(file))).find((c) => c.keyword === 'parameters')?.text ?? '';
}

describe('CLI generate --parameters (regenerate from an A1111 infotext)', function () {
  this.timeout(600_000);
  let dir: string;
  let modelDir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-cli-params-'));
    modelDir = path.join(dir, 'model');
    await writeAnalyticModel(modelDir, {});
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const concrete = SAMPLER_NAMES;
  for (const sampler of concrete) {
    it(`${sampler}: the image's own infotext regenerates the same bytes`, () => {
      const first = path.join(dir, `${sampler}-1.png`);
      const again = path.join(dir, `${sampler}-2.png`);
      const steps = sampler === 'lcm' ? '4' : '6';
      let r = run(['generate', '--model', modelDir, '--prompt', 'a green square', '--negative', 'red', '--seed', '18446744073709551000',
        '--steps', steps, '--guidance', '3', '--scheduler', sampler, '--width', '64', '--height', '128', '--out', first]);
      assert.equal(r.status, 0, r.stderr);
      r = run(['generate', '--model', modelDir, '--parameters', first, '--out', again]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(infotext(again), infotext(first));
      assert.ok(fs.readFileSync(again).equals(fs.readFileSync(first)), 'same pixels and metadata');
    });
  }

  it('reads a text file with an old combined A1111 name ("DPM++ 2M SDE Karras"); options given win', () => {
    const text = path.join(dir, 'a1111.txt');
    fs.writeFileSync(text, 'a blue circle\nNegative prompt: green\nSteps: 5, Sampler: DPM++ 2M SDE Karras, CFG scale: 4, Seed: 12, Size: 64x64, Model: x\n');
    const out = path.join(dir, 'from-text.png');
    const r = run(['generate', '--model', modelDir, '--parameters', text, '--steps', '3', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const written = infotext(out);
    assert.match(written, /^a blue circle\nNegative prompt: green\nSteps: 3, Sampler: DPM\+\+ 2M SDE, Schedule type: Karras, CFG scale: 4, Seed: 12, Size: 64x64/);
  });

  it('a sampler we cannot run is one error naming the closest supported one; nothing written', () => {
    const text = path.join(dir, 'dpm2.txt');
    fs.writeFileSync(text, 'a cat\nSteps: 5, Sampler: DPM2 a, CFG scale: 4, Seed: 12, Size: 64x64\n');
    const out = path.join(dir, 'never.png');
    const r = run(['generate', '--model', modelDir, '--parameters', text, '--out', out]);
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /DPM2 a/);
    assert.ok(!fs.existsSync(out));
  });

  it('an image without an infotext is one clear error', async () => {
    const plain = path.join(dir, 'plain.png');
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toFile(plain);
    const r = run(['generate', '--model', modelDir, '--parameters', plain, '--out', path.join(dir, 'x.png')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error: --parameters: .*holds no generation parameters/);
  });
});
