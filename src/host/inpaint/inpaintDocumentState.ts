// The inpaint editor document's logic, without VS Code: the authoritative image bytes, the mask and the edit stack
// (InpaintEditModel), the edits announced with undo/redo closures, the bytes to save, revert / reload, the hash of
// what is on disk, and the document's generation job. InpaintDocument (the vscode.CustomDocument) does the file
// I/O, the file watcher and the dialogs, and forwards to this; unit tests drive this class directly.
import { createHash } from 'node:crypto';
import type { GenerationService } from '../jobs/generationService';
import {
  maskOpLabel,
  type InpaintCandidate,
  type InpaintDocumentInfo,
  type InpaintExpand,
  type InpaintSettings,
  type MaskOp,
} from '../../common/protocol/inpaintEditorProtocol';
import { Disposable } from '../util/dispose';
import type { Log } from '../util/log';
import { isMaskEmpty, maskRegionHash, type Mask, type Rect } from '../../common/mask/maskRect';
import { IMAGE_QUALITY, readImageParameters } from '../../node/image/imageCodec';
import { promptProblem } from '../../common/prompt/promptProblem';
import { expandProblem, expandedSize, type ExpandMargins } from '../../common/outpaint/expandMargins';
import { Emitter } from './emitter';
import { imageFormatFromPath, imageMimeType, isLossyFile, sniffImageFormat, type ImageFileFormat } from './imageFormat';
import { decodeInpaintBackup, encodeInpaintBackup } from './inpaintBackup';
import { InpaintEditModel, expandEditProblem, type InpaintEdit, type InpaintEditChange } from './inpaintEditModel';
import { encodeImageForSave, encodeMaskPng, probeImage, type ImageProbe } from './inpaintImageCodec';
import { InpaintJobRunner } from './inpaintJobRunner';

/** Above this many pixels, "whole image" generation loses a lot of detail: warn. */
const LARGE_IMAGE_PIXELS = 4096 * 4096;

/** The choice the first Save of a changed lossy file asks for. */
export type LossySaveChoice = 'pngBeside' | 'overwrite';
export interface LossySaveQuestion {
  fileName: string;
  format: ImageFileFormat;
  /** The quality overwriting re-encodes at. */
  quality: number;
  /** The PNG written beside the file. */
  pngName: string;
}
export type SavePlan =
  | { kind: 'inPlace'; bytes: Uint8Array }
  | { kind: 'pngBeside'; bytes: Uint8Array; name: string }
  | { kind: 'notChosen' };

/** photo.jpg → photo.png (the folder is the file's own). */
export function pngNameBeside(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return `${dot > 0 ? fileName.slice(0, dot) : fileName}.png`;
}

export type InpaintLog = Pick<Log, 'debug' | 'info' | 'warn' | 'error'>;

export interface InpaintDocumentDeps {
  generation: GenerationService;
  log: InpaintLog;
}

/** An edit for VS Code's undo stack. */
export interface InpaintUndoableEdit {
  label: string;
  undo(): void;
  redo(): void;
}

export type InpaintMaskChange =
  /** An op was applied: views other than `origin` apply it too; hash = maskRegionHash over rect after it. */
  | { kind: 'op'; op: MaskOp; rect: Rect; revision: number; hash: number; origin: unknown; stale: boolean }
  /** Undo / redo restored `rect`: apply it on top of baseRevision. */
  | { kind: 'region'; rect: Rect; revision: number; baseRevision: number };

export interface InpaintNotice {
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** A problem to show in the editor rather than as an error (nothing to generate from, …). */
export class InpaintUserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InpaintUserError';
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What a change of the file on disk led to. */
export type DiskChangeOutcome = 'unchanged' | 'reloaded' | 'unreadable' | 'conflict';

export interface InpaintDocumentStateOptions {
  /** The document's path (a URI path): its file name and the format Save writes. */
  path: string;
  /** Whether the file system refuses writes (asked each time: it can change). */
  isReadonly?: () => boolean;
}

export class InpaintDocumentState extends Disposable {
  /** A document of the file's bytes (an untitled document: diskHash undefined). */
  static async fromBytes(
    bytes: Uint8Array,
    options: InpaintDocumentStateOptions,
    deps: InpaintDocumentDeps,
    diskHash: string | undefined,
  ): Promise<InpaintDocumentState> {
    const probe = await probeImage(bytes);
    const model = new InpaintEditModel(probe.width, probe.height, { image: bytes });
    return new InpaintDocumentState(model, probe, options, deps, diskHash);
  }

