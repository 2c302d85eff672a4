// The inpaint document's edit list: mask edits (vector MaskOps) and "apply generation" edits (the
// chosen PNG bytes), with apply / undo / redo and the saved position for dirty state.
// PURE: no vscode import, unit-tested in plain Node (the hexeditor hexDocumentModel habit).
//
// Image state is exact by construction: the current image is the PNG of the last applied generation
// edit, else the base bytes, so undo gives back the previous bytes untouched. Mask undo restores a
// run-length-coded copy of the region the op could change (captured before applying it); redo
// restores the region as it was after the op (captured on undo), so neither re-runs a filter.

import type { MaskOp } from '../../common/protocol/inpaintEditorProtocol';
import { applyMaskOp, maskOpBounds } from '../../common/mask/maskOps';
import { isEmptyRect, readMaskRegion, writeMaskRegion, type Mask, type Rect } from '../../common/mask/maskRect';
import { decodeMaskRle, encodeMaskRle } from '../../common/mask/maskRle';

export interface MaskEdit {
  kind: 'mask';
  op: MaskOp;
}

export interface GenerationEdit {
  kind: 'generation';
  /** The engine's PNG, stored as chosen: it becomes the document image byte for byte. */
  png: Uint8Array;
  /** Decimal digits (../../common/seed.ts). */
  seed: string;
  /** The A1111 infotext of that PNG (for formats other than PNG, which carry it differently). */
  parameters: string;
}

export type InpaintEdit = MaskEdit | GenerationEdit;

/** A document state: the encoded image bytes and the raw mask (width × height). */
export interface InpaintState {
  image: Uint8Array;
  mask: Uint8Array;
}

/** What an apply / undo / redo changed. */
export type InpaintEditChange =
  | { kind: 'mask'; edit: MaskEdit; rect: Rect }
  | { kind: 'image'; edit: GenerationEdit };

interface MaskPatch {
  rect: Rect;
  rle: Uint8Array;
}

interface Entry {
  readonly edit: InpaintEdit;
  /** Mask region before the edit (mask edits only). */
  before?: MaskPatch;
  /** The same region after the edit, captured on the first undo. */
  after?: MaskPatch;
}

export class InpaintEditModel {
  private baseImage: Uint8Array;
  private baseMask: Uint8Array;
  private readonly currentMask: Mask;
  private entries: Entry[] = [];
  private applied = 0;
  private saved: number | undefined = 0;

