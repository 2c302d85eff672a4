import * as assert from 'node:assert/strict';
import type { MaskOp, ToInpaintWebviewMessage } from '../../src/common/protocol/inpaintEditorProtocol';
import { InpaintEditModel } from '../../src/host/inpaint/inpaintEditModel';
import { readMaskRegion, maskRegionHash, type Rect } from '../../src/common/mask/maskRect';
import { MaskSync } from '../../webview/inpaint/maskSync';

const W = 40;
const H = 30;

type Msg = ToInpaintWebviewMessage;

/**
 * The host side of the mask protocol, as InpaintDocument + InpaintEditorView do it: the edit model is the
 * truth; ops are acknowledged with a hash, undo/redo become regions.
 */
class FakeHost {
  readonly model = new InpaintEditModel(W, H, { image: new Uint8Array(1) });
  revision = 0;
  readonly outbox = new Map<MaskSync, Msg[]>();

  connect(view: MaskSync): void {
    this.outbox.set(view, []);
    this.send(view, this.full());
  }

  full(): Msg {
    return { type: 'mask', revision: this.revision, baseRevision: null, region: { x: 0, y: 0, width: W, height: H, data: this.model.mask.data.slice() } };
  }

  receiveOp(from: MaskSync, op: MaskOp, baseRevision: number): void {
    const stale = baseRevision !== this.revision;
    const change = this.model.push({ kind: 'mask', op });
    assert.ok(change.kind === 'mask');
    this.revision++;
    const hash = maskRegionHash(this.model.mask, change.rect);
    for (const view of this.outbox.keys()) {
      this.send(view, { type: 'maskOpApplied', revision: this.revision, op, hash, fromThisView: view === from });
      if (view === from && stale) this.send(view, this.full());
    }
  }

  undo(): void {
    const change = this.model.undo();
    assert.ok(change?.kind === 'mask');
    this.region(change.rect);
  }

  redo(): void {
    const change = this.model.redo();
    assert.ok(change?.kind === 'mask');
    this.region(change.rect);
  }

  private region(rect: Rect): void {
    const base = this.revision++;
    for (const view of this.outbox.keys()) {
      this.send(view, { type: 'mask', revision: this.revision, baseRevision: base, region: { ...rect, data: readMaskRegion(this.model.mask, rect) } });
    }
  }

  send(view: MaskSync, msg: Msg): void {
    this.outbox.get(view)!.push(msg);
  }

  /** Delivers queued messages to a view; returns whether it asked for the whole mask (answered at once). */
  deliver(view: MaskSync): number {
    let requests = 0;
    const queue = this.outbox.get(view)!;
    while (queue.length > 0) {
      const msg = queue.shift()!;
      const result = msg.type === 'mask' ? view.onMask(msg) : msg.type === 'maskOpApplied' ? view.onOpApplied(msg) : {};
      if (result.requestMask) {
        requests++;
        this.send(view, this.full());
      }
    }
    return requests;
  }
}

const STROKE: Extract<MaskOp, { kind: 'stroke' }> = { kind: 'stroke', mode: 'paint', size: 8, hardness: 0.5, opacity: 1, points: [5, 5, 30, 20] };
const RECT: MaskOp = { kind: 'rect', mode: 'paint', x: 2, y: 20, width: 10, height: 6, opacity: 0.5 };
const FEATHER: MaskOp = { kind: 'feather', sigma: 1.5 };

