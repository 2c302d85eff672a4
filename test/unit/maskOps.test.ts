import * as assert from 'node:assert/strict';
import type { MaskOp } from '../../src/common/protocol/inpaintEditorProtocol';
import { discChord, featherHalfWidth, featherMask, gaussianKernel, growMask, reflect101 } from '../../src/common/mask/maskFilters';
import {
  applyMaskOp,
  brushCoverage,
  brushExtent,
  brushValue,
  fillRect,
  maskOpBounds,
  stampSegment,
  stampStroke,
  strokeBounds,
} from '../../src/common/mask/maskOps';
import {
  createMask,
  edgeBounds,
  isMaskEmpty,
  maskBounds,
  maskRegionHash,
  readMaskRegion,
  writeMaskRegion,
  type Mask,
} from '../../src/common/mask/maskRect';

/** Deterministic pseudo-random numbers (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function maskFrom(width: number, height: number, values: number[]): Mask {
  assert.equal(values.length, width * height);
  return { width, height, data: Uint8Array.from(values) };
}

function rows(mask: Mask): number[][] {
  const out: number[][] = [];
  for (let y = 0; y < mask.height; y++) out.push([...mask.data.subarray(y * mask.width, (y + 1) * mask.width)]);
  return out;
}

/** Distance from (px, py) to the segment a→b, computed independently of maskOps. */
function distToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

describe('maskOps: brush falloff', () => {
  it('puts the falloff between radius·hardness and the radius', () => {
    assert.deepEqual(brushExtent(10, 0.5), { inner: 2.5, outer: 5 });
    assert.deepEqual(brushExtent(10, 0), { inner: 0, outer: 5 });
  });

  it('turns a band narrower than a pixel into a one-pixel anti-aliased rim', () => {
    assert.deepEqual(brushExtent(10, 1), { inner: 4.5, outer: 5.5 });
    assert.deepEqual(brushExtent(1, 1), { inner: 0, outer: 1 });
  });

  it('is 1 inside, 0 outside, and a smoothstep between', () => {
    const e = { inner: 2, outer: 4 };
    assert.equal(brushCoverage(0, e), 1);
    assert.equal(brushCoverage(2, e), 1);
    assert.equal(brushCoverage(3, e), 0.5);
    assert.equal(brushCoverage(4, e), 0);
    assert.equal(brushCoverage(2.5, e), 1 - 0.25 * 0.25 * (3 - 0.5));
    assert.equal(brushValue(3, e, 1), 128); // round(127.5)
    assert.equal(brushValue(0, e, 0.5), 128);
    assert.equal(brushValue(0, e, 0.2), 51);
  });
});

