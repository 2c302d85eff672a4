import * as assert from 'node:assert/strict';
import { maskFromImage, toGrayMask } from '../../src/engine/image/maskFromImage';
import { featherMask, gaussianKernel, reflect101 } from '../../src/common/mask/maskFilters';
import { maskBounds, type Mask } from '../../src/common/mask/maskRect';
import { binarizeMask } from '../../src/engine/image/binarizeMask';
import { resizeMaskNearest } from '../../src/engine/image/resizeMaskNearest';
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
  it('uses PIL L luminance (Convert.c L24, rounded) as an 8-bit mask', function () {
    const m = maskFromImage({ width: 4, height: 1, channels: 3, data: Uint8Array.from([255, 255, 255, 0, 0, 0, 255, 0, 0, 10, 20, 30]) }, 4, 1);
    // PIL: Image.new('RGB', ...).convert('L') gives 255, 0, 76, 18 for these pixels.
    assert.deepEqual([...m.data], [255, 0, 76, 18]);
    assertClose(toGrayMask(m).data, [1, 0, 76 / 255, 18 / 255]);
  });

  it('multiplies by alpha for RGBA masks', function () {
    const m = maskFromImage({ width: 3, height: 1, channels: 4, data: Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 0, 255, 255, 255, 51]) }, 3, 1);
    assert.deepEqual([...m.data], [255, 0, 51]);
  });

  it('refuses a mask of another size', function () {
    assert.throws(() => maskFromImage({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }, 4, 4), /2x2.*4x4.*resize/);
  });
});

function mask8(width: number, height: number, values: number[]): Mask {
  return { width, height, data: Uint8Array.from(values) };
}

describe('featherMask, the one feather (cv2.GaussianBlur on the 8-bit mask, BORDER_REFLECT_101)', function () {
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

  it('blurs an impulse into the kernel, separably in x then y, rounded to 8 bits', function () {
    const impulse = mask8(9, 9, new Array(81).fill(0));
    impulse.data[4 * 9 + 4] = 255;
    featherMask(impulse, 1);
    for (let y = 1; y < 8; y++) {
      for (let x = 1; x < 8; x++) {
        const expected = Math.round(255 * CV2_KERNEL_SIGMA1[x - 1]! * CV2_KERNEL_SIGMA1[y - 1]!);
        assert.equal(impulse.data[y * 9 + x], expected, `(${x},${y})`);
      }
    }
    assert.equal(impulse.data[0], 0);
  });

  it('handles the border with reflect-101', function () {
    const edge = mask8(5, 1, [255, 0, 0, 0, 0]);
    featherMask(edge, 1);
    // Reflect-101 at x = 0 mirrors x = 1 (0), not x = 0: the border pixel keeps k(0) of its value.
    assert.deepEqual([...edge.data], [0.39905028, 0.24203623, 0.05400558, 0.00443305, 0].map((k) => Math.round(255 * k)));
    const ones = mask8(3, 2, [255, 255, 255, 255, 255, 255]);
    featherMask(ones, 4);
    assert.deepEqual([...ones.data], [255, 255, 255, 255, 255, 255]);
  });

  it('sigma 0 changes nothing; negative sigma throws', function () {
    const m = mask8(2, 1, [64, 255]);
    assert.deepEqual(featherMask(m, 0), { x: 0, y: 0, width: 0, height: 0 });
    assert.deepEqual([...m.data], [64, 255]);
    assert.throws(() => featherMask(m, -1), /sigma/);
  });
});

describe('binarizeMask / resizeMaskNearest / maskBounds', function () {
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

  it('bounding box of pixels > 0 of a float mask, empty when none', function () {
    const m = mask(5, 4, new Array(20).fill(0));
    assert.deepEqual(maskBounds(m), { x: 0, y: 0, width: 0, height: 0 });
    m.data[1 * 5 + 3] = 0.01;
    m.data[2 * 5 + 1] = 1;
    assert.deepEqual(maskBounds(m), { x: 1, y: 1, width: 3, height: 2 });
    m.data[3 * 5 + 4] = 1;
    assert.deepEqual(maskBounds(m), { x: 1, y: 1, width: 4, height: 3 });
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
