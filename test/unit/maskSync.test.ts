import * as assert from 'node:assert/strict';
import type { MaskOp, ToInpaintWebviewMessage } from '../../src/common/protocol/inpaintEditorProtocol';
import { InpaintDocumentState, type InpaintUndoableEdit } from '../../src/host/inpaint/inpaintDocumentState';
import { fullMaskMessage, maskChangeMessages } from '../../src/host/inpaint/inpaintMaskMessages';
import type { GenerationService } from '../../src/host/jobs/generationService';
import { encodeImage } from '../../src/node/image/imageCodec';
import { MaskSync } from '../../webview/inpaint/maskSync';

const W = 40;
const H = 30;

type Msg = ToInpaintWebviewMessage;

const noGeneration = {} as GenerationService; // these tests never generate
const silentLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The host side of the mask protocol, made of the real pieces: InpaintDocumentState (the truth, its undo closures)
 * and inpaintMaskMessages (what InpaintEditorView posts each view). Only the transport is simulated: each view's
 * messages wait in a queue until delivered, and undo/redo are VS Code's stacks of the document's edits.
 */
class Host {
  readonly outbox = new Map<MaskSync, Msg[]>();
  private readonly undoStack: InpaintUndoableEdit[] = [];
  private readonly redoStack: InpaintUndoableEdit[] = [];

  private constructor(readonly doc: InpaintDocumentState) {
    doc.onDidEdit((edit) => {
      this.undoStack.push(edit);
      this.redoStack.length = 0;
    });
    doc.onDidChangeMask((change) => {
      for (const [view, queue] of this.outbox) queue.push(...maskChangeMessages(change, doc, view));
    });
  }

  static async open(): Promise<Host> {
    const png = await encodeImage({ width: W, height: H, channels: 3, data: new Uint8Array(W * H * 3) }, 'png');
    return new Host(await InpaintDocumentState.fromBytes(png, { path: '/w/mask.png' }, { generation: noGeneration, log: silentLog }, undefined));
  }

  get mask(): Uint8Array {
    return this.doc.mask.data;
  }

  get revision(): number {
    return this.doc.maskRevision;
  }

  connect(view: MaskSync): void {
    this.outbox.set(view, [fullMaskMessage(this.doc)]);
  }

  receiveOp(from: MaskSync, op: MaskOp, baseRevision: number): void {
    this.doc.applyMaskOp(op, baseRevision, from);
  }

  undo(): void {
    const edit = this.undoStack.pop();
    assert.ok(edit, 'something to undo');
    edit.undo();
    this.redoStack.push(edit);
  }

  redo(): void {
    const edit = this.redoStack.pop();
    assert.ok(edit, 'something to redo');
    edit.redo();
    this.undoStack.push(edit);
  }

  /** Delivers queued messages to a view; returns how often it asked for the whole mask (answered at once). */
  deliver(view: MaskSync): number {
    let requests = 0;
    const queue = this.outbox.get(view)!;
    while (queue.length > 0) {
      const msg = queue.shift()!;
      const result = msg.type === 'mask' ? view.onMask(msg) : msg.type === 'maskOpApplied' ? view.onOpApplied(msg) : {};
      if (result.requestMask) {
        requests++;
        queue.push(fullMaskMessage(this.doc));
      }
    }
    return requests;
  }
}

const STROKE: Extract<MaskOp, { kind: 'stroke' }> = { kind: 'stroke', mode: 'paint', size: 8, hardness: 0.5, opacity: 1, points: [5, 5, 30, 20] };
const RECT: MaskOp = { kind: 'rect', mode: 'paint', x: 2, y: 20, width: 10, height: 6, opacity: 0.5 };
const FEATHER: MaskOp = { kind: 'feather', sigma: 1.5 };

describe('MaskSync (the page copy of the mask)', () => {
  it('stays equal to the host through local strokes, one-shot ops, acks and undo/redo regions, without resyncs', async () => {
    const host = await Host.open();
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
    assert.deepEqual(page.mask!.data, host.mask);
    host.undo();
    host.undo();
    assert.equal(host.deliver(page), 0);
    assert.deepEqual(page.mask!.data, new Uint8Array(W * H));
    host.redo();
    assert.equal(host.deliver(page), 0);
    assert.deepEqual(page.mask!.data, host.mask);
    assert.equal(page.revision, host.revision);
  });

  it('applies another view\'s ops (split editor) and both end equal to the host', async () => {
    const host = await Host.open();
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
    assert.deepEqual(b.mask!.data, host.mask);
    const fromB = b.applyLocal(FEATHER)!;
    host.receiveOp(b, fromB.message.op, fromB.message.baseRevision);
    assert.equal(host.deliver(b), 0);
    assert.equal(host.deliver(a), 0);
    assert.deepEqual(a.mask!.data, host.mask);
    assert.deepEqual(b.mask!.data, host.mask);
  });

  it('converges when an undo crosses an op in flight (stale base revision)', async () => {
    const host = await Host.open();
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
    assert.deepEqual(page.mask!.data, host.mask);
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
