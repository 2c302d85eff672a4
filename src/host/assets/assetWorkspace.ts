// The workspace's image assets: every local-diffusion.json / *.local-diffusion.json (found at start, then kept
// current by a FileSystemWatcher), each inspected as `local-diffusion build --check` does (src/node/assets/
// inspectAssets.ts: fresh / stale / missing, or failed when its model cannot be read), plus the entries whose last
// build failed. Re-inspected when a spec or an output changes. The tree view, the CodeLens and the build commands
// all read this one model.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeAssetSpecProblem } from '../../common/assets/parseAssetSpec';
import type { Catalog } from '../../node/modelStore/catalog';
import { inspectAssets, type AssetState } from '../../node/assets/inspectAssets';
import { AssetSpecError, isAssetSpecFileName, loadAssetSpec, type LoadedAssetSpec } from '../../node/assets/loadAssetSpec';
import { Disposable } from '../util/dispose';
import type { Log } from '../util/log';

/** Globs of spec files (the jsonValidation fileMatch of package.json). */
export const ASSET_SPEC_GLOB = '**/{local-diffusion.json,*.local-diffusion.json}';
export const ASSET_SPEC_EXCLUDE_GLOB = '**/node_modules/**';
/** Output changes arrive in bursts (a build writes a temporary file then renames it): one refresh per burst. */
const REFRESH_DELAY_MS = 300;

export type AssetEntryStatus = 'fresh' | 'stale' | 'missing' | 'failed';

export interface AssetEntryView {
  state: AssetState;
  status: AssetEntryStatus;
  /** Why it failed: the model cannot be read, or the last build's error. */
  error?: string;
}

export type AssetSpecView =
  | { file: string; spec: LoadedAssetSpec; entries: AssetEntryView[]; error?: undefined }
  /** A spec that cannot be read or is invalid: its first problem, and where it is. */
  | { file: string; error: string; position?: { line: number; column: number }; spec?: undefined; entries?: undefined };

export interface AssetWorkspaceDeps {
  log: Log;
  modelsFolder: () => string;
  catalog: () => Catalog | undefined;
}

export class AssetWorkspace extends Disposable {
  private readonly specs = new Map<string, AssetSpecView>();
  /** file → the hash it was built for and the error, so a changed entry is no longer "failed". */
  private readonly failures = new Map<string, { hash: string | undefined; error: string }>();
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;

  constructor(private readonly deps: AssetWorkspaceDeps) {
    super();
    const specWatcher = this.register(vscode.workspace.createFileSystemWatcher(ASSET_SPEC_GLOB));
    this.register(specWatcher.onDidCreate((uri) => this.schedule(uri.fsPath)));
    this.register(specWatcher.onDidChange((uri) => this.schedule(uri.fsPath)));
    this.register(
      specWatcher.onDidDelete((uri) => {
        this.specs.delete(uri.fsPath);
        this.changed.fire();
      }),
    );
    const outputWatcher = this.register(vscode.workspace.createFileSystemWatcher('**/*.{png,webp,jpg,jpeg,PNG,WEBP,JPG,JPEG}'));
    const onOutput = (uri: vscode.Uri): void => {
      for (const view of this.specs.values()) if (view.entries?.some((e) => e.state.file === uri.fsPath)) this.schedule(view.file);
    };
    this.register(outputWatcher.onDidCreate(onOutput));
    this.register(outputWatcher.onDidChange(onOutput));
    this.register(outputWatcher.onDidDelete(onOutput));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.scan()));
    this.register({ dispose: () => clearTimeout(this.timer) });
  }

  /** Every spec, sorted by path. Scans the workspace the first time. */
  async all(): Promise<AssetSpecView[]> {
    await (this.scanning ??= this.scan());
    return [...this.specs.values()].sort((a, b) => a.file.localeCompare(b.file));
  }

  /** One spec (inspected now if it was never seen: a spec outside the scanned folders, or just created). */
  async get(file: string): Promise<AssetSpecView> {
    await (this.scanning ??= this.scan());
    return this.specs.get(file) ?? (await this.inspect(file));
  }

  /** Finds every spec again and inspects each one. */
  async scan(): Promise<void> {
    const found = await vscode.workspace.findFiles(ASSET_SPEC_GLOB, ASSET_SPEC_EXCLUDE_GLOB);
    const files = found.filter((uri) => uri.scheme === 'file' && isAssetSpecFileName(path.basename(uri.fsPath))).map((uri) => uri.fsPath);
    this.specs.clear();
    await Promise.all(files.map((file) => this.inspect(file)));
    this.changed.fire();
  }

  /** Inspects one spec again now. */
  async refresh(file: string): Promise<AssetSpecView> {
    const view = await this.inspect(file);
    this.changed.fire();
    return view;
  }

  /** A build's outcome for one output: a failure is shown until the entry or its model changes or it builds. */
  recordResult(file: string, result: { hash?: string; error?: string }): void {
    if (result.error !== undefined) this.failures.set(file, { hash: result.hash, error: result.error });
    else this.failures.delete(file);
  }

  private schedule(file: string): void {
    if (!isAssetSpecFileName(path.basename(file))) return;
    this.pending.add(file);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const files = [...this.pending];
      this.pending = new Set();
      void Promise.all(files.map((f) => this.inspect(f))).then(() => this.changed.fire());
    }, REFRESH_DELAY_MS);
  }

  private async inspect(file: string): Promise<AssetSpecView> {
    let view: AssetSpecView;
    try {
      const spec = await loadAssetSpec(file);
      const catalog = this.deps.catalog();
      const states = await inspectAssets(spec, { modelsDir: this.deps.modelsFolder(), ...(catalog ? { catalog } : {}) });
      view = { file, spec, entries: states.map((state) => this.entryView(state)) };
    } catch (error) {
      if (error instanceof AssetSpecError && error.problems[0]) {
        const problem = error.problems[0];
        view = { file, error: describeAssetSpecProblem(problem), position: error.position(problem) };
      } else {
        view = { file, error: error instanceof Error ? error.message : String(error) };
      }
      this.deps.log.warn(`Image assets: ${file}: ${view.error}`);
    }
    this.specs.set(file, view);
    return view;
  }

  private entryView(state: AssetState): AssetEntryView {
    if (state.error !== undefined) return { state, status: 'failed', error: state.error };
    const failure = this.failures.get(state.file);
    if (failure && failure.hash === state.hash && state.status !== 'fresh') return { state, status: 'failed', error: failure.error };
    if (failure) this.failures.delete(state.file);
    return { state, status: state.status };
  }
}
