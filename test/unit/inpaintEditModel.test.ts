import * as assert from 'node:assert/strict';
import type { MaskOp } from '../../src/common/protocol/inpaintEditorProtocol';
import { InpaintEditModel, type ExpandEdit, type GenerationEdit, type InpaintEdit } from '../../src/host/inpaint/inpaintEditModel';
import { applyMaskOp } from '../../src/common/mask/maskOps';
import { createMask } from '../../src/common/mask/maskRect';

const W = 32;
const H = 24;
const BASE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

function gen(tag: number): GenerationEdit {
  return { kind: 'generation', png: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, tag, tag + 1]), seed: String(1000 + tag), parameters: `p${tag}` };
}

function maskEdit(op: MaskOp): InpaintEdit {
  return { kind: 'mask', op };
}

const STROKE: MaskOp = { kind: 'stroke', mode: 'paint', size: 6, hardness: 0.5, opacity: 1, points: [2, 3, 20.5, 15.25] };
const RECT: MaskOp = { kind: 'rect', mode: 'paint', x: 10, y: 2, width: 12, height: 6, opacity: 0.6 };
const ERASE: MaskOp = { kind: 'stroke', mode: 'erase', size: 4, hardness: 1, opacity: 1, points: [12, 5, 12, 14] };
const FEATHER: MaskOp = { kind: 'feather', sigma: 1.5 };
const SHRINK: MaskOp = { kind: 'grow', pixels: -1 };

/** The mask obtained by applying ops to an empty mask, independently of the model. */
function replay(ops: MaskOp[]): Uint8Array {
  const mask = createMask(W, H);
  for (const op of ops) applyMaskOp(mask, op);
  return mask.data;
}