  /** A document restored from a hot-exit backup (encodeInpaintBackup); throws when the backup is unusable. */
  static async fromBackup(backupBytes: Uint8Array, options: InpaintDocumentStateOptions, deps: InpaintDocumentDeps): Promise<InpaintDocumentState> {
    const backup = decodeInpaintBackup(backupBytes);
    const probe = await probeImage(backup.base.image);
    if (probe.width !== backup.width || probe.height !== backup.height) throw new Error('the backup image and mask sizes differ.');
    const model = new InpaintEditModel(backup.width, backup.height, backup.base, backup.edits);
    return new InpaintDocumentState(model, probe, options, deps, undefined);
  }

  readonly jobs: InpaintJobRunner;
  private readonly editEmitter = this.register(new Emitter<InpaintUndoableEdit>());
  /** A new undoable edit (the provider turns it into onDidChangeCustomDocument). */
  readonly onDidEdit = this.editEmitter.event;
  private readonly maskEmitter = this.register(new Emitter<InpaintMaskChange>());
  readonly onDidChangeMask = this.maskEmitter.event;
  private readonly imageEmitter = this.register(new Emitter<void>());
  readonly onDidChangeImage = this.imageEmitter.event;
  /** The size changed (an expand edit applied, undone or redone): image, size and the whole mask are new. */
  private readonly resizeEmitter = this.register(new Emitter<void>());
  readonly onDidResize = this.resizeEmitter.event;
  /** Everything changed (revert, reload from disk): views start over from init. */
  private readonly reloadEmitter = this.register(new Emitter<void>());
  readonly onDidReload = this.reloadEmitter.event;
  private readonly noticeEmitter = this.register(new Emitter<InpaintNotice>());
  readonly onDidNotice = this.noticeEmitter.event;

  private maskRevisionValue = 0;
  private imageRevisionValue = 0;
  /** Bumped on revert/reload: undo/redo closures of older edits become no-ops. */
  private epoch = 0;
  /**
   * The document's version: bumped whenever its image changes (revert, reload from disk, a result applied, undo /
   * redo of one). A job is tied to the version it started from; when it changes, the job is cancelled and its
   * results discarded (candidates are composited onto the job's image, and sized like it).
   */
  private versionValue = 0;
  /** True while a job is being prepared (the mask PNG is encoded), so a double click starts one job. */
  private starting = false;
  /** What we last read from or wrote to the file (sha-256), to tell our own writes from outside changes. */
  private diskHashValue: string | undefined;
  /** The user's answer to the first Save of a changed lossy file (asked once per document). */
  private lossySaveChoice: LossySaveChoice | undefined;
  private imageParametersRead: Promise<string | undefined> | undefined;

  private constructor(
    private model: InpaintEditModel,
    private probe: ImageProbe,
    private readonly options: InpaintDocumentStateOptions,
    private readonly deps: InpaintDocumentDeps,
    diskHash: string | undefined,
  ) {
    super();
    this.diskHashValue = diskHash;
    this.jobs = this.register(new InpaintJobRunner(deps.generation, deps.log));
  }

  get fileName(): string {
    const path = this.options.path;
    return path.slice(path.lastIndexOf('/') + 1) || path;
  }

  /** The format Save writes: the file's extension, else what the bytes are. */
  get format(): ImageFileFormat {
    return imageFormatFromPath(this.options.path) ?? this.probe.format;
  }

  get width(): number {
    return this.model.width;
  }

  get height(): number {
    return this.model.height;
  }

  get readonly(): boolean {
    return this.options.isReadonly?.() ?? false;
  }

