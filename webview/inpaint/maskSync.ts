// The page's copy of the mask and how it stays equal to the host's (the source of truth).
// Local edits are applied at once for feedback and sent as ops; the host acknowledges each with the new
// revision and a hash of the region it touched. Undo/redo arrive as regions on top of a known revision;
// anything that does not line up (a missed message, two views editing at once) asks for the whole mask.
// Pure: no DOM.
import type { MaskOp, ToInpaintWebviewMessage } from '../../src/common/protocol/inpaintEditorProtocol';
import { applyMaskOp, maskOpBounds, stampSegment, type BrushShape } from '../../src/common/mask/maskOps';
import { createMask, maskRegionHash, writeMaskRegion, type Mask, type Rect } from '../../src/common/mask/maskRect';
import type { MaskMode } from '../../src/common/protocol/inpaintEditorProtocol';

type MaskMessage = Extract<ToInpaintWebviewMessage, { type: 'mask' }>;
type OpAppliedMessage = Extract<ToInpaintWebviewMessage, { type: 'maskOpApplied' }>;

export interface SyncResult {
  /** The part of the mask that changed (to redraw). */
  changed?: Rect;
  /** The copy cannot be trusted: ask the host for the whole mask. */
  requestMask?: boolean;
}

export class MaskSync {
  private current: Mask | undefined;
  private revisionValue = 0;
  /** Rectangles of local ops sent but not yet acknowledged, oldest first. */
  private readonly pending: Rect[] = [];

  get mask(): Mask | undefined {
    return this.current;
  }

  get revision(): number {
    return this.revisionValue;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** A new document (or one whose size changed): an empty mask until the host's arrives. */
  reset(width: number, height: number): void {
    this.current = createMask(width, height);
    this.revisionValue = 0;
    this.pending.length = 0;
  }

  /** Stamps one segment of a stroke in progress (not sent yet). */
  stampLive(ax: number, ay: number, bx: number, by: number, mode: MaskMode, shape: BrushShape): Rect | undefined {
    if (!this.current) return undefined;
    return stampSegment(this.current, ax, ay, bx, by, mode, shape);
  }

  /** A finished stroke, already stamped live: the message to send. */
  commitStroke(op: Extract<MaskOp, { kind: 'stroke' }>): { op: MaskOp; baseRevision: number } | undefined {
    if (!this.current) return undefined;
    this.pending.push(maskOpBounds(this.current, op));
    return { op, baseRevision: this.revisionValue };
  }

  /** Applies a one-shot op locally; returns what changed and the message to send. */
  applyLocal(op: MaskOp): { changed: Rect; message: { op: MaskOp; baseRevision: number } } | undefined {
    if (!this.current) return undefined;
    const baseRevision = this.revisionValue;
    const changed = applyMaskOp(this.current, op);
    this.pending.push(changed);
    return { changed, message: { op, baseRevision } };
  }

  onMask(message: MaskMessage): SyncResult {
    const { region } = message;
    if (message.baseRevision === null) {
      if (!this.current || this.current.width !== region.width || this.current.height !== region.height || region.x !== 0 || region.y !== 0) {
        this.current = createMask(region.width, region.height);
      }
      this.current.data.set(region.data);
      this.revisionValue = message.revision;
      this.pending.length = 0;
      return { changed: { x: 0, y: 0, width: region.width, height: region.height } };
    }
    if (!this.current || this.pending.length > 0 || message.baseRevision !== this.revisionValue) return { requestMask: true };
    try {
      writeMaskRegion(this.current, region, region.data);
    } catch {
      return { requestMask: true };
    }
    this.revisionValue = message.revision;
    return { changed: { x: region.x, y: region.y, width: region.width, height: region.height } };
  }

  onOpApplied(message: OpAppliedMessage): SyncResult {
    if (!this.current) return { requestMask: true };
    if (message.fromThisView) {
      const rect = this.pending.shift();
      this.revisionValue = message.revision;
      if (!rect) return { requestMask: true };
      // Only verifiable once nothing else of ours is in flight.
      if (this.pending.length === 0 && maskRegionHash(this.current, rect) !== message.hash) return { requestMask: true };
      return {};
    }
    // Another view's op: apply it if we are exactly one revision behind and have nothing in flight.
    if (this.pending.length > 0 || this.revisionValue !== message.revision - 1) return { requestMask: true };
    const changed = applyMaskOp(this.current, message.op);
    this.revisionValue = message.revision;
    if (maskRegionHash(this.current, changed) !== message.hash) return { changed, requestMask: true };
    return { changed };
  }
}
