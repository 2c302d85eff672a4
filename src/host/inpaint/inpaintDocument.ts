// The inpaint editor's CustomDocument: the authoritative image bytes, the mask and the edit stack
// (InpaintEditModel), save / save as / revert / backup, the file on disk, and the document's generation job.
// Every edit is announced through onDidEdit with undo/redo closures, which the provider forwards as
// onDidChangeCustomDocument so VS Code's own undo/redo (Ctrl+Z) drives it; views follow the
// onDidChangeMask / onDidChangeImage / onDidReload events (the host is the source of truth).
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { GenerationService } from '../jobs/generationService';
import {
  maskOpLabel,
  type InpaintCandidate,
  type InpaintDocumentInfo,
  type InpaintSettings,
  type MaskOp,
} from '../../common/protocol/inpaintEditorProtocol';
import { Disposable } from '../util/dispose';
import type { Log } from '../util/log';
import { isMaskEmpty, maskRegionHash, type Mask, type Rect } from '../../common/mask/maskRect';
import { imageFormatFromPath, imageMimeType, isLossyFile, sniffImageFormat, type ImageFileFormat } from './imageFormat';
import { decodeInpaintBackup, encodeInpaintBackup } from './inpaintBackup';
import { InpaintEditModel, type InpaintEdit, type InpaintEditChange } from './inpaintEditModel';
import { encodeImageForSave, encodeMaskPng, probeImage, type ImageProbe } from './inpaintImageCodec';
import { InpaintJobRunner } from './inpaintJobRunner';

/** Above this many pixels, "whole image" generation loses a lot of detail: warn. */
const LARGE_IMAGE_PIXELS = 4096 * 4096;

