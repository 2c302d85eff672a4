import * as assert from 'node:assert/strict';
import { maskFromImage } from '../../src/engine/image/maskFromImage';
import { featherMask, gaussianKernel, reflect101 } from '../../src/engine/image/featherMask';
import { binarizeMask } from '../../src/engine/image/binarizeMask';
import { resizeMaskNearest } from '../../src/engine/image/resizeMaskNearest';
import { maskBoundingBox } from '../../src/engine/image/maskBoundingBox';
import { cropRegionForMask } from '../../src/engine/image/cropRegionForMask';
import type { GrayMask } from '../../src/common/image/imageTypes';

function mask(width: number, height: number, values: number[]): GrayMask {
  return { width, height, data: Float32Array.from(values) };
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

/** cv2.getGaussianKernel(7, 1.0) */
const CV2_KERNEL_SIGMA1 = [0.00443305, 0.05400558, 0.24203623, 0.39905028, 0.24203623, 0.05400558, 0.00443305];

describe('maskFromImage', function () {
  it('uses PIL L luminance, scaled to [0, 1]', function () {
    const m = maskFromImage({ width: 4, height: 1, channels: 3, data: Uint8Array.from([255, 255, 255, 0, 0, 0, 255, 0, 0, 10, 20, 30]) }, 4, 1);
    assertClose(m.data, [1, 0, 299 / 1000, (10 * 299 + 20 * 587 + 30 * 114) / 1000 / 255]);
  });

  it('multiplies by alpha for RGBA masks', function () {
    const m = maskFromImage({ width: 3, height: 1, channels: 4, data: Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 0, 255, 255, 255, 51]) }, 3, 1);
    assertClose(m.data, [1, 0, 0.2]);
  });

  it('refuses a mask of another size', function () {
    assert.throws(() => maskFromImage({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }, 4, 4), /2x2.*4x4.*resize/);
  });
});

describe('featherMask (cv2.GaussianBlur, BORDER_REFLECT_101)', function () {
  it('uses the cv2 kernel size 2·int(2.5σ+0.5)+1 and weights', function () {
    assertClose(gaussianKernel(1), CV2_KERNEL_SIGMA1, 1e-8);
    assert.equal(gaussianKernel(4).length, 21); // A1111 default mask blur 4
    assert.equal(gaussianKernel(0.5).length, 3);
    assert.equal(gaussianKernel(2.3).length, 13);
  });

  it('reflects like OpenCV borderInterpolate', function () {
    assert.deepEqual([-3, -2, -1, 0, 4, 5, 6, 7].map((p) => reflect101(p, 5)), [3, 2, 1, 0, 4, 3, 2, 1]);
    assert.equal(reflect101(-9, 3), 1); // several reflections: -9 → 9 → -5 → 5 → -1 → 1
    assert.equal(reflect101(5, 1), 0);
  });

  it('blurs an impulse into the kernel, separably in x then y', function () {
    const impulse = mask(9, 9, new Array(81).fill(0));
    impulse.data[4 * 9 + 4] = 1;
    const out = featherMask(impulse, 1);
    for (let y = 1; y < 8; y++) {
      for (let x = 1; x < 8; x++) {
        const expected = CV2_KERNEL_SIGMA1[x - 1] * CV2_KERNEL_SIGMA1[y - 1];
        assert.ok(Math.abs(out.data[y * 9 + x] - expected) < 1e-7, `(${x},${y})`);
      }
    }
    assert.equal(out.data[0], 0);
    assert.equal(impulse.data[4 * 9 + 4], 1, 'input untouched');
  });

  it('handles the border with reflect-101', function () {
    const edge = mask(5, 1, [1, 0, 0, 0, 0]);
    assertClose(featherMask(edge, 1).data, [0.39905028, 0.24203623, 0.05400558, 0.00443305, 0]);
    const ones = featherMask(mask(3, 2, [1, 1, 1, 1, 1, 1]), 4);
    assertClose(ones.data, [1, 1, 1, 1, 1, 1]);
  });

  it('sigma 0 returns an equal copy; negative sigma throws', function () {
    const m = mask(2, 1, [0.25, 1]);
    const out = featherMask(m, 0);
    assert.deepEqual(out.data, m.data);
    assert.notEqual(out.data, m.data);
    assert.throws(() => featherMask(m, -1), /sigma/);
  });
});

