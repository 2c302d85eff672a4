import * as assert from 'node:assert/strict';
import type { MaskOp } from '../../src/common/protocol/inpaintEditorProtocol';
import {
  INPAINT_BACKUP_VERSION,
  InpaintBackupError,
  decodeInpaintBackup,
  encodeInpaintBackup,
  type InpaintBackup,
} from '../../src/host/inpaint/inpaintBackup';
import { InpaintEditModel, type InpaintEdit } from '../../src/host/inpaint/inpaintEditModel';
import { decodeMaskRle, encodeMaskRle } from '../../src/common/mask/maskRle';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const W = 64;
const H = 48;

function strokeOp(i: number): MaskOp {
  return {
    kind: 'stroke',
    mode: i % 3 === 0 ? 'erase' : 'paint',
    size: 3 + (i % 7) * 1.25,
    hardness: (i % 5) / 4,
    opacity: 1 - (i % 4) * 0.1,
    points: [i * 0.7, 3.125 + i, 40.5 - i * 0.3, 20.0625 + (i % 9), 10 + i / 3, 44.9],
  };
}

function sampleBackup(): InpaintBackup {
  const mask = new Uint8Array(W * H);
  for (let i = 500; i < 900; i++) mask[i] = 255;
  for (let i = 900; i < 940; i++) mask[i] = (i * 7) & 255;
  const edits: InpaintEdit[] = [
    { kind: 'mask', op: strokeOp(1) },
    { kind: 'mask', op: { kind: 'rect', mode: 'erase', x: 3.5, y: -2, width: 10.25, height: 8, opacity: 0.5 } },
    { kind: 'generation', png: bytes(300, 1), seed: '18446744073709551615', parameters: 'a red fox\nNegative prompt: blurry\nSteps: 20, Seed: 4294967295, Size: 64x48' },
    { kind: 'mask', op: { kind: 'feather', sigma: 2.5 } },
    { kind: 'mask', op: { kind: 'grow', pixels: -3 } },
    { kind: 'mask', op: { kind: 'invert' } },
    { kind: 'generation', png: bytes(200, 2), seed: '7', parameters: 'ünïcödé ✓ "quoted"' },
  ];
  return { width: W, height: H, base: { image: bytes(1000, 3), mask }, edits };
}

describe('maskRle', () => {
  it('round-trips runs, literals and mixed data of any length', () => {
    const cases = [
      new Uint8Array(0),
      Uint8Array.from([7]),
      Uint8Array.from([1, 1]),
      new Uint8Array(1000),
      new Uint8Array(1000).fill(255),
      bytes(1000, 9),
      Uint8Array.from([...new Uint8Array(300), 1, 2, 3, 3, 3, 3, ...bytes(130, 4), ...new Uint8Array(129).fill(200), 5]),
    ];
    for (const c of cases) assert.deepEqual(decodeMaskRle(encodeMaskRle(c), c.length), c);
  });

  it('codes a run as a count and a byte', () => {
    assert.deepEqual([...encodeMaskRle(new Uint8Array(5).fill(9))], [4, 9]);
    assert.deepEqual([...encodeMaskRle(Uint8Array.from([1, 2]))], [0x81, 1, 2]);
    assert.deepEqual([...encodeMaskRle(new Uint8Array(130))], [127, 0, 0x81, 0, 0]);
    assert.equal(encodeMaskRle(new Uint8Array(1 << 20)).length, 2 * 8192);
  });

  it('rejects corrupt or mismatched data', () => {
    assert.throws(() => decodeMaskRle(Uint8Array.from([4, 9]), 4), /Corrupt/);
    assert.throws(() => decodeMaskRle(Uint8Array.from([4, 9]), 6), /Corrupt/);
    assert.throws(() => decodeMaskRle(Uint8Array.from([0x83, 1, 2]), 4), /Corrupt/);
    assert.throws(() => decodeMaskRle(Uint8Array.from([4]), 5), /Corrupt/);
  });
});