  get info(): InpaintDocumentInfo {
    const warnings: string[] = [];
    const lossy = isLossyFile(this.format, this.model.imageAt(0));
    if (this.readonly) warnings.push('This file is on a read-only file system: use Save As… to keep your changes.');
    if (lossy) {
      warnings.push(
        `${this.format === 'jpeg' ? 'JPEG' : 'Lossy WebP'} is a lossy format: re-encoding a changed image shifts pixels outside the mask. The first save asks: a PNG beside it (exact) or overwrite at quality ${IMAGE_QUALITY}; auto-save never overwrites it without that choice.`,
      );
    }
    if (this.width * this.height > LARGE_IMAGE_PIXELS) {
      warnings.push(
        `This image is ${this.width}×${this.height}. With "Only masked" off the whole image is generated at about the model's size and scaled back, losing detail: keep "Only masked" on.`,
      );
    }
    if (this.probe.orientation > 1) warnings.push('This image has an EXIF orientation: it is edited and saved upright.');
    return { fileName: this.fileName, format: this.format, width: this.width, height: this.height, readonly: this.readonly, lossy, warnings };
  }

  get mask(): Mask {
    return this.model.mask;
  }

  get maskRevision(): number {
    return this.maskRevisionValue;
  }

  get imageRevision(): number {
    return this.imageRevisionValue;
  }

  get version(): number {
    return this.versionValue;
  }

  get isDirty(): boolean {
    return this.model.isDirty;
  }

  /** The sha-256 of what was last read from or written to the file. */
  get diskHash(): string | undefined {
    return this.diskHashValue;
  }

  set diskHash(hash: string | undefined) {
    this.diskHashValue = hash;
  }

  /** The current image bytes and their type, for display (never re-encoded). */
  get image(): { bytes: Uint8Array; mimeType: string } {
    const bytes = this.model.image;
    return { bytes, mimeType: imageMimeType(sniffImageFormat(bytes) ?? this.probe.format) };
  }

  notice(notice: InpaintNotice): void {
    this.noticeEmitter.fire(notice);
  }

  // ─── Edits ────────────────────────────────────────────────────────────────────────────────────

  /** Applies a finished stroke / tool action from a view (`origin`), made on top of `baseRevision`. */
  applyMaskOp(op: MaskOp, baseRevision: number, origin: unknown): void {
    const stale = baseRevision !== this.maskRevisionValue;
    const edit: InpaintEdit = { kind: 'mask', op };
    const change = this.model.push(edit);
    if (change.kind !== 'mask') return;
    this.maskRevisionValue++;
    this.maskEmitter.fire({
      kind: 'op',
      op,
      rect: change.rect,
      revision: this.maskRevisionValue,
      hash: maskRegionHash(this.model.mask, change.rect),
      origin,
      stale,
    });
    this.announce(edit, maskOpLabel(op));
  }

  /**
   * Makes a candidate the document image (one undoable edit; undo restores the exact previous bytes). With `expand`
   * (an Expand canvas result: the image grown by these margins) the edit also changes the document's size and moves
   * the mask onto the larger canvas; undo gives back the old size, image and mask. `of`: the job's results'
   * size (InpaintCandidates), checked against what the edit makes.
   */
  applyCandidate(candidate: InpaintCandidate, of?: { width: number; height: number; expand?: ExpandMargins }): void {
    const reason = 'Another result was applied while this one was generating: it was cancelled.';
    const expand = of?.expand;
    const from = { width: this.width, height: this.height };
    const to = expand ? expandedSize(from.width, from.height, expand) : from;
    if (of && (of.width !== to.width || of.height !== to.height)) {
      // Another result of the same Expand canvas job is applied already: the document has the results' size.
      throw new InpaintUserError(
        `That ${of.width}×${of.height} result was made from an image of another size than this ${from.width}×${from.height} one: undo back to that size to apply it.`,
      );
    }
    if (expand) {
      const edit: InpaintEdit = { kind: 'expand', png: candidate.png, seed: candidate.seed, parameters: candidate.parameters, from, to, offset: { x: expand.left, y: expand.top } };
      const problem = expandEditProblem(edit, from);
      if (problem) throw new InpaintUserError(`That result cannot be applied: ${problem}.`);
      this.model.push(edit);
      this.sizeChanged(reason);
      this.announce(edit, 'Expand Canvas');
      return;
    }
    const edit: InpaintEdit = { kind: 'generation', png: candidate.png, seed: candidate.seed, parameters: candidate.parameters };
    this.model.push(edit);
    this.imageRevisionValue++;
    this.imageChanged(reason);
    this.imageEmitter.fire();
    this.announce(edit, 'Apply Inpaint Result');
  }

  /** Image, size and mask changed at once: new revisions of both, then one resize event. */
  private sizeChanged(reason: string): void {
    this.imageRevisionValue++;
    this.maskRevisionValue++;
    this.imageChanged(reason);
    this.resizeEmitter.fire();
  }

