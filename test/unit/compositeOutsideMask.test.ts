import * as assert from 'node:assert/strict';
import { compositeOutsideMask } from '../../src/engine/image/compositeOutsideMask';
import type { GrayMask, RasterImage } from '../../src/common/image/imageTypes';

function image(width: number, height: number, channels: 3 | 4, seed: number): RasterImage {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 97 + seed * 31 + 7) & 0xff;
  return { width, height, channels, data };
}

describe('compositeOutsideMask', function () {
  const W = 16;
  const H = 8;
  // left third keep (0), middle soft, right third repaint (1)
  const mask: GrayMask = { width: W, height: H, data: new Float32Array(W * H) };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) mask.data[y * W + x] = x < 5 ? 0 : x >= 11 ? 1 : (x - 4) / 7;

  for (const oc of [3, 4] as const) {
    for (const gc of [3, 4] as const) {
      it(`original ${oc} ch, generated ${gc} ch: exact outside, generated inside, rounded blend between`, function () {
        const original = image(W, H, oc, 1);
        const generated = image(W, H, gc, 2);
        const out = compositeOutsideMask(original, generated, mask);
        assert.equal(out.channels, oc);
        assert.equal(out.width, W);
        assert.equal(out.height, H);
        for (let p = 0; p < W * H; p++) {
          const m = mask.data[p];
          for (let c = 0; c < oc; c++) {
            const o = original.data[p * oc + c];
            const actual = out.data[p * oc + c];
            if (m === 0) {
              assert.equal(actual, o, `pixel ${p} ch ${c} must equal the original byte`);
            } else if (m === 1) {
              assert.equal(actual, c < 3 ? generated.data[p * gc + c] : 255, `pixel ${p} ch ${c}`);
            } else {
              const g = c < 3 ? generated.data[p * gc + c] : 255;
              assert.equal(actual, Math.round(o * (1 - m) + g * m), `pixel ${p} ch ${c} blend`);
            }
          }
        }
      });
    }
  }

  it('keeps a transparent original pixel byte-for-byte under mask 0', function () {
    const original: RasterImage = { width: 2, height: 1, channels: 4, data: Uint8Array.from([12, 34, 56, 0, 200, 100, 50, 7]) };
    const generated: RasterImage = { width: 2, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3, 250, 251, 252]) };
    const out = compositeOutsideMask(original, generated, { width: 2, height: 1, data: Float32Array.from([0, 1]) });
    assert.deepEqual([...out.data], [12, 34, 56, 0, 250, 251, 252, 255]);
    const half = compositeOutsideMask(original, generated, { width: 2, height: 1, data: Float32Array.from([0.5, 0.25]) });
    assert.deepEqual([...half.data], [7, 18, 30, 128, 213, 138, 101, 69]);
  });

  it('rejects mismatched sizes', function () {
    assert.throws(() => compositeOutsideMask(image(4, 4, 3, 1), image(4, 2, 3, 1), { width: 4, height: 4, data: new Float32Array(16) }), /sizes differ/);
  });
});
