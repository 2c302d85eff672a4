// The demo's step previews with the trained sample model (models/tiny-shapes), through the CLI as `npm run demo`
// runs it: `generate --previews FILE.png` writes every step's preview side by side, then the final image. The
// previews go from noise to the scene: the first is far from the final image, later ones closer, and they settle.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeImage } from '../../src/node/image/imageCodec';
import type { RasterImage } from '../../src/common/image/imageTypes';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist', 'cli.js');
const modelDir = path.join(repo, 'models', 'tiny-shapes');
const STEPS = 12;

/** Mean absolute difference per channel value between frame `a` and frame `b` of the strip. */
function frameDistance(strip: RasterImage, size: number, a: number, b: number): number {
  let sum = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        const pa = strip.data[(y * strip.width + a * size + x) * strip.channels + c];
        const pb = strip.data[(y * strip.width + b * size + x) * strip.channels + c];
        sum += Math.abs(pa - pb);
      }
    }
  }
  return sum / (size * size * 3);
}

describe('sample model tiny-shapes: step previews (generate --previews)', function () {
  this.timeout(120_000);
  let dir: string;
  let strip: RasterImage;
  let final: RasterImage;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-previews-'));
    const out = path.join(dir, 'star.png');
    const previews = path.join(dir, 'star-steps.png');
    const r = spawnSync(
      process.execPath,
      [cli, 'generate', '--model', modelDir, '--prompt', 'a big red star in the center on a blue background', '--seed', '1', '--steps', String(STEPS), '--ep', 'cpu', '--out', out, '--previews', previews],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`star-steps\\.png  \\(${STEPS} step previews, then the image\\)`));
    strip = await decodeImage(fs.readFileSync(previews));
    final = await decodeImage(fs.readFileSync(out));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('holds one frame per step, then the final image', () => {
    assert.equal(strip.height, final.height);
    assert.equal(strip.width, final.width * (STEPS + 1));
    assert.equal(frameDistance(strip, final.width, STEPS, STEPS), 0);
    let same = 0;
    for (let y = 0; y < final.height; y++) {
      for (let x = 0; x < final.width; x++) {
        for (let c = 0; c < 3; c++) {
          if (strip.data[(y * strip.width + STEPS * final.width + x) * strip.channels + c] === final.data[(y * final.width + x) * final.channels + c]) same++;
        }
      }
    }
    assert.equal(same, final.width * final.height * 3, 'the last frame is the saved image');
  });

  it('goes from noise to the scene: the previews settle, and approach the final image', () => {
    const size = final.width;
    // The previews are the latent→RGB approximation of a 16×16 latent, so even the last is not the decoded image;
    // the first (mostly noise) is much further from it.
    const toFinal = Array.from({ length: STEPS }, (_, i) => frameDistance(strip, size, i, STEPS));
    assert.ok(toFinal[0] > 2 * toFinal[STEPS - 1], `first preview ${toFinal[0].toFixed(1)} from the image, last ${toFinal[STEPS - 1].toFixed(1)}`);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(toFinal.slice(STEPS / 2)) < mean(toFinal.slice(0, STEPS / 2)), toFinal.map((d) => d.toFixed(1)).join(' '));
    // Early steps change the picture a lot, the last ones hardly.
    const firstChange = frameDistance(strip, size, 0, 1);
    const lastChange = frameDistance(strip, size, STEPS - 2, STEPS - 1);
    assert.ok(lastChange < firstChange / 5, `step-to-step change: first ${firstChange.toFixed(1)}, last ${lastChange.toFixed(1)}`);
  });
});