describe('maskOps: stamping', () => {
  it('stamps a hard dab pixel by pixel', () => {
    const mask = createMask(9, 9);
    // size 4, hardness 1 → inner 1.5, outer 2.5 around the centre of pixel (4, 4).
    stampSegment(mask, 4.5, 4.5, 4.5, 4.5, 'paint', { size: 4, hardness: 1, opacity: 1 });
    const c = Math.round(255 * brushCoverageRaw(Math.hypot(2, 1), 1.5, 2.5));
    assert.equal(c, 44); // d = √5 ≈ 2.236 → t ≈ 0.736 → coverage ≈ 0.172
    const expected = [
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 44, 128, 44, 0, 0, 0],
      [0, 0, 44, 255, 255, 255, 44, 0, 0],
      [0, 0, 128, 255, 255, 255, 128, 0, 0],
      [0, 0, 44, 255, 255, 255, 44, 0, 0],
      [0, 0, 0, 44, 128, 44, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
    ];
    assert.deepEqual(rows(mask), expected);
  });

  it('matches an independent distance-to-segment reference on every pixel of a stroke', () => {
    const w = 40;
    const h = 30;
    const points = [3.2, 4.7, 20.1, 9.9, 35.5, 26.25, 12, 27];
    const shape = { size: 7.5, hardness: 0.3, opacity: 0.8 };
    const mask = createMask(w, h);
    stampStroke(mask, points, 'paint', shape);
    const { inner, outer } = brushExtent(shape.size, shape.hardness);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let d = Infinity;
        for (let i = 0; i + 3 < points.length; i += 2) {
          d = Math.min(d, distToSegment(x + 0.5, y + 0.5, points[i]!, points[i + 1]!, points[i + 2]!, points[i + 3]!));
        }
        const expected = Math.round(255 * shape.opacity * brushCoverageRaw(d, inner, outer));
        const actual = mask.data[y * w + x]!;
        // Math.hypot vs sqrt of the squared sum may differ in the last ulp: allow ±1 only at a rounding edge.
        assert.ok(Math.abs(actual - expected) <= 1, `pixel (${x}, ${y}): ${actual} vs ${expected}`);
      }
    }
    assert.ok(mask.data.some((v) => v === Math.round(255 * 0.8)), 'the stroke reaches its opacity');
    assert.equal(Math.max(...mask.data), 204);
  });

  it('gives the same bytes whether a stroke is stamped live (segment by segment, first dab included) or at once', () => {
    const r = rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const w = 50;
      const h = 40;
      const points: number[] = [];
      for (let i = 0; i < 2 + Math.floor(r() * 8); i++) points.push(r() * 60 - 5, r() * 50 - 5);
      const shape = { size: 1 + r() * 15, hardness: r(), opacity: 0.2 + r() * 0.8 };
      const mode = r() < 0.5 ? 'paint' : 'erase';
      const start = new Uint8Array(w * h).map(() => (r() < 0.5 ? 0 : Math.floor(r() * 256)));
      const once: Mask = { width: w, height: h, data: start.slice() };
      stampStroke(once, points, mode, shape);
      const live: Mask = { width: w, height: h, data: start.slice() };
      stampSegment(live, points[0]!, points[1]!, points[0]!, points[1]!, mode, shape);
      for (let i = 0; i + 3 < points.length; i += 2) {
        stampSegment(live, points[i]!, points[i + 1]!, points[i + 2]!, points[i + 3]!, mode, shape);
      }
      assert.deepEqual(live.data, once.data, `trial ${trial}`);
    }
  });

  it('paints by max and erases by min with 255 − value', () => {
    const mask = maskFrom(5, 1, [200, 200, 200, 200, 200]);
    stampSegment(mask, 2.5, 0.5, 2.5, 0.5, 'paint', { size: 4, hardness: 0, opacity: 1 });
    // size 4 hardness 0 → inner 0, outer 2: d = 0, 1, 2 → 255, 128, 0.
    assert.deepEqual([...mask.data], [200, 200, 255, 200, 200]);
    const erase = maskFrom(5, 1, [255, 255, 255, 255, 255]);
    stampSegment(erase, 2.5, 0.5, 2.5, 0.5, 'erase', { size: 4, hardness: 0, opacity: 1 });
    assert.deepEqual([...erase.data], [255, 127, 0, 127, 255]);
    const half = maskFrom(5, 1, [255, 255, 255, 255, 10]);
    stampSegment(half, 2.5, 0.5, 2.5, 0.5, 'erase', { size: 4, hardness: 0, opacity: 0.5 });
    // 0.5 opacity: 128 at the centre, round(255·0.5·0.5) = 64 one pixel away.
    assert.deepEqual([...half.data], [255, 191, 127, 191, 10]);
  });

  it('clips strokes that leave the image and bounds what they touch', () => {
    const mask = createMask(10, 10);
    const rect = stampStroke(mask, [-20, 5, 30, 5], 'paint', { size: 2, hardness: 1, opacity: 1 });
    assert.deepEqual(rect, { x: 0, y: 3, width: 10, height: 4 });
    assert.deepEqual([...readMaskRegion(mask, { x: 0, y: 3, width: 10, height: 4 })].slice(0, 10), new Array(10).fill(0));
    for (let x = 0; x < 10; x++) {
      assert.equal(mask.data[4 * 10 + x], 255);
      assert.equal(mask.data[5 * 10 + x], 255);
      assert.equal(mask.data[6 * 10 + x], 0);
    }
    assert.deepEqual(strokeBounds(mask, [100, 100], { size: 4, hardness: 1, opacity: 1 }), { x: 0, y: 0, width: 0, height: 0 });
  });
});