describe('MaskSync (the page copy of the mask)', () => {
  it('stays equal to the host through local strokes, one-shot ops, acks and undo/redo regions, without resyncs', () => {
    const host = new FakeHost();
    const page = new MaskSync();
    page.reset(W, H);
    host.connect(page);
    assert.equal(host.deliver(page), 0);
    // A live stroke: first dab, then segments; sent once at the end.
    page.stampLive(5, 5, 5, 5, 'paint', STROKE);
    page.stampLive(5, 5, 30, 20, 'paint', STROKE);
    const sent = page.commitStroke(STROKE)!;
    assert.equal(page.pendingCount, 1);
    host.receiveOp(page, sent.op, sent.baseRevision);
    const local = page.applyLocal(FEATHER)!;
    host.receiveOp(page, local.message.op, local.message.baseRevision);
    assert.equal(host.deliver(page), 0);
    assert.equal(page.pendingCount, 0);
    assert.equal(page.revision, 2);
    assert.deepEqual(page.mask!.data, host.model.mask.data);
    host.undo();
    host.undo();
    assert.equal(host.deliver(page), 0);
    assert.deepEqual(page.mask!.data, new Uint8Array(W * H));
    host.redo();
    assert.equal(host.deliver(page), 0);
    assert.deepEqual(page.mask!.data, host.model.mask.data);
    assert.equal(page.revision, host.revision);
  });

  it('applies another view\'s ops (split editor) and both end equal to the host', () => {
    const host = new FakeHost();
    const a = new MaskSync();
    const b = new MaskSync();
    a.reset(W, H);
    b.reset(W, H);
    host.connect(a);
    host.connect(b);
    host.deliver(a);
    host.deliver(b);
    const fromA = a.applyLocal(RECT)!;
    host.receiveOp(a, fromA.message.op, fromA.message.baseRevision);
    assert.equal(host.deliver(a), 0);
    assert.equal(host.deliver(b), 0);
    assert.deepEqual(b.mask!.data, host.model.mask.data);
    const fromB = b.applyLocal(FEATHER)!;
    host.receiveOp(b, fromB.message.op, fromB.message.baseRevision);
    assert.equal(host.deliver(b), 0);
    assert.equal(host.deliver(a), 0);
    assert.deepEqual(a.mask!.data, host.model.mask.data);
    assert.deepEqual(b.mask!.data, host.model.mask.data);
  });

  it('converges when an undo crosses an op in flight (stale base revision)', () => {
    const host = new FakeHost();
    const page = new MaskSync();
    page.reset(W, H);
    host.connect(page);
    host.deliver(page);
    const first = page.applyLocal(RECT)!;
    host.receiveOp(page, first.message.op, first.message.baseRevision);
    host.deliver(page);
    // The page paints while the host undoes (Ctrl+Z) before seeing the stroke.
    const second = page.applyLocal(STROKE)!;
    host.undo();
    host.receiveOp(page, second.message.op, second.message.baseRevision);
    host.deliver(page);
    assert.deepEqual(page.mask!.data, host.model.mask.data);
    assert.equal(page.revision, host.revision);
    assert.equal(page.pendingCount, 0);
  });

  it('asks for the whole mask when a region does not fit its revision or an ack does not match', () => {
    const page = new MaskSync();
    page.reset(4, 2);
    const region = { x: 0, y: 0, width: 1, height: 1, data: Uint8Array.from([9]) };
    assert.deepEqual(page.onMask({ type: 'mask', revision: 5, baseRevision: 3, region }), { requestMask: true });
    assert.deepEqual(page.onOpApplied({ type: 'maskOpApplied', revision: 1, op: { kind: 'fill' }, hash: 0, fromThisView: true }), { requestMask: true });
    // Another view's op two revisions ahead: cannot be applied in order.
    assert.deepEqual(page.onOpApplied({ type: 'maskOpApplied', revision: 3, op: { kind: 'fill' }, hash: 0, fromThisView: false }), { requestMask: true });
    const full = page.onMask({ type: 'mask', revision: 7, baseRevision: null, region: { x: 0, y: 0, width: 2, height: 3, data: new Uint8Array(6).fill(4) } });
    assert.deepEqual(full, { changed: { x: 0, y: 0, width: 2, height: 3 } });
    assert.equal(page.mask!.width, 2);
    assert.equal(page.revision, 7);
  });
});