  private announce(edit: InpaintEdit, label: string): void {
    const epoch = this.epoch;
    this.editEmitter.fire({
      label,
      undo: () => {
        if (epoch !== this.epoch || this.model.lastApplied !== edit) {
          this.deps.log.warn(`Inpaint editor: ignored a stale undo of "${label}".`);
          return;
        }
        this.publish(this.model.undo());
      },
      redo: () => {
        if (epoch !== this.epoch || this.model.nextRedo !== edit) {
          this.deps.log.warn(`Inpaint editor: ignored a stale redo of "${label}".`);
          return;
        }
        this.publish(this.model.redo());
      },
    });
  }

  private publish(change: InpaintEditChange | undefined): void {
    if (!change) return;
    if (change.kind === 'size') {
      this.sizeChanged('The canvas size changed (undo / redo) while generating: the generation was cancelled.');
      return;
    }
    if (change.kind === 'image') {
      this.imageRevisionValue++;
      this.imageChanged('The image changed (undo / redo) while generating: the generation was cancelled.');
      this.imageEmitter.fire();
      return;
    }
    const baseRevision = this.maskRevisionValue;
    this.maskRevisionValue++;
    this.maskEmitter.fire({ kind: 'region', rect: change.rect, revision: this.maskRevisionValue, baseRevision });
  }

  // ─── Generation ───────────────────────────────────────────────────────────────────────────────

  /** The generation parameters the file itself carries (A1111 infotext), read once; undefined when it has none. */
  imageParameters(): Promise<string | undefined> {
    this.imageParametersRead ??= readImageParameters(this.model.imageAt(0)).catch(() => undefined);
    return this.imageParametersRead;
  }

  /**
   * Starts an inpaint of the current image with the current mask, or with `expand` an outpaint of it (Expand canvas:
   * the canvas grown by the margins, the mask unused); resolves when the job has ended.
   */
  async generate(settings: InpaintSettings, expand?: InpaintExpand): Promise<void> {
    if (this.starting || this.jobs.running) throw new InpaintUserError('A generation is already running for this image.');
    if (expand) {
      const problem = expandProblem(this.width, this.height, expand.margins) ?? promptProblem(settings.prompt);
      if (problem) throw new InpaintUserError(problem);
      const { width, height, fileName } = this;
      await this.jobs.run({ settings, initImage: this.model.image, width, height, fileName, expand });
      return;
    }
    if (isMaskEmpty(this.model.mask)) throw new InpaintUserError('Paint a mask first: white areas are repainted.');
    const problem = promptProblem(settings.prompt);
    if (problem) throw new InpaintUserError(problem);
    this.starting = true;
    let maskPng: Uint8Array;
    const initImage = this.model.image;
    const version = this.versionValue;
    try {
      maskPng = await encodeMaskPng(this.model.mask.data.slice(), this.width, this.height);
    } finally {
      this.starting = false;
    }
    if (version !== this.versionValue) throw new InpaintUserError('The image changed while the generation was starting: generate again.');
    await this.jobs.run({ settings, initImage, maskPng, width: this.width, height: this.height, fileName: this.fileName });
  }

  // ─── Save, revert, backup ─────────────────────────────────────────────────────────────────────

  /** The bytes Save writes to the document's own file. */
  async bytesToSave(): Promise<Uint8Array> {
    if (this.readonly) throw new Error(`${this.fileName} is on a read-only file system. Use Save As… to keep your changes.`);
    return this.encode(this.format, true);
  }

  /**
   * What Save (explicit or VS Code's auto-save: the editor API does not tell them apart) does. A changed image
   * in a lossy file (JPEG, lossy WebP) is never re-encoded in place without the user's explicit choice, asked
   * once per document through `choose`: a PNG beside it (exact pixels), or overwriting at the stated quality.
   * With no choice made, nothing is written ('notChosen') and the document stays dirty.
   */
  async planSave(choose: (question: LossySaveQuestion) => Promise<LossySaveChoice | undefined>): Promise<SavePlan> {
    const bytes = await this.bytesToSave();
    if (sha256(bytes) === this.diskHashValue || !isLossyFile(this.format, this.model.imageAt(0))) return { kind: 'inPlace', bytes };
    this.lossySaveChoice ??= await choose({ fileName: this.fileName, format: this.format, quality: IMAGE_QUALITY, pngName: pngNameBeside(this.fileName) });
    if (this.lossySaveChoice === undefined) return { kind: 'notChosen' };
    if (this.lossySaveChoice === 'overwrite') return { kind: 'inPlace', bytes };
    return { kind: 'pngBeside', bytes: await this.encode('png', false), name: pngNameBeside(this.fileName) };
  }

