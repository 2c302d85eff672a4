// The inpaint document's edit list: mask edits (vector MaskOps), "apply generation" edits (the chosen PNG bytes)
// and "expand canvas" edits (an outpainting result: PNG bytes of a larger size, the old image at an offset in it),
// with apply / undo / redo and the saved position for dirty state. The document's size is the size after the
// applied edits: an expand edit changes it, its undo gives the old size back.
// PURE: no vscode import, unit-tested in plain Node (the hexeditor hexDocumentModel habit).
//
// Image state is exact by construction: the current image is the PNG of the last applied generation
// edit, else the base bytes, so undo gives back the previous bytes untouched. Mask undo restores a
// run-length-coded copy of the region the op could change (captured before applying it); redo
// restores the region as it was after the op (captured on undo), so neither re-runs a filter. An expand edit moves
// the mask onto the larger canvas (shifted by the offset, the new area unmasked) and keeps the whole old mask for
// undo; redo restores the moved mask as it was (captured on undo).

import type { MaskOp } from '../../common/protocol/inpaintEditorProtocol';
import { applyMaskOp, maskOpBounds } from '../../common/mask/maskOps';
import { expandMask } from '../../common/mask/expandMask';
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

export interface ImageSize {
  width: number;
  height: number;
}

/** An Expand canvas result applied: the document grows from `from` to `to`, its old image at `offset` in the new one. */
export interface ExpandEdit {
  kind: 'expand';
  /** The engine's PNG of the expanded canvas (`to`'s size), stored as chosen. */
  png: Uint8Array;
  seed: string;
  parameters: string;
  /** The document's size before the edit. */
  from: ImageSize;
  /** Its size after (the PNG's). */
  to: ImageSize;
  /** Where the old image's top-left pixel lies in the new one (the left and top margins). */
  offset: { x: number; y: number };
}

/** An edit that replaces the image. */
export type ImageEdit = GenerationEdit | ExpandEdit;
export type InpaintEdit = MaskEdit | GenerationEdit | ExpandEdit;

/** A document state: the encoded image bytes and the raw mask (width × height). */
export interface InpaintState {
  image: Uint8Array;
  mask: Uint8Array;
}

/** A document state with its size (the size changes with expand edits). */
export interface SizedInpaintState extends InpaintState, ImageSize {}

/** What an apply / undo / redo changed. */
export type InpaintEditChange =
  | { kind: 'mask'; edit: MaskEdit; rect: Rect }
  | { kind: 'image'; edit: GenerationEdit }
  /** The image, the size and the whole mask changed (an expand edit applied or undone). */
  | { kind: 'size'; edit: ExpandEdit; width: number; height: number };

/** Why an expand edit cannot apply to a document of size `current`, else undefined. */
export function expandEditProblem(edit: ExpandEdit, current: ImageSize): string | undefined {
  const { from, to, offset } = edit;
  const ints = [from.width, from.height, to.width, to.height, offset.x, offset.y];
  if (!ints.every((v) => Number.isInteger(v) && v >= 0) || to.width < 1 || to.height < 1) return 'its sizes are not whole numbers of pixels';
  if (from.width !== current.width || from.height !== current.height) {
    return `it was made for a ${from.width}×${from.height} image, the document is ${current.width}×${current.height}`;
  }
  if (offset.x + from.width > to.width || offset.y + from.height > to.height) return 'the old image does not lie inside the new one';
  if (to.width === from.width && to.height === from.height) return 'it does not change the size';
  return undefined;
}

interface MaskPatch {
  rect: Rect;
  rle: Uint8Array;
}

interface Entry {
  readonly edit: InpaintEdit;
  /** Mask region before the edit (mask edits; for expand edits the whole mask of the old size). */
  before?: MaskPatch;
  /** The same region after the edit, captured on the first undo (expand edits: the whole mask of the new size). */
  after?: MaskPatch;
}

export class InpaintEditModel {
  private baseImage: Uint8Array;
  private baseMask: Uint8Array;
  private currentMask: Mask;
  private entries: Entry[] = [];
  private applied = 0;
  private saved: number | undefined = 0;