describe('binarizeMask / resizeMaskNearest / maskBoundingBox', function () {
  it('binarizes at ≥ threshold', function () {
    assert.deepEqual([...binarizeMask(mask(4, 1, [0, 0.4999, 0.5, 0.9])).data], [0, 0, 1, 1]);
    assert.deepEqual([...binarizeMask(mask(3, 1, [0.1, 0.2, 0.3]), 0.2).data], [0, 1, 1]);
  });

  it('resizes like torch nearest: src = floor(dst · in/out)', function () {
    const src = mask(3, 1, [1, 2, 3]);
    assert.deepEqual([...resizeMaskNearest(src, 7, 1).data], [1, 1, 1, 2, 2, 3, 3]); // floor(i·3/7)
    assert.deepEqual([...resizeMaskNearest(src, 6, 1).data], [1, 1, 2, 2, 3, 3]);
    assert.deepEqual([...resizeMaskNearest(mask(8, 1, [0, 1, 2, 3, 4, 5, 6, 7]), 3, 1).data], [0, 2, 5]); // floor(i·8/3)
    const big = mask(64, 64, Array.from({ length: 64 * 64 }, (_, i) => i));
    const small = resizeMaskNearest(big, 8, 8);
    assert.equal(small.data[1 * 8 + 2], 8 * 64 + 16); // row 8, column 16
  });

  it('bounding box of pixels > 0, null when empty', function () {
    const m = mask(5, 4, new Array(20).fill(0));
    assert.equal(maskBoundingBox(m), null);
    m.data[1 * 5 + 3] = 0.01;
    m.data[2 * 5 + 1] = 1;
    assert.deepEqual(maskBoundingBox(m), { x: 1, y: 1, width: 3, height: 2 });
    m.data[3 * 5 + 4] = 1;
    assert.deepEqual(maskBoundingBox(m), { x: 1, y: 1, width: 4, height: 3 });
  });
});

describe('cropRegionForMask (A1111 only masked)', function () {
  it('grows a wide box vertically, centred', function () {
    assert.deepEqual(cropRegionForMask({ x: 200, y: 250, width: 128, height: 32 }, 512, 512, 0, 512, 512), { x: 200, y: 202, width: 128, height: 128 });
  });

  it('grows a tall box horizontally, centred', function () {
    assert.deepEqual(cropRegionForMask({ x: 100, y: 100, width: 20, height: 80 }, 512, 512, 0, 512, 512), { x: 70, y: 100, width: 80, height: 80 });
  });

  it('pads, clamps and shifts a top-left corner box back inside', function () {
    // pad 32 → (0,0)-(42,42); target 2:3 → height 63, shifted down from y = -10
    assert.deepEqual(cropRegionForMask({ x: 0, y: 0, width: 10, height: 10 }, 512, 512, 32, 512, 768), { x: 0, y: 0, width: 42, height: 63 });
  });

  it('shifts a bottom-right corner box back inside', function () {
    // pad 4 → (496,496)-(512,512); target 3:2 → width 24, over the right edge by 4
    assert.deepEqual(cropRegionForMask({ x: 500, y: 500, width: 12, height: 12 }, 512, 512, 4, 768, 512), { x: 488, y: 496, width: 24, height: 16 });
  });

  it('clamps to the whole image when the mask covers everything or growth exceeds the image', function () {
    assert.deepEqual(cropRegionForMask({ x: 0, y: 0, width: 512, height: 512 }, 512, 512, 32, 512, 768), { x: 0, y: 0, width: 512, height: 512 });
    assert.deepEqual(cropRegionForMask({ x: 0, y: 100, width: 512, height: 10 }, 512, 512, 0, 512, 512), { x: 0, y: 0, width: 512, height: 512 });
  });
});