describe('maskOps: rectangles and whole-mask ops', () => {
  it('fills the pixels whose centres lie in the rectangle', () => {
    const mask = createMask(5, 4);
    const rect = fillRect(mask, 1.2, 0.5, 2, 2, 'paint', 1);
    assert.deepEqual(rect, { x: 1, y: 0, width: 2, height: 2 });
    assert.deepEqual(rows(mask), [
      [0, 255, 255, 0, 0],
      [0, 255, 255, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
    fillRect(mask, 2, 0, 3, 4, 'erase', 0.5);
    assert.deepEqual(rows(mask), [
      [0, 255, 127, 0, 0],
      [0, 255, 127, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('inverts, clears and fills', () => {
    const mask = maskFrom(3, 1, [0, 100, 255]);
    applyMaskOp(mask, { kind: 'invert' });
    assert.deepEqual([...mask.data], [255, 155, 0]);
    applyMaskOp(mask, { kind: 'fill' });
    assert.deepEqual([...mask.data], [255, 255, 255]);
    applyMaskOp(mask, { kind: 'clear' });
    assert.deepEqual([...mask.data], [0, 0, 0]);
    assert.ok(isMaskEmpty(mask));
  });
});

/** Naive grey-level dilation/erosion by the integer disc, pixels outside ignored. */
function naiveMorph(mask: Mask, radius: number, grow: boolean): Uint8Array {
  const out = new Uint8Array(mask.data.length);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      let v = grow ? 0 : 255;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          if (dx * dx + dy * dy > radius * radius) continue;
          const sx = x + dx;
          const sy = y + dy;
          if (sx < 0 || sy < 0 || sx >= mask.width || sy >= mask.height) continue;
          const s = mask.data[sy * mask.width + sx]!;
          v = grow ? Math.max(v, s) : Math.min(v, s);
        }
      }
      out[y * mask.width + x] = v;
    }
  }
  return out;
}

describe('maskFilters: grow and shrink', () => {
  it('knows the disc chords', () => {
    assert.deepEqual([0, 1, 2, 3].map((dy) => discChord(3, dy)), [3, 2, 2, 0]);
    assert.equal(discChord(5, 3), 4);
    assert.equal(discChord(5, 6), -1);
  });

  it('grows a single pixel into the radius-2 disc', () => {
    const mask = createMask(7, 7);
    mask.data[3 * 7 + 3] = 200;
    growMask(mask, 2);
    assert.deepEqual(rows(mask), [
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 200, 0, 0, 0],
      [0, 0, 200, 200, 200, 0, 0],
      [0, 200, 200, 200, 200, 200, 0],
      [0, 0, 200, 200, 200, 0, 0],
      [0, 0, 0, 200, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
    ]);
  });

  it('shrinks a square by the radius-1 cross, and leaves a full mask full (the border does not erode)', () => {
    const mask = createMask(7, 7);
    for (let y = 1; y < 6; y++) for (let x = 1; x < 6; x++) mask.data[y * 7 + x] = 255;
    growMask(mask, -1);
    const expected = createMask(7, 7);
    for (let y = 2; y < 5; y++) for (let x = 2; x < 5; x++) expected.data[y * 7 + x] = 255;
    assert.deepEqual(mask.data, expected.data);
    const full = createMask(6, 4);
    full.data.fill(255);
    assert.deepEqual(growMask(full, -3), { x: 0, y: 0, width: 0, height: 0 });
    assert.ok(full.data.every((v) => v === 255));
  });

  it('equals a naive disc dilation/erosion on every pixel of random grey masks', () => {
    const r = rng(11);
    for (let trial = 0; trial < 12; trial++) {
      const w = 15 + Math.floor(r() * 20);
      const h = 10 + Math.floor(r() * 20);
      const mask = createMask(w, h);
      // Sparse blobs of grey, so the edge box is smaller than the image in some trials.
      for (let k = 0; k < 3; k++) {
        const cx = Math.floor(r() * w);
        const cy = Math.floor(r() * h);
        for (let y = cy; y < Math.min(h, cy + 4); y++) for (let x = cx; x < Math.min(w, cx + 5); x++) mask.data[y * w + x] = Math.floor(r() * 256);
      }
      const radius = 1 + Math.floor(r() * 6);
      for (const grow of [true, false]) {
        const copy: Mask = { width: w, height: h, data: mask.data.slice() };
        const expected = naiveMorph(copy, radius, grow);
        const bounds = maskOpBounds(copy, { kind: 'grow', pixels: grow ? radius : -radius });
        const rect = growMask(copy, grow ? radius : -radius);
        assert.deepEqual(rect, bounds);
        assert.deepEqual(copy.data, expected, `trial ${trial} radius ${radius} ${grow ? 'grow' : 'shrink'}`);
      }
    }
  });
});

/** Naive full-image separable blur with the same arithmetic (float32 intermediate, reflect-101 borders). */
function naiveFeather(mask: Mask, sigma: number): Uint8Array {
  const half = featherHalfWidth(sigma);
  const k = gaussianKernel(sigma);
  const { width, height, data } = mask;
  const tmp = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let i = -half; i <= half; i++) acc += k[i + half]! * data[y * width + reflect101(x + i, width)]!;
      tmp[y * width + x] = acc;
    }
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let i = -half; i <= half; i++) acc += k[i + half]! * tmp[reflect101(y + i, height) * width + x]!;
      out[y * width + x] = Math.min(255, Math.max(0, Math.round(acc)));
    }
  }
  return out;
}