  /**
   * @param base the state edits start from (the file as read, or a backup's base)
   * @param edits edits to apply on top (a restored backup's pending edits); the base counts as saved
   */
  constructor(
    readonly width: number,
    readonly height: number,
    base: { image: Uint8Array; mask?: Uint8Array },
    edits: readonly InpaintEdit[] = [],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`Invalid image size ${width}×${height}.`);
    }
    this.baseImage = base.image;
    this.baseMask = this.checkedMask(base.mask);
    this.currentMask = { width, height, data: this.baseMask.slice() };
    for (const edit of edits) this.push(edit);
  }

  /** The current image bytes (the last applied generation's PNG, else the base bytes). */
  get image(): Uint8Array {
    return this.imageAt(this.applied);
  }

  /** True while no generation edit is applied: the image is the base bytes (the file as read). */
  get imageIsBase(): boolean {
    return this.lastGenerationBefore(this.applied) === undefined;
  }

  /** The generation edit the current image comes from, if any. */
  get imageEdit(): GenerationEdit | undefined {
    return this.lastGenerationBefore(this.applied);
  }

  /** The live mask (do not mutate; use push). */
  get mask(): Mask {
    return this.currentMask;
  }

  /** Every edit, including undone ones that redo would re-apply. */
  get edits(): readonly InpaintEdit[] {
    return this.entries.map((e) => e.edit);
  }

  /** Number of applied edits (the position in the edit list). */
  get index(): number {
    return this.applied;
  }

  /** The position that matches the file on disk; undefined once that state cannot be reached. */
  get savedIndex(): number | undefined {
    return this.saved;
  }

  get isDirty(): boolean {
    return this.saved !== this.applied;
  }

  get canUndo(): boolean {
    return this.applied > 0;
  }

  get canRedo(): boolean {
    return this.applied < this.entries.length;
  }

  /** The edit that undo would revert (identity is stable: undo/redo closures compare it). */
  get lastApplied(): InpaintEdit | undefined {
    return this.entries[this.applied - 1]?.edit;
  }

  /** The edit that redo would apply. */
  get nextRedo(): InpaintEdit | undefined {
    return this.entries[this.applied]?.edit;
  }

  /** Applies a new edit; drops the undone edits after the current position. */
  push(edit: InpaintEdit): InpaintEditChange {
    if (edit.kind === 'generation' && !(edit.png instanceof Uint8Array)) throw new TypeError('Generation edit without PNG bytes.');
    this.entries.length = this.applied;
    if (this.saved !== undefined && this.saved > this.applied) this.saved = undefined;
    const entry: Entry = { edit };
    let change: InpaintEditChange;
    if (edit.kind === 'mask') {
      const rect = maskOpBounds(this.currentMask, edit.op);
      entry.before = this.capture(rect);
      applyMaskOp(this.currentMask, edit.op);
      change = { kind: 'mask', edit, rect };
    } else {
      change = { kind: 'image', edit };
    }
    this.entries.push(entry);
    this.applied++;
    return change;
  }

  undo(): InpaintEditChange | undefined {
    if (this.applied === 0) return undefined;
    const entry = this.entries[this.applied - 1]!;
    this.applied--;
    const edit = entry.edit;
    if (edit.kind === 'generation') return { kind: 'image', edit };
    const before = entry.before!;
    entry.after ??= this.capture(before.rect);
    this.restore(before);
    return { kind: 'mask', edit, rect: before.rect };
  }

  redo(): InpaintEditChange | undefined {
    if (this.applied >= this.entries.length) return undefined;
    const entry = this.entries[this.applied]!;
    this.applied++;
    const edit = entry.edit;
    if (edit.kind === 'generation') return { kind: 'image', edit };
    if (entry.after) {
      this.restore(entry.after);
      return { kind: 'mask', edit, rect: entry.after.rect };
    }
    entry.before = this.capture(maskOpBounds(this.currentMask, edit.op));
    applyMaskOp(this.currentMask, edit.op);
    return { kind: 'mask', edit, rect: entry.before.rect };
  }

  /** The current state now matches the file on disk. */
  markSaved(): void {
    this.saved = this.applied;
  }

  /** Starts over from a new base (revert, reload): no edits, saved. */
  reset(base: { image: Uint8Array; mask?: Uint8Array }): void {
    this.baseImage = base.image;
    this.baseMask = this.checkedMask(base.mask);
    this.currentMask.data.set(this.baseMask);
    this.entries = [];
    this.applied = 0;
    this.saved = 0;
  }

  /** The image bytes after the first `index` edits. */
  imageAt(index: number): Uint8Array {
    return this.lastGenerationBefore(index)?.png ?? this.baseImage;
  }

  /** Image and mask after the first `index` edits, for index ≤ the current position (mask rewound through undo patches). */
  stateAt(index: number): InpaintState {
    if (!Number.isInteger(index) || index < 0 || index > this.applied) {
      throw new RangeError(`State ${index} is not reachable backwards from ${this.applied}.`);
    }
    const mask: Mask = { width: this.width, height: this.height, data: this.currentMask.data.slice() };
    for (let i = this.applied - 1; i >= index; i--) {
      const before = this.entries[i]!.before;
      if (before) writeMaskRegion(mask, before.rect, decodeMaskRle(before.rle, before.rect.width * before.rect.height));
    }
    return { image: this.imageAt(index), mask: mask.data };
  }

  /**
   * What a hot-exit backup needs: the state at the saved position (or the current one when that is
   * behind or unreachable) and the edits from there to the current position. Redo branches are dropped.
   */
  backupSnapshot(): { base: InpaintState; edits: InpaintEdit[] } {
    const from = this.saved === undefined ? this.applied : Math.min(this.saved, this.applied);
    return {
      base: this.stateAt(from),
      edits: this.entries.slice(from, this.applied).map((e) => e.edit),
    };
  }

  /** The mask as it was at the saved position (the current mask when that state is unreachable). */
  savedMask(): Uint8Array {
    if (this.saved === undefined) return this.currentMask.data.slice();
    if (this.saved <= this.applied) return this.stateAt(this.saved).mask;
    // Forward of here (undone past the save): replay the undone edits' after-patches on a copy.
    const mask: Mask = { width: this.width, height: this.height, data: this.currentMask.data.slice() };
    for (let i = this.applied; i < this.saved; i++) {
      const after = this.entries[i]!.after;
      if (after) writeMaskRegion(mask, after.rect, decodeMaskRle(after.rle, after.rect.width * after.rect.height));
    }
    return mask.data;
  }

  private lastGenerationBefore(index: number): GenerationEdit | undefined {
    for (let i = Math.min(index, this.entries.length) - 1; i >= 0; i--) {
      const edit = this.entries[i]!.edit;
      if (edit.kind === 'generation') return edit;
    }
    return undefined;
  }

  private capture(rect: Rect): MaskPatch {
    return { rect, rle: isEmptyRect(rect) ? new Uint8Array(0) : encodeMaskRle(readMaskRegion(this.currentMask, rect)) };
  }

  private restore(patch: MaskPatch): void {
    if (isEmptyRect(patch.rect)) return;
    writeMaskRegion(this.currentMask, patch.rect, decodeMaskRle(patch.rle, patch.rect.width * patch.rect.height));
  }

  private checkedMask(mask: Uint8Array | undefined): Uint8Array {
    const size = this.width * this.height;
    if (mask === undefined) return new Uint8Array(size);
    if (mask.length !== size) throw new RangeError(`Mask has ${mask.length} bytes, expected ${size}.`);
    return mask.slice();
  }
}
