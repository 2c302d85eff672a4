// The inpaint editor's CustomDocument: the VS Code side of one document. Its logic (image, mask, edit stack, undo
// closures, save bytes, revert / reload, the generation job) is InpaintDocumentState, which has no vscode import
// and is unit-tested; this class reads and writes the file through vscode.workspace.fs, watches it on disk, asks
// the user when it changed under unsaved edits, and restores hot-exit backups. Every edit is announced through
// onDidEdit with undo/redo closures, which the provider forwards as onDidChangeCustomDocument so VS Code's own
// undo/redo (Ctrl+Z) drives it; views follow onDidChangeMask / onDidChangeImage / onDidResize / onDidReload.
import * as vscode from 'vscode';
import type { InpaintCandidate, InpaintDocumentInfo, InpaintExpand, InpaintSettings, MaskOp } from '../../common/protocol/inpaintEditorProtocol';
import type { ExpandMargins } from '../../common/outpaint/expandMargins';
import type { Mask } from '../../common/mask/maskRect';
import { Disposable } from '../util/dispose';
import { Emitter } from './emitter';
import type { ImageFileFormat } from './imageFormat';
import {
  InpaintDocumentState,
  sha256,
  type InpaintDocumentDeps,
  type InpaintDocumentStateOptions,
  type LossySaveChoice,
  type LossySaveQuestion,
} from './inpaintDocumentState';
import type { InpaintJobRunner } from './inpaintJobRunner';

export { InpaintUserError, type InpaintDocumentDeps, type InpaintMaskChange, type InpaintUndoableEdit } from './inpaintDocumentState';

export class InpaintDocument extends Disposable implements vscode.CustomDocument {
  /** Reads the file (or restores a hot-exit backup) and builds the document. */
  static async create(
    uri: vscode.Uri,
    openContext: vscode.CustomDocumentOpenContext,
    deps: InpaintDocumentDeps,
  ): Promise<InpaintDocument> {
    const options: InpaintDocumentStateOptions = {
      path: uri.path,
      isReadonly: () => vscode.workspace.fs.isWritableFileSystem(uri.scheme) === false,
    };
    if (openContext.backupId) {
      try {
        const state = await InpaintDocumentState.fromBackup(
          await vscode.workspace.fs.readFile(vscode.Uri.parse(openContext.backupId)),
          options,
          deps,
        );
        deps.log.info(`Restored ${uri.toString(true)} from a backup.`);
        const doc = new InpaintDocument(uri, state, deps);
        void doc.refreshDiskHash();
        return doc;
      } catch (error) {
        deps.log.warn(`Could not restore ${uri.toString(true)} from its backup, opening the file instead: ${String(error)}`);
      }
    }
    // Own copy: a Buffer from Node's pool would keep (and post) its whole backing store.
    const bytes = new Uint8Array(openContext.untitledDocumentData ?? (await vscode.workspace.fs.readFile(uri)));
    const state = await InpaintDocumentState.fromBytes(bytes, options, deps, openContext.untitledDocumentData ? undefined : sha256(bytes));
    return new InpaintDocument(uri, state, deps);
  }

  private readonly disposeEmitter = new Emitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  private constructor(
    readonly uri: vscode.Uri,
    private readonly state: InpaintDocumentState,
    private readonly deps: InpaintDocumentDeps,
  ) {
    super();
    this.register(state);
    this.watchFile();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose(); // cancels a running job (the editor closed)
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }

  get jobs(): InpaintJobRunner {
    return this.state.jobs;
  }
  get onDidEdit(): InpaintDocumentState['onDidEdit'] {
    return this.state.onDidEdit;
  }
  get onDidChangeMask(): InpaintDocumentState['onDidChangeMask'] {
    return this.state.onDidChangeMask;
  }
  get onDidChangeImage(): InpaintDocumentState['onDidChangeImage'] {
    return this.state.onDidChangeImage;
  }
  get onDidResize(): InpaintDocumentState['onDidResize'] {
    return this.state.onDidResize;
  }
  get onDidReload(): InpaintDocumentState['onDidReload'] {
    return this.state.onDidReload;
  }
  get onDidNotice(): InpaintDocumentState['onDidNotice'] {
    return this.state.onDidNotice;
  }
  get fileName(): string {
    return this.state.fileName;
  }
  get format(): ImageFileFormat {
    return this.state.format;
  }
  get width(): number {
    return this.state.width;
  }
  get height(): number {
    return this.state.height;
  }
  get readonly(): boolean {
    return this.state.readonly;
  }
  imageParameters(): Promise<string | undefined> {
    return this.state.imageParameters();
  }