export interface InpaintDocumentDeps {
  generation: GenerationService;
  log: Log;
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

/** A problem to show in the editor rather than as an error (nothing to generate from, …). */
export class InpaintUserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InpaintUserError';
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fileNameOf(uri: vscode.Uri): string {
  const path = uri.path;
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

export class InpaintDocument extends Disposable implements vscode.CustomDocument {
  /** Reads the file (or restores a hot-exit backup) and builds the document. */
  static async create(
    uri: vscode.Uri,
    openContext: vscode.CustomDocumentOpenContext,
    deps: InpaintDocumentDeps,
  ): Promise<InpaintDocument> {
    if (openContext.backupId) {
      try {
        const backup = decodeInpaintBackup(await vscode.workspace.fs.readFile(vscode.Uri.parse(openContext.backupId)));
        const probe = await probeImage(backup.base.image);
        if (probe.width !== backup.width || probe.height !== backup.height) throw new Error('the backup image and mask sizes differ.');
        const model = new InpaintEditModel(backup.width, backup.height, backup.base, backup.edits);
        deps.log.info(`Restored ${uri.toString(true)} from a backup (${backup.edits.length} pending edits).`);
        const doc = new InpaintDocument(uri, model, probe, deps, undefined);
        void doc.refreshDiskHash();
        return doc;
      } catch (error) {
        deps.log.warn(`Could not restore ${uri.toString(true)} from its backup, opening the file instead: ${String(error)}`);
      }
    }
    // Own copy: a Buffer from Node's pool would keep (and post) its whole backing store.
    const bytes = new Uint8Array(openContext.untitledDocumentData ?? (await vscode.workspace.fs.readFile(uri)));
    const probe = await probeImage(bytes);
    const model = new InpaintEditModel(probe.width, probe.height, { image: bytes });
    return new InpaintDocument(uri, model, probe, deps, openContext.untitledDocumentData ? undefined : sha256(bytes));
  }

  readonly jobs: InpaintJobRunner;
  private readonly editEmitter = this.register(new vscode.EventEmitter<InpaintUndoableEdit>());
  /** A new undoable edit (the provider turns it into onDidChangeCustomDocument). */
  readonly onDidEdit = this.editEmitter.event;
  private readonly maskEmitter = this.register(new vscode.EventEmitter<InpaintMaskChange>());
  readonly onDidChangeMask = this.maskEmitter.event;
  private readonly imageEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeImage = this.imageEmitter.event;
  /** Everything changed (revert, reload from disk): views start over from init. */
  private readonly reloadEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidReload = this.reloadEmitter.event;
  private readonly noticeEmitter = this.register(new vscode.EventEmitter<{ level: 'info' | 'warning' | 'error'; message: string }>());
  readonly onDidNotice = this.noticeEmitter.event;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  private maskRevisionValue = 0;
  private imageRevisionValue = 0;
  /** Bumped on revert/reload: undo/redo closures of older edits become no-ops. */
  private epoch = 0;
  /** True while a job is being prepared (the mask PNG is encoded), so a double click starts one job. */
  private starting = false;
  /** What we last read from or wrote to the file (sha-256), to tell our own writes from outside changes. */
  private diskHash: string | undefined;

  private constructor(
    readonly uri: vscode.Uri,
    private model: InpaintEditModel,
    private probe: ImageProbe,
    private readonly deps: InpaintDocumentDeps,
    diskHash: string | undefined,
  ) {
    super();
    this.diskHash = diskHash;
    this.jobs = this.register(new InpaintJobRunner(deps.generation, deps.log));
    this.watchFile();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose(); // cancels a running job (the editor closed)
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }

  get fileName(): string {
    return fileNameOf(this.uri);
  }

  /** The format Save writes: the file's extension, else what the bytes are. */
  get format(): ImageFileFormat {
    return imageFormatFromPath(this.uri.path) ?? this.probe.format;
  }

  get width(): number {
    return this.model.width;
  }

  get height(): number {
    return this.model.height;
  }

  get readonly(): boolean {
    return vscode.workspace.fs.isWritableFileSystem(this.uri.scheme) === false;
  }

  get info(): InpaintDocumentInfo {
    const warnings: string[] = [];
    const lossy = isLossyFile(this.format, this.model.imageAt(0));
    if (this.readonly) warnings.push('This file is on a read-only file system: use Save As… to keep your changes.');
    if (lossy) {
      warnings.push(
        `${this.format === 'jpeg' ? 'JPEG' : 'Lossy WebP'} is a lossy format: saving a changed image re-encodes all of it (quality 95), so pixels outside the mask shift slightly. Save As… PNG keeps them exact.`,
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

  get isDirty(): boolean {
    return this.model.isDirty;
  }

  /** The current image bytes and their type, for display (never re-encoded). */
  get image(): { bytes: Uint8Array; mimeType: string } {
    const bytes = this.model.image;
    return { bytes, mimeType: imageMimeType(sniffImageFormat(bytes) ?? this.probe.format) };
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

  /** Makes a candidate the document image (one undoable edit; undo restores the exact previous bytes). */
  applyCandidate(candidate: InpaintCandidate): void {
    const edit: InpaintEdit = { kind: 'generation', png: candidate.png, seed: candidate.seed, parameters: candidate.parameters };
    this.model.push(edit);
    this.imageRevisionValue++;
    this.imageEmitter.fire();
    this.announce(edit, 'Apply Inpaint Result');
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
    if (change.kind === 'image') {
      this.imageRevisionValue++;
      this.imageEmitter.fire();
      return;
    }
    const baseRevision = this.maskRevisionValue;
    this.maskRevisionValue++;
    this.maskEmitter.fire({ kind: 'region', rect: change.rect, revision: this.maskRevisionValue, baseRevision });
  }

  // ─── Generation ───────────────────────────────────────────────────────────────────────────────

  /** Starts an inpaint of the current image with the current mask; resolves when the job has ended. */
  async generate(settings: InpaintSettings): Promise<void> {
    if (this.starting || this.jobs.running) throw new InpaintUserError('A generation is already running for this image.');
    if (isMaskEmpty(this.model.mask)) throw new InpaintUserError('Paint a mask first: white areas are repainted.');
    this.starting = true;
    let maskPng: Uint8Array;
    const initImage = this.model.image;
    try {
      maskPng = await encodeMaskPng(this.model.mask.data.slice(), this.width, this.height);
    } finally {
      this.starting = false;
    }
    await this.jobs.run({ settings, initImage, maskPng, width: this.width, height: this.height, fileName: this.fileName });
  }

  // ─── Save, revert, backup ─────────────────────────────────────────────────────────────────────

  async save(_token: vscode.CancellationToken): Promise<void> {
    if (this.readonly) throw new Error(`${this.fileName} is on a read-only file system. Use Save As… to keep your changes.`);
    const bytes = await this.encode(this.format, true);
    const hash = sha256(bytes);
    // A mask-only change leaves the file as it is: do not rewrite identical bytes.
    if (hash !== this.diskHash) {
      await vscode.workspace.fs.writeFile(this.uri, bytes);
      this.diskHash = hash;
    }
    this.model.markSaved();
    this.deps.log.info(`Saved ${this.uri.toString(true)} (${bytes.length} bytes).`);
  }

  async saveAs(target: vscode.Uri, _token: vscode.CancellationToken): Promise<void> {
    const format = imageFormatFromPath(target.path) ?? this.format;
    const bytes = await this.encode(format, false);
    await vscode.workspace.fs.writeFile(target, bytes);
    this.deps.log.info(`Saved ${this.uri.toString(true)} as ${target.toString(true)} (${format}, ${bytes.length} bytes).`);
  }

  /** Re-reads the file and drops the edits; the mask goes back to what it was when last saved. */
  async revert(_token: vscode.CancellationToken): Promise<void> {
    const bytes = new Uint8Array(await vscode.workspace.fs.readFile(this.uri));
    await this.reload(bytes, this.model.savedMask());
  }

  async backup(destination: vscode.Uri, _token: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    const snapshot = this.model.backupSnapshot();
    const bytes = encodeInpaintBackup({ width: this.width, height: this.height, ...snapshot });
    await vscode.workspace.fs.writeFile(destination, bytes);
    return {
      id: destination.toString(),
      delete: async () => {
        try {
          await vscode.workspace.fs.delete(destination);
        } catch {
          // Already gone.
        }
      },
    };
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

  private async reload(bytes: Uint8Array, mask: Uint8Array | undefined): Promise<void> {
    const probe = await probeImage(bytes);
    const sameSize = probe.width === this.width && probe.height === this.height;
    // Candidates were composited onto the image as it was when their job ran: after a revert or a reload from
    // disk, applying one would bring back pixels outside its mask that are no longer the document's.
    this.jobs.discard();
    if (!sameSize) {
      this.model = new InpaintEditModel(probe.width, probe.height, { image: bytes });
    } else {
      this.model.reset({ image: bytes, ...(mask ? { mask } : {}) });
    }
    this.probe = probe;
    this.diskHash = sha256(bytes);
    this.epoch++;
    this.maskRevisionValue++;
    this.imageRevisionValue++;
    this.reloadEmitter.fire();
  }

  // ─── The file on disk ─────────────────────────────────────────────────────────────────────────

  private async refreshDiskHash(): Promise<void> {
    try {
      this.diskHash = sha256(await vscode.workspace.fs.readFile(this.uri));
    } catch {
      this.diskHash = undefined;
    }
  }

  private watchFile(): void {
    if (this.uri.scheme === 'untitled') return;
    let watcher: vscode.FileSystemWatcher;
    try {
      watcher = this.register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.uri, '*')));
    } catch (error) {
      this.deps.log.debug(`Inpaint editor: cannot watch ${this.uri.toString(true)}: ${String(error)}`);
      return;
    }
    const changed = (): void => void this.onDiskChange();
    this.register(watcher.onDidChange(changed));
    this.register(watcher.onDidCreate(changed));
    this.register(
      watcher.onDidDelete(() =>
        this.noticeEmitter.fire({ level: 'warning', message: `${this.fileName} was deleted on disk. Save to write it again.` }),
      ),
    );
  }

  private async onDiskChange(): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await vscode.workspace.fs.readFile(this.uri));
    } catch {
      return;
    }
    const hash = sha256(bytes);
    if (hash === this.diskHash || this.isDisposed) return; // our own save, or no real change
    this.diskHash = hash;
    if (!this.model.isDirty) {
      try {
        await this.reload(bytes, this.model.mask.data.slice());
        this.noticeEmitter.fire({ level: 'info', message: `${this.fileName} changed on disk and was reloaded.` });
      } catch (error) {
        this.noticeEmitter.fire({ level: 'error', message: `${this.fileName} changed on disk and cannot be read: ${String(error)}` });
      }
      return;
    }
    const reload = 'Reload from Disk';
    const choice = await vscode.window.showWarningMessage(
      `${this.fileName} changed on disk while you have unsaved edits in the inpaint editor.`,
      reload,
      'Keep My Edits',
    );
    if (choice === reload && !this.isDisposed) await this.reload(bytes, this.model.mask.data.slice());
  }
}