describe('maskFilters: feather', () => {
  it('uses A1111 mask blur kernel sizes and a normalized, symmetric Gaussian', () => {
    assert.equal(featherHalfWidth(4), 10);
    assert.equal(featherHalfWidth(1), 3);
    assert.equal(featherHalfWidth(0.1), 0);
    const k = gaussianKernel(2);
    assert.equal(k.length, 11);
    assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    for (let i = 0; i < 5; i++) assert.equal(k[i], k[10 - i]);
    assert.ok(Math.abs(k[5]! / k[6]! - Math.exp(1 / 8)) < 1e-12);
  });

  it('blurs a step edge symmetrically and keeps a solid mask solid at the border', () => {
    const mask = createMask(20, 3);
    for (let y = 0; y < 3; y++) for (let x = 10; x < 20; x++) mask.data[y * 20 + x] = 255;
    featherMask(mask, 2);
    const row = [...mask.data.subarray(20, 40)];
    for (let x = 0; x < 10; x++) assert.equal(row[x]! + row[19 - x]!, 255, `symmetric at ${x}`);
    for (let x = 1; x < 20; x++) assert.ok(row[x]! >= row[x - 1]!, 'monotonic');
    assert.equal(row[0], 0);
    assert.equal(row[19], 255);
    assert.ok(row[9]! > 64 && row[9]! < 128, `edge pixel ${row[9]}`);
    const full = createMask(8, 8);
    full.data.fill(255);
    featherMask(full, 3);
    assert.ok(full.data.every((v) => v === 255));
  });

  it('equals a full-image blur on every pixel although it only computes the edge box', () => {
    const r = rng(5);
    for (let trial = 0; trial < 8; trial++) {
      const w = 40 + Math.floor(r() * 20);
      const h = 30 + Math.floor(r() * 20);
      const mask = createMask(w, h);
      const x0 = Math.floor(r() * (w - 8));
      const y0 = Math.floor(r() * (h - 8));
      fillRect(mask, x0, y0, 4 + r() * 6, 4 + r() * 6, 'paint', 0.4 + r() * 0.6);
      const sigma = 0.5 + r() * 3;
      const expected = naiveFeather(mask, sigma);
      const bounds = maskOpBounds(mask, { kind: 'feather', sigma });
      const rect = featherMask(mask, sigma);
      assert.deepEqual(rect, bounds);
      assert.deepEqual(mask.data, expected, `trial ${trial} sigma ${sigma}`);
    }
  });
});