describe('inpaintBackup', () => {
  it('round-trips the base image, the mask and every kind of edit exactly', () => {
    const backup = sampleBackup();
    const encoded = encodeInpaintBackup(backup);
    const decoded = decodeInpaintBackup(encoded);
    assert.deepEqual(decoded, backup);
    // Fractional stroke coordinates come back bit-identical (JSON keeps doubles exactly).
    const first = decoded.edits[0]!;
    const expected = strokeOp(1);
    assert.ok(first.kind === 'mask' && first.op.kind === 'stroke' && expected.kind === 'stroke');
    assert.ok(first.op.points.every((v, i) => Object.is(v, expected.points[i])));
  });

  it('restores the same document state: replaying the decoded edits gives the same image and mask', () => {
    const backup = sampleBackup();
    const original = new InpaintEditModel(W, H, backup.base, backup.edits);
    const decoded = decodeInpaintBackup(encodeInpaintBackup(backup));
    const restored = new InpaintEditModel(W, H, decoded.base, decoded.edits);
    assert.deepEqual(restored.mask.data, original.mask.data);
    assert.deepEqual(restored.image, original.image);
    assert.deepEqual([...restored.image], [...bytes(200, 2)]);
  });

  it('round-trips a live model snapshot (saved base + pending edits)', () => {
    const model = new InpaintEditModel(W, H, { image: bytes(500, 5) });
    for (let i = 0; i < 10; i++) model.push({ kind: 'mask', op: strokeOp(i) });
    model.markSaved();
    model.push({ kind: 'generation', png: bytes(100, 6), seed: '1', parameters: 'x' });
    for (let i = 10; i < 15; i++) model.push({ kind: 'mask', op: strokeOp(i) });
    const snap = model.backupSnapshot();
    const decoded = decodeInpaintBackup(encodeInpaintBackup(snap));
    const restored = new InpaintEditModel(W, H, decoded.base, decoded.edits);
    assert.deepEqual(restored.mask.data, model.mask.data);
    assert.deepEqual(restored.image, model.image);
    assert.equal(decoded.edits.length, 6);
  });

  it('stays small: strokes are vectors, not pixels', () => {
    const width = 1024;
    const height = 1024;
    const image = bytes(200_000, 8);
    const edits: InpaintEdit[] = [];
    for (let i = 0; i < 100; i++) edits.push({ kind: 'mask', op: strokeOp(i) });
    const model = new InpaintEditModel(width, height, { image }, edits);
    const snap = model.backupSnapshot();
    const encoded = encodeInpaintBackup(snap);
    // The image plus well under 64 KiB for 100 strokes and a 1 MiB (empty) mask.
    assert.ok(encoded.length < image.length + 64 * 1024, `backup is ${encoded.length} bytes`);
    assert.ok(encoded.length > image.length);
  });

  it('reads a backup from a view into a larger buffer (byteOffset ≠ 0)', () => {
    const encoded = encodeInpaintBackup(sampleBackup());
    const big = new Uint8Array(encoded.length + 37);
    big.set(encoded, 13);
    assert.deepEqual(decodeInpaintBackup(big.subarray(13, 13 + encoded.length)), sampleBackup());
  });

  it('rejects what is not a valid backup, with a clear error', () => {
    const good = encodeInpaintBackup(sampleBackup());
    assert.throws(() => decodeInpaintBackup(new Uint8Array(4)), InpaintBackupError);
    const badMagic = good.slice();
    badMagic[0] = 0;
    assert.throws(() => decodeInpaintBackup(badMagic), /not a Local Diffusion inpaint backup/);
    const badVersion = good.slice();
    new DataView(badVersion.buffer).setUint32(8, INPAINT_BACKUP_VERSION + 1, true);
    assert.throws(() => decodeInpaintBackup(badVersion), /version/);
    assert.throws(() => decodeInpaintBackup(good.subarray(0, good.length - 50)), InpaintBackupError);
    // A header whose mask op is invalid.
    const withBadOp = encodeInpaintBackup({
      ...sampleBackup(),
      edits: [{ kind: 'mask', op: { kind: 'grow', pixels: 0 } }],
    });
    assert.throws(() => decodeInpaintBackup(withBadOp), /edit 0 is not a valid mask operation/);
  });

  /** An expand edit of the W × H base: 8 left, 4 top, 0 right, 12 bottom. */
  const EXPAND: InpaintEdit = {
    kind: 'expand',
    png: bytes(150, 9),
    seed: '42',
    parameters: 'a wider beach',
    from: { width: W, height: H },
    to: { width: W + 8, height: H + 16 },
    offset: { x: 8, y: 4 },
  };

  it('round-trips expand edits (sizes before and after, offset) and the edits after them at the new size', () => {
    const backup: InpaintBackup = {
      ...sampleBackup(),
      edits: [{ kind: 'mask', op: strokeOp(2) }, EXPAND, { kind: 'mask', op: { kind: 'fill' } }],
    };
    const decoded = decodeInpaintBackup(encodeInpaintBackup(backup));
    assert.deepEqual(decoded, backup);
    const model = new InpaintEditModel(decoded.width, decoded.height, decoded.base, decoded.edits);
    assert.deepEqual([model.width, model.height], [W + 8, H + 16]);
    assert.deepEqual(model.image, EXPAND.png);
  });

  it('refuses an expand edit whose size does not follow from the edits before it', () => {
    const twice = encodeInpaintBackup({ ...sampleBackup(), edits: [EXPAND, EXPAND] });
    assert.throws(() => decodeInpaintBackup(twice), /edit 1 cannot expand the canvas: it was made for a 64×48 image, the document is 72×64/);
    const badOffset = encodeInpaintBackup({ ...sampleBackup(), edits: [{ ...EXPAND, offset: { x: 9, y: 4 } } as InpaintEdit] });
    assert.throws(() => decodeInpaintBackup(badOffset), /edit 0 cannot expand the canvas: the old image does not lie inside the new one/);
  });

  it('reads a version 1 backup (written before expand edits), and refuses an expand edit in one', () => {
    // Written as version 1 wrote it, by hand: magic, version, header length, header JSON, blobs (image, mask RLE, PNG).
    const image = bytes(40, 11);
    const mask = new Uint8Array(W * H);
    mask.fill(255, 10, 50);
    const rle = encodeMaskRle(mask);
    const png = bytes(30, 12);
    const header = new TextEncoder().encode(
      JSON.stringify({
        width: W,
        height: H,
        image: { offset: 0, length: image.length },
        mask: { offset: image.length, length: rle.length },
        edits: [
          { kind: 'mask', op: { kind: 'invert' } },
          { kind: 'generation', png: { offset: image.length + rle.length, length: png.length }, seed: 5, parameters: 'old' },
        ],
      }),
    );
    const v1 = new Uint8Array(16 + header.length + image.length + rle.length + png.length);
    v1.set(new TextEncoder().encode('LDINPBAK'));
    new DataView(v1.buffer).setUint32(8, 1, true);
    new DataView(v1.buffer).setUint32(12, header.length, true);
    v1.set(header, 16);
    v1.set(image, 16 + header.length);
    v1.set(rle, 16 + header.length + image.length);
    v1.set(png, 16 + header.length + image.length + rle.length);
    assert.deepEqual(decodeInpaintBackup(v1), {
      width: W,
      height: H,
      base: { image, mask },
      edits: [
        { kind: 'mask', op: { kind: 'invert' } },
        { kind: 'generation', png, seed: '5', parameters: 'old' },
      ],
    });
    const v1Expand = encodeInpaintBackup({ ...sampleBackup(), edits: [EXPAND] });
    new DataView(v1Expand.buffer).setUint32(8, 1, true);
    assert.throws(() => decodeInpaintBackup(v1Expand), /edit 0 has an unknown kind/);
  });

  it('refuses to write a mask of the wrong size', () => {
    assert.throws(() => encodeInpaintBackup({ ...sampleBackup(), width: W + 1 }), RangeError);
  });
});
