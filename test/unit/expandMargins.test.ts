import * as assert from 'node:assert/strict';
import { LIMITS } from '../../src/common/limits';
import { ZERO_MARGINS, expandProblem, expandedSize, isZeroMargins, snapMargin } from '../../src/common/outpaint/expandMargins';
import { dragFrameHandle, frameHandleAt, handleSides } from '../../src/common/outpaint/frameHandle';
import { expandMask } from '../../src/common/mask/expandMask';
import { createMask } from '../../src/common/mask/maskRect';

describe('Expand canvas margins', () => {
  it('snaps a dragged margin to the size multiple, within 0 … the margin limit', () => {
    assert.equal(snapMargin(11, 8), 8);
    assert.equal(snapMargin(12, 8), 16);
    assert.equal(snapMargin(-30, 8), 0);
    assert.equal(snapMargin(13, 1), 13);
    assert.equal(snapMargin(37.6, 64), 64);
    assert.equal(snapMargin(1e9, 8), LIMITS.outpaintMargin.max);
    // A multiple that does not divide the limit stops at its largest multiple under it.
    assert.equal(snapMargin(1e9, 3), Math.floor(LIMITS.outpaintMargin.max / 3) * 3);
    assert.equal(snapMargin(Number.NaN, 8), 0);
    assert.equal(snapMargin(20, 0), 20, 'a multiple below 1 does not snap');
  });

  it('says what is wrong before anything runs: all zero, out of range, too large', () => {
    assert.match(expandProblem(64, 64, ZERO_MARGINS)!, /drag the frame outward, or type a margin above 0/);
    assert.match(expandProblem(64, 64, { left: -8, top: 0, right: 0, bottom: 0 })!, /Left margin must be a whole number from 0 to 2048/);
    assert.match(expandProblem(64, 64, { left: 0, top: 1.5, right: 0, bottom: 0 })!, /Top margin/);
    assert.match(expandProblem(64, 64, { left: 0, top: 0, right: 0, bottom: 4096 })!, /Bottom margin/);
    assert.equal(
      expandProblem(3000, 64, { left: 600, top: 0, right: 600, bottom: 0 }),
      'Expanding 3000×64 by these margins makes 4200×64, over 4096 pixels a side: use smaller margins.',
    );
    assert.equal(expandProblem(3000, 64, { left: 548, top: 0, right: 548, bottom: 0 }), undefined, '4096 is allowed');
    assert.equal(expandProblem(64, 64, { left: 8, top: 0, right: 0, bottom: 0 }), undefined);
  });

  it('computes the expanded size', () => {
    assert.deepEqual(expandedSize(48, 40, { left: 16, top: 8, right: 24, bottom: 0 }), { width: 88, height: 48 });
    assert.ok(isZeroMargins({ left: 0, top: 0, right: 0, bottom: 0 }));
    assert.ok(!isZeroMargins({ left: 0, top: 0, right: 0, bottom: 1 }));
  });
});

describe('Expand canvas frame handles', () => {
  const m = { left: 16, top: 8, right: 0, bottom: 32 };
  // The frame spans x ∈ [−16, 64], y ∈ [−8, 96] around a 64 × 64 image.
  it('finds the edge or corner under a point (corners win), nothing inside or far away', () => {
    assert.equal(frameHandleAt(-16, 30, 64, 64, m, 2), 'left');
    assert.equal(frameHandleAt(65, 30, 64, 64, m, 2), 'right');
    assert.equal(frameHandleAt(20, -9, 64, 64, m, 2), 'top');
    assert.equal(frameHandleAt(20, 97, 64, 64, m, 2), 'bottom');
    assert.equal(frameHandleAt(-15, -7, 64, 64, m, 2), 'topLeft');
    assert.equal(frameHandleAt(64, -8, 64, 64, m, 2), 'topRight');
    assert.equal(frameHandleAt(-17, 95, 64, 64, m, 2), 'bottomLeft');
    assert.equal(frameHandleAt(63, 96, 64, 64, m, 2), 'bottomRight');
    assert.equal(frameHandleAt(30, 30, 64, 64, m, 2), undefined);
    assert.equal(frameHandleAt(-30, 30, 64, 64, m, 2), undefined);
    assert.equal(frameHandleAt(30, 120, 64, 64, m, 2), undefined);
  });

  it('moves only the sides of the dragged handle, outward grows, inward shrinks to 0, snapped', () => {
    assert.deepEqual(dragFrameHandle(m, 'left', -21, 50, 8), { ...m, left: 40 }, '16 + 21 = 37 → 40');
    assert.deepEqual(dragFrameHandle(m, 'right', 13, 0, 8), { ...m, right: 16 });
    assert.deepEqual(dragFrameHandle(m, 'top', 0, 100, 8), { ...m, top: 0 }, 'never into the image');
    assert.deepEqual(dragFrameHandle(m, 'bottom', 0, -3, 8), { ...m, bottom: 32 }, '29 snaps back to 32');
    assert.deepEqual(dragFrameHandle(m, 'topRight', 9, -9, 8), { ...m, top: 16, right: 8 });
    assert.deepEqual(dragFrameHandle(m, 'bottomLeft', 4, 4, 1), { ...m, left: 12, bottom: 36 });
    assert.deepEqual(handleSides('bottomRight'), { x: 'right', y: 'bottom' });
  });
});

describe('expandMask', () => {
  it('puts the old mask at the offset and leaves the new area unmasked', () => {
    const mask = createMask(3, 2);
    mask.data.set([1, 2, 3, 4, 5, 6]);
    const out = expandMask(mask, 5, 4, { x: 1, y: 2 });
    assert.deepEqual([...out.data], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0]);
    assert.throws(() => expandMask(mask, 3, 2, { x: 1, y: 0 }), RangeError);
    assert.throws(() => expandMask(mask, 5, 4, { x: -1, y: 0 }), RangeError);
  });
});