  /** After Save wrote (or skipped writing identical) `bytes`: the document is clean and knows what is on disk. */
  markSaved(bytes: Uint8Array): void {
    this.diskHashValue = sha256(bytes);
    this.model.markSaved();
  }

  /** The bytes Save As writes to `targetPath`, in the format its extension names (else the document's). */
  async bytesToSaveAs(targetPath: string): Promise<{ bytes: Uint8Array; format: ImageFileFormat }> {
    const format = imageFormatFromPath(targetPath) ?? this.format;
    return { bytes: await this.encode(format, false), format };
  }

  /** The hot-exit backup of the document (its base, edits and mask). */
  backupBytes(): Uint8Array {
    return encodeInpaintBackup(this.model.backupSnapshot());
  }

  /** Revert to the file's `bytes`: the edits are dropped and the mask goes back to what it was when last saved. */
  async revert(bytes: Uint8Array): Promise<void> {
    await this.reload(bytes, this.model.savedMask());
  }

  /** A new version: the running job (started on the previous image) is cancelled and its results discarded. */
  private imageChanged(reason: string): void {
    this.versionValue++;
    this.jobs.cancelStale(reason);
  }

  private async encode(target: ImageFileFormat, sameFile: boolean): Promise<Uint8Array> {
    const base = this.model.imageAt(0);
    // Saving the file itself with no generation applied writes it back byte for byte, whatever it contains.
    if (sameFile && this.model.imageIsBase) return base;
    const parameters = this.model.imageEdit?.parameters;
    return encodeImageForSave({
      image: this.model.image,
      imageIsBase: this.model.imageIsBase,
      original: base,
      target,
      ...(parameters !== undefined ? { parameters } : {}),
    });
  }

  /** Replaces the image with `bytes` (revert, reload from disk); the mask is kept when its size is the image's. */
  async reload(bytes: Uint8Array, keep: Mask | undefined = { ...this.model.mask, data: this.model.mask.data.slice() }): Promise<void> {
    const probe = await probeImage(bytes);
    const sameSize = probe.width === this.width && probe.height === this.height;
    const mask = keep && keep.width === probe.width && keep.height === probe.height ? keep.data : undefined;
    // Candidates were composited onto the image as it was when their job ran: after a revert or a reload from
    // disk, applying one would bring back pixels outside its mask that are no longer the document's, or a result
    // of the old size. The running job is cancelled and the offered candidates dropped.
    this.imageChanged(`${this.fileName} was reloaded while generating: the generation was cancelled.`);
    this.jobs.discard();
    if (!sameSize) {
      this.model = new InpaintEditModel(probe.width, probe.height, { image: bytes, ...(mask ? { mask } : {}) });
    } else {
      this.model.reset({ image: bytes, ...(mask ? { mask } : {}) });
    }
    this.probe = probe;
    this.diskHashValue = sha256(bytes);
    this.epoch++;
    this.maskRevisionValue++;
    this.imageRevisionValue++;
    this.reloadEmitter.fire();
  }

  /**
   * The file on disk now holds `bytes`: nothing to do when they are what we last read or wrote; reloaded when the
   * document has no unsaved edits; else 'conflict' (the caller asks the user, then calls reload or not).
   */
  async diskChanged(bytes: Uint8Array): Promise<DiskChangeOutcome> {
    const hash = sha256(bytes);
    if (hash === this.diskHashValue || this.isDisposed) return 'unchanged'; // our own save, or no real change
    this.diskHashValue = hash;
    if (this.model.isDirty) return 'conflict';
    try {
      await this.reload(bytes);
      this.notice({ level: 'info', message: `${this.fileName} changed on disk and was reloaded.` });
      return 'reloaded';
    } catch (error) {
      this.notice({ level: 'error', message: `${this.fileName} changed on disk and cannot be read: ${String(error)}` });
      return 'unreadable';
    }
  }
}