describe('maskOps: bounds, regions and hashes', () => {
  it('changes no pixel outside maskOpBounds, and returns that rectangle', () => {
    const ops: MaskOp[] = [
      { kind: 'stroke', mode: 'paint', size: 9, hardness: 0.2, opacity: 1, points: [5, 5, 30.5, 12.25] },
      { kind: 'rect', mode: 'paint', x: 20.3, y: 3.7, width: 9.1, height: 14.4, opacity: 0.7 },
      { kind: 'stroke', mode: 'erase', size: 5, hardness: 1, opacity: 1, points: [25, 10] },
      { kind: 'grow', pixels: 3 },
      { kind: 'feather', sigma: 1.5 },
      { kind: 'grow', pixels: -2 },
      { kind: 'invert' },
      { kind: 'feather', sigma: 2 },
    ];
    const mask = createMask(48, 32);
    for (const op of ops) {
      const before = mask.data.slice();
      const bounds = maskOpBounds(mask, op);
      const rect = applyMaskOp(mask, op);
      assert.deepEqual(rect, bounds, op.kind);
      for (let y = 0; y < mask.height; y++) {
        for (let x = 0; x < mask.width; x++) {
          const inside = x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
          if (!inside) assert.equal(mask.data[y * 48 + x], before[y * 48 + x], `${op.kind} changed (${x}, ${y}) outside its bounds`);
        }
      }
    }
  });

  it('reads and writes regions and finds bounding boxes', () => {
    const mask = createMask(6, 5);
    writeMaskRegion(mask, { x: 2, y: 1, width: 3, height: 2 }, Uint8Array.from([1, 2, 3, 4, 5, 6]));
    assert.deepEqual([...readMaskRegion(mask, { x: 1, y: 1, width: 4, height: 2 })], [0, 1, 2, 3, 0, 4, 5, 6]);
    assert.deepEqual(maskBounds(mask), { x: 2, y: 1, width: 3, height: 2 });
    assert.deepEqual(edgeBounds(mask), { x: 1, y: 0, width: 5, height: 4 });
    assert.throws(() => writeMaskRegion(mask, { x: 5, y: 0, width: 2, height: 1 }, new Uint8Array(2)), RangeError);
  });

  it('hashes with FNV-1a', () => {
    const mask = maskFrom(3, 1, [0x61, 0x62, 0x63]);
    assert.equal(maskRegionHash(mask, { x: 0, y: 0, width: 0, height: 0 }), 0x811c9dc5);
    assert.equal(maskRegionHash(mask, { x: 0, y: 0, width: 1, height: 1 }), 0xe40c292c); // FNV-1a("a")
    assert.equal(maskRegionHash(mask, { x: 0, y: 0, width: 3, height: 1 }), 0x1a47e90b); // FNV-1a("abc")
  });
});

function brushCoverageRaw(d: number, inner: number, outer: number): number {
  if (d <= inner) return 1;
  if (d >= outer) return 0;
  const t = (d - inner) / (outer - inner);
  return 1 - t * t * (3 - 2 * t);
}

describe('isMaskEdge (the Outline mask style)', () => {
  it('marks masked pixels next to unmasked ones or the border, not the inside or the outside', async () => {
    const { isMaskEdge } = await import('../../src/common/mask/maskEdge');
    const { createMask } = await import('../../src/common/mask/maskRect');
    const mask = createMask(5, 5);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) mask.data[y * 5 + x] = 255;
    assert.equal(isMaskEdge(mask, 2, 2), false, 'inside');
    assert.equal(isMaskEdge(mask, 1, 2), true, 'edge');
    assert.equal(isMaskEdge(mask, 0, 0), false, 'outside');
    mask.data[0] = 255;
    assert.equal(isMaskEdge(mask, 0, 0), true, 'on the border');
  });
});