  /** The base's size (the size at position 0). */
  private baseSize: ImageSize;

  /**
   * @param width, height the base's size
   * @param base the state edits start from (the file as read, or a backup's base)
   * @param edits edits to apply on top (a restored backup's pending edits); the base counts as saved
   */
  constructor(width: number, height: number, base: { image: Uint8Array; mask?: Uint8Array }, edits: readonly InpaintEdit[] = []) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`Invalid image size ${width}×${height}.`);
    }
    this.baseSize = { width, height };
    this.baseImage = base.image;
    this.baseMask = this.checkedMask(base.mask, width, height);
    this.currentMask = { width, height, data: this.baseMask.slice() };
    for (const edit of edits) this.push(edit);
  }

  /** The current width (the base's, or the last applied expand edit's). */
  get width(): number {
    return this.currentMask.width;
  }

  get height(): number {
    return this.currentMask.height;
  }

  /** The current image bytes (the last applied generation's PNG, else the base bytes). */
  get image(): Uint8Array {
    return this.imageAt(this.applied);
  }

  /** True while no generation edit is applied: the image is the base bytes (the file as read). */
  get imageIsBase(): boolean {
    return this.lastGenerationBefore(this.applied) === undefined;
  }

  /** The generation or expand edit the current image comes from, if any. */
  get imageEdit(): ImageEdit | undefined {
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
    if (edit.kind !== 'mask' && !(edit.png instanceof Uint8Array)) throw new TypeError('Generation edit without PNG bytes.');
    if (edit.kind === 'expand') {
      const problem = expandEditProblem(edit, this.currentMask);
      if (problem) throw new RangeError(`Cannot expand the canvas: ${problem}.`);
    }
    this.entries.length = this.applied;
    if (this.saved !== undefined && this.saved > this.applied) this.saved = undefined;
    const entry: Entry = { edit };
    let change: InpaintEditChange;
    if (edit.kind === 'mask') {
      const rect = maskOpBounds(this.currentMask, edit.op);
      entry.before = this.capture(rect);
      applyMaskOp(this.currentMask, edit.op);
      change = { kind: 'mask', edit, rect };
    } else if (edit.kind === 'expand') {
      entry.before = this.captureAll();
      this.currentMask = expandMask(this.currentMask, edit.to.width, edit.to.height, edit.offset);
      change = { kind: 'size', edit, width: edit.to.width, height: edit.to.height };
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
    if (edit.kind === 'expand') {
      entry.after ??= this.captureAll();
      this.replaceMask(entry.before!);
      return { kind: 'size', edit, width: edit.from.width, height: edit.from.height };
    }
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
    if (edit.kind === 'expand') {
      // Undone at least once, so the moved mask was captured.
      this.replaceMask(entry.after!);
      return { kind: 'size', edit, width: edit.to.width, height: edit.to.height };
    }
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

  /** Starts over from a new base of the current size (revert, reload): no edits, saved. */
  reset(base: { image: Uint8Array; mask?: Uint8Array }): void {
    const { width, height } = this.currentMask;
    this.baseImage = base.image;
    this.baseMask = this.checkedMask(base.mask, width, height);
    this.baseSize = { width, height };
    this.currentMask = { width, height, data: this.baseMask.slice() };
    this.entries = [];
    this.applied = 0;
    this.saved = 0;
  }

  /** The image bytes after the first `index` edits. */
  imageAt(index: number): Uint8Array {
    return this.lastGenerationBefore(index)?.png ?? this.baseImage;
  }

  /** The document's size after the first `index` edits. */
  sizeAt(index: number): ImageSize {
    for (let i = Math.min(index, this.entries.length) - 1; i >= 0; i--) {
      const edit = this.entries[i]!.edit;
      if (edit.kind === 'expand') return { ...edit.to };
    }
    return { ...this.baseSize };
  }

  /** Image, mask and size after the first `index` edits, for index ≤ the current position (mask rewound through undo patches). */
  stateAt(index: number): SizedInpaintState {
    if (!Number.isInteger(index) || index < 0 || index > this.applied) {
      throw new RangeError(`State ${index} is not reachable backwards from ${this.applied}.`);
    }
    let mask: Mask = { width: this.width, height: this.height, data: this.currentMask.data.slice() };
    for (let i = this.applied - 1; i >= index; i--) {
      const entry = this.entries[i]!;
      const before = entry.before;
      if (!before) continue;
      if (entry.edit.kind === 'expand') mask = patchMask(before);
      else writeMaskRegion(mask, before.rect, decodeMaskRle(before.rle, before.rect.width * before.rect.height));
    }
    return { image: this.imageAt(index), mask: mask.data, width: mask.width, height: mask.height };
  }

  /**
   * What a hot-exit backup needs: the state at the saved position (or the current one when that is
   * behind or unreachable) and the edits from there to the current position. Redo branches are dropped.
   */
  backupSnapshot(): { width: number; height: number; base: InpaintState; edits: InpaintEdit[] } {
    const from = this.saved === undefined ? this.applied : Math.min(this.saved, this.applied);
    const { image, mask, width, height } = this.stateAt(from);
    return { width, height, base: { image, mask }, edits: this.entries.slice(from, this.applied).map((e) => e.edit) };
  }

  /** The mask as it was at the saved position, with its size (the current mask when that state is unreachable). */
  savedMask(): Mask {
    if (this.saved === undefined) return { ...this.currentMask, data: this.currentMask.data.slice() };
    if (this.saved <= this.applied) {
      const { mask, width, height } = this.stateAt(this.saved);
      return { width, height, data: mask };
    }
    // Forward of here (undone past the save): replay the undone edits' after-patches on a copy.
    let mask: Mask = { width: this.width, height: this.height, data: this.currentMask.data.slice() };
    for (let i = this.applied; i < this.saved; i++) {
      const entry = this.entries[i]!;
      const after = entry.after;
      if (!after) continue;
      if (entry.edit.kind === 'expand') mask = patchMask(after);
      else writeMaskRegion(mask, after.rect, decodeMaskRle(after.rle, after.rect.width * after.rect.height));
    }
    return mask;
  }

  private lastGenerationBefore(index: number): ImageEdit | undefined {
    for (let i = Math.min(index, this.entries.length) - 1; i >= 0; i--) {
      const edit = this.entries[i]!.edit;
      if (edit.kind !== 'mask') return edit;
    }
    return undefined;
  }

  /** The whole mask, run-length coded (what an expand edit's undo and redo restore). */
  private captureAll(): MaskPatch {
    return this.capture({ x: 0, y: 0, width: this.currentMask.width, height: this.currentMask.height });
  }

  /** Replaces the mask, size and all, by a whole-mask patch. */
  private replaceMask(patch: MaskPatch): void {
    this.currentMask = patchMask(patch);
  }

  private capture(rect: Rect): MaskPatch {
    return { rect, rle: isEmptyRect(rect) ? new Uint8Array(0) : encodeMaskRle(readMaskRegion(this.currentMask, rect)) };
  }

  private restore(patch: MaskPatch): void {
    if (isEmptyRect(patch.rect)) return;
    writeMaskRegion(this.currentMask, patch.rect, decodeMaskRle(patch.rle, patch.rect.width * patch.rect.height));
  }

  private checkedMask(mask: Uint8Array | undefined, width: number, height: number): Uint8Array {
    const size = width * height;
    if (mask === undefined) return new Uint8Array(size);
    if (mask.length !== size) throw new RangeError(`Mask has ${mask.length} bytes, expected ${size}.`);
    return mask.slice();
  }
}

/** The mask a whole-mask patch holds (its rectangle at the origin is the mask's size). */
function patchMask(patch: MaskPatch): Mask {
  const { width, height } = patch.rect;
  return { width, height, data: decodeMaskRle(patch.rle, width * height) };
}