  get info(): InpaintDocumentInfo {
    return this.state.info;
  }
  get mask(): Mask {
    return this.state.mask;
  }
  get maskRevision(): number {
    return this.state.maskRevision;
  }
  get imageRevision(): number {
    return this.state.imageRevision;
  }
  get isDirty(): boolean {
    return this.state.isDirty;
  }
  get image(): { bytes: Uint8Array; mimeType: string } {
    return this.state.image;
  }

  applyMaskOp(op: MaskOp, baseRevision: number, origin: unknown): void {
    this.state.applyMaskOp(op, baseRevision, origin);
  }

  applyCandidate(candidate: InpaintCandidate, of?: { width: number; height: number; expand?: ExpandMargins }): void {
    this.state.applyCandidate(candidate, of);
  }

  generate(settings: InpaintSettings, expand?: InpaintExpand): Promise<void> {
    return this.state.generate(settings, expand);
  }

  // ─── Save, revert, backup ─────────────────────────────────────────────────────────────────────

  async save(_token: vscode.CancellationToken): Promise<void> {
    const plan = await this.state.planSave((question) => askLossySave(question));
    if (plan.kind === 'notChosen') {
      // Nothing written: the document stays dirty, and the next save asks again.
      throw new vscode.CancellationError();
    }
    if (plan.kind === 'pngBeside') {
      const target = vscode.Uri.joinPath(this.uri, '..', plan.name);
      await vscode.workspace.fs.writeFile(target, plan.bytes);
      this.deps.log.info(`Saved ${this.uri.toString(true)} as ${target.toString(true)} (PNG beside the lossy original, ${plan.bytes.length} bytes); the original is unchanged.`);
      this.state.notice({ level: 'info', message: `Saved as ${plan.name} beside ${this.fileName}; ${this.fileName} itself is unchanged.` });
      return;
    }
    const bytes = plan.bytes;
    // A mask-only change leaves the file as it is: do not rewrite identical bytes.
    if (sha256(bytes) !== this.state.diskHash) await vscode.workspace.fs.writeFile(this.uri, bytes);
    this.state.markSaved(bytes);
    this.deps.log.info(`Saved ${this.uri.toString(true)} (${bytes.length} bytes).`);
  }

  async saveAs(target: vscode.Uri, _token: vscode.CancellationToken): Promise<void> {
    const { bytes, format } = await this.state.bytesToSaveAs(target.path);
    await vscode.workspace.fs.writeFile(target, bytes);
    this.deps.log.info(`Saved ${this.uri.toString(true)} as ${target.toString(true)} (${format}, ${bytes.length} bytes).`);
  }

  /** Re-reads the file and drops the edits; the mask goes back to what it was when last saved. */
  async revert(_token: vscode.CancellationToken): Promise<void> {
    await this.state.revert(new Uint8Array(await vscode.workspace.fs.readFile(this.uri)));
  }

  async backup(destination: vscode.Uri, _token: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    await vscode.workspace.fs.writeFile(destination, this.state.backupBytes());
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

  // ─── The file on disk ─────────────────────────────────────────────────────────────────────────

  private async refreshDiskHash(): Promise<void> {
    try {
      this.state.diskHash = sha256(await vscode.workspace.fs.readFile(this.uri));
    } catch {
      this.state.diskHash = undefined;
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
      watcher.onDidDelete(() => this.state.notice({ level: 'warning', message: `${this.fileName} was deleted on disk. Save to write it again.` })),
    );
  }

  private async onDiskChange(): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await vscode.workspace.fs.readFile(this.uri));
    } catch {
      return;
    }
    if (this.isDisposed || (await this.state.diskChanged(bytes)) !== 'conflict') return;
    const reload = 'Reload from Disk';
    const choice = await vscode.window.showWarningMessage(
      `${this.fileName} changed on disk while you have unsaved edits in the inpaint editor.`,
      reload,
      'Keep My Edits',
    );
    if (choice === reload && !this.isDisposed) await this.state.reload(bytes);
  }
}

/** The explicit choice the first Save of a changed JPEG / lossy WebP asks for (modal: auto-save cannot answer it). */
async function askLossySave(question: LossySaveQuestion): Promise<LossySaveChoice | undefined> {
  const png = `Save ${question.pngName} Beside It`;
  const overwrite = `Overwrite at Quality ${question.quality}`;
  const kind = question.format === 'jpeg' ? 'a JPEG' : 'a lossy WebP';
  const choice = await vscode.window.showWarningMessage(
    `${question.fileName} is ${kind}: overwriting it re-encodes every pixel, so pixels outside the mask shift.`,
    { modal: true, detail: `${question.pngName} keeps every pixel exact. This choice is kept for this editor.` },
    png,
    overwrite,
  );
  return choice === png ? 'pngBeside' : choice === overwrite ? 'overwrite' : undefined;
}