describe('InpaintEditModel', () => {
  it('starts clean, with the base image and an empty mask', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    assert.equal(model.image, BASE);
    assert.ok(model.imageIsBase);
    assert.equal(model.mask.data.length, W * H);
    assert.ok(model.mask.data.every((v) => v === 0));
    assert.equal(model.isDirty, false);
    assert.equal(model.canUndo, false);
    assert.equal(model.canRedo, false);
    assert.equal(model.undo(), undefined);
    assert.equal(model.redo(), undefined);
  });

  it('applies mask edits and undoes/redoes them to the exact bytes', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    const ops = [STROKE, RECT, ERASE, FEATHER, SHRINK];
    const after: Uint8Array[] = [model.mask.data.slice()];
    for (const op of ops) {
      const change = model.push(maskEdit(op));
      assert.equal(change.kind, 'mask');
      after.push(model.mask.data.slice());
    }
    assert.deepEqual(model.mask.data, replay(ops));
    for (let i = ops.length; i > 0; i--) {
      const change = model.undo();
      assert.equal(change?.kind, 'mask');
      assert.deepEqual(model.mask.data, after[i - 1], `after undoing edit ${i}`);
    }
    for (let i = 1; i <= ops.length; i++) {
      model.redo();
      assert.deepEqual(model.mask.data, after[i], `after redoing edit ${i}`);
    }
  });

  it('reports the rectangle each mask change touched', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    const change = model.push(maskEdit(RECT));
    assert.deepEqual(change.kind === 'mask' && change.rect, { x: 10, y: 2, width: 12, height: 6 });
    const undo = model.undo();
    assert.deepEqual(undo?.kind === 'mask' && undo.rect, { x: 10, y: 2, width: 12, height: 6 });
  });

  it('makes a chosen generation the image byte for byte, and undo gives back the exact previous bytes', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    const g1 = gen(1);
    const g2 = gen(2);
    model.push(maskEdit(STROKE));
    model.push(g1);
    assert.equal(model.image, g1.png);
    assert.equal(model.imageIsBase, false);
    assert.equal(model.imageEdit, g1);
    model.push(maskEdit(RECT));
    model.push(g2);
    assert.equal(model.image, g2.png);
    // The mask survives generations (retry / refine with the same mask).
    assert.deepEqual(model.mask.data, replay([STROKE, RECT]));
    assert.equal(model.undo()?.kind, 'image');
    assert.equal(model.image, g1.png);
    assert.deepEqual([...model.image], [0x89, 0x50, 0x4e, 0x47, 1, 2]);
    model.undo(); // RECT
    assert.equal(model.undo()?.kind, 'image');
    assert.equal(model.image, BASE);
    assert.ok(model.imageIsBase);
    model.redo();
    assert.equal(model.image, g1.png);
  });

  it('tracks dirty state against the saved position', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    model.push(maskEdit(STROKE));
    assert.equal(model.isDirty, true);
    model.undo();
    assert.equal(model.isDirty, false);
    model.redo();
    model.push(gen(1));
    model.markSaved();
    assert.equal(model.savedIndex, 2);
    assert.equal(model.isDirty, false);
    model.undo();
    assert.equal(model.isDirty, true);
    model.redo();
    assert.equal(model.isDirty, false);
  });

  it('drops the redo branch on a new edit, and a saved state in it becomes unreachable (always dirty)', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    model.push(maskEdit(STROKE));
    model.push(maskEdit(RECT));
    model.markSaved();
    model.undo();
    model.push(maskEdit(ERASE));
    assert.equal(model.edits.length, 2);
    assert.equal(model.canRedo, false);
    assert.equal(model.savedIndex, undefined);
    assert.equal(model.isDirty, true);
    model.undo();
    model.undo();
    assert.equal(model.isDirty, true);
    assert.deepEqual(model.mask.data, new Uint8Array(W * H));
  });

  it('exposes the edit undo/redo would act on (stable identity for closures)', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    const e1 = maskEdit(STROKE);
    const e2 = gen(3);
    model.push(e1);
    model.push(e2);
    assert.equal(model.lastApplied, e2);
    model.undo();
    assert.equal(model.lastApplied, e1);
    assert.equal(model.nextRedo, e2);
  });

  it('rewinds to any earlier state exactly (stateAt)', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    const edits: InpaintEdit[] = [maskEdit(STROKE), gen(1), maskEdit(FEATHER), maskEdit(ERASE), gen(2), maskEdit(SHRINK)];
    const states = [{ image: model.image, mask: model.mask.data.slice() }];
    for (const e of edits) {
      model.push(e);
      states.push({ image: model.image, mask: model.mask.data.slice() });
    }
    for (let k = 0; k <= edits.length; k++) {
      const s = model.stateAt(k);
      assert.equal(s.image, states[k]!.image, `image at ${k}`);
      assert.deepEqual(s.mask, states[k]!.mask, `mask at ${k}`);
    }
    // stateAt never disturbs the live mask.
    assert.deepEqual(model.mask.data, states[edits.length]!.mask);
    assert.throws(() => model.stateAt(edits.length + 1), RangeError);
  });

  it('snapshots for a backup from the saved position, and a model rebuilt from it has the same state', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    const g1 = gen(1);
    model.push(maskEdit(STROKE));
    model.push(g1);
    model.markSaved();
    model.push(maskEdit(RECT));
    model.push(gen(2));
    model.push(maskEdit(FEATHER));
    model.push(maskEdit(ERASE));
    model.undo(); // ERASE is a redo branch: not in the backup
    const snap = model.backupSnapshot();
    assert.equal(snap.base.image, g1.png);
    assert.deepEqual(snap.base.mask, replay([STROKE]));
    assert.deepEqual(
      snap.edits.map((e) => (e.kind === 'mask' ? e.op.kind : `gen${e.seed}`)),
      ['rect', 'gen1002', 'feather'],
    );
    const rebuilt = new InpaintEditModel(W, H, snap.base, snap.edits);
    assert.deepEqual(rebuilt.mask.data, model.mask.data);
    assert.deepEqual(rebuilt.image, model.image);
    assert.equal(rebuilt.index, 3);
    assert.equal(rebuilt.savedIndex, 0);
    assert.equal(rebuilt.isDirty, true);
  });

  it('snapshots the current state alone when it is behind the save', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    model.push(maskEdit(STROKE));
    model.push(gen(1));
    model.markSaved();
    model.undo();
    const snap = model.backupSnapshot();
    assert.equal(snap.edits.length, 0);
    assert.equal(snap.base.image, BASE);
    assert.deepEqual(snap.base.mask, replay([STROKE]));
  });

  it('gives the mask at the saved position, backwards or forwards of the current one', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    model.push(maskEdit(STROKE));
    model.markSaved();
    model.push(maskEdit(RECT));
    assert.deepEqual(model.savedMask().data, replay([STROKE]));
    model.undo();
    model.undo();
    assert.deepEqual(model.savedMask().data, replay([STROKE]));
    assert.deepEqual(model.mask.data, new Uint8Array(W * H));
  });

  it('resets to a new base (revert)', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    model.push(maskEdit(STROKE));
    model.push(gen(1));
    const fresh = Uint8Array.from([9, 9, 9]);
    const mask = replay([RECT]);
    model.reset({ image: fresh, mask });
    assert.equal(model.image, fresh);
    assert.deepEqual(model.mask.data, mask);
    assert.notEqual(model.mask.data, mask, 'the model keeps its own copy');
    assert.equal(model.edits.length, 0);
    assert.equal(model.isDirty, false);
  });

  it('rejects sizes and masks that do not fit', () => {
    assert.throws(() => new InpaintEditModel(0, 5, { image: BASE }), RangeError);
    assert.throws(() => new InpaintEditModel(4, 4, { image: BASE, mask: new Uint8Array(15) }), RangeError);
  });

  /** An Expand canvas result: W × H grown by 5 left, 3 top, 7 right, 0 bottom. */
  function expand(tag: number, from = { width: W, height: H }): ExpandEdit {
    return {
      kind: 'expand',
      png: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0xee, tag]),
      seed: String(tag),
      parameters: `expand ${tag}`,
      from,
      to: { width: from.width + 12, height: from.height + 3 },
      offset: { x: 5, y: 3 },
    };
  }

  /** The mask `data` (W × H) moved to (5, 3) in a (W + 12) × (H + 3) mask, zero around it. */
  function moved(data: Uint8Array): Uint8Array {
    const out = new Uint8Array((W + 12) * (H + 3));
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[(y + 3) * (W + 12) + x + 5] = data[y * W + x]!;
    return out;
  }

  it('an expand edit changes the size, moves the mask (new area unmasked), and undo / redo give back size, image and mask', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    model.push(maskEdit(STROKE));
    const maskBefore = model.mask.data.slice();
    const e = expand(1);
    const change = model.push(e);
    assert.deepEqual(change, { kind: 'size', edit: e, width: W + 12, height: H + 3 });
    assert.equal(model.width, W + 12);
    assert.equal(model.height, H + 3);
    assert.equal(model.image, e.png);
    assert.equal(model.imageEdit, e);
    assert.ok(!model.imageIsBase);
    assert.deepEqual(model.mask.data, moved(maskBefore));
    assert.ok(model.mask.data.some((v) => v > 0), 'the stroke came along');
    // A mask edit at the new size, then undo both.
    model.push(maskEdit({ kind: 'fill' }));
    assert.ok(model.mask.data.every((v) => v === 255));
    model.undo();
    assert.deepEqual(model.mask.data, moved(maskBefore));
    const undo = model.undo();
    assert.deepEqual(undo, { kind: 'size', edit: e, width: W, height: H });
    assert.equal(model.width, W);
    assert.equal(model.height, H);
    assert.equal(model.image, BASE, 'the exact previous bytes');
    assert.deepEqual(model.mask.data, maskBefore);
    assert.equal(model.mask.width, W);
    const redo = model.redo();
    assert.deepEqual(redo, { kind: 'size', edit: e, width: W + 12, height: H + 3 });
    assert.deepEqual(model.mask.data, moved(maskBefore));
    model.redo();
    assert.ok(model.mask.data.every((v) => v === 255), 'the fill redone at the new size');
    // Rewinding from here crosses the size change.
    const s0 = model.stateAt(1);
    assert.deepEqual([s0.width, s0.height], [W, H]);
    assert.deepEqual(s0.mask, maskBefore);
    assert.equal(s0.image, BASE);
    const s2 = model.stateAt(2);
    assert.deepEqual([s2.width, s2.height], [W + 12, H + 3]);
    assert.deepEqual(s2.mask, moved(maskBefore));
    assert.deepEqual(model.sizeAt(1), { width: W, height: H });
    assert.deepEqual(model.sizeAt(3), { width: W + 12, height: H + 3 });
  });

  it('refuses an expand edit made for another size', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    assert.throws(() => model.push(expand(1, { width: W + 1, height: H })), /made for a 33×24 image, the document is 32×24/);
    assert.throws(() => model.push({ ...expand(1), offset: { x: 13, y: 0 } }), /does not lie inside/);
    assert.throws(() => model.push({ ...expand(1), to: { width: W, height: H }, offset: { x: 0, y: 0 } }), /does not change the size/);
    assert.equal(model.edits.length, 0);
  });

  it('backs up and restores across a size change: the saved base at its size, the pending edits after it', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    model.push(maskEdit(STROKE));
    model.markSaved();
    model.push(expand(2));
    model.push(maskEdit(RECT));
    let snap = model.backupSnapshot();
    assert.deepEqual([snap.width, snap.height], [W, H]);
    const rebuilt = new InpaintEditModel(snap.width, snap.height, snap.base, snap.edits);
    assert.deepEqual([rebuilt.width, rebuilt.height], [W + 12, H + 3]);
    assert.deepEqual(rebuilt.mask.data, model.mask.data);
    assert.equal(rebuilt.image, model.image);
    // Saved after the expansion: the base is the expanded state.
    model.markSaved();
    snap = model.backupSnapshot();
    assert.deepEqual([snap.width, snap.height], [W + 12, H + 3]);
    assert.equal(snap.base.mask.length, (W + 12) * (H + 3));
    assert.equal(snap.edits.length, 0);
  });

  it('gives the saved mask with its size across an expand edit, backwards and forwards', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    model.push(maskEdit(STROKE));
    model.markSaved();
    model.push(expand(3));
    let saved = model.savedMask();
    assert.deepEqual([saved.width, saved.height], [W, H]);
    assert.deepEqual(saved.data, replay([STROKE]));
    model.markSaved();
    model.undo();
    saved = model.savedMask();
    assert.deepEqual([saved.width, saved.height], [W + 12, H + 3]);
    assert.deepEqual(saved.data, moved(replay([STROKE])));
  });

  it('resets at the current size after an expansion (revert to a file of that size)', () => {
    const model = new InpaintEditModel(W, H, { image: BASE });
    model.push(expand(4));
    const fresh = Uint8Array.from([7, 7]);
    model.reset({ image: fresh });
    assert.deepEqual([model.width, model.height], [W + 12, H + 3]);
    assert.equal(model.image, fresh);
    assert.deepEqual(model.sizeAt(0), { width: W + 12, height: H + 3 });
  });
});
