// The extension's model manager: the catalog, the models folder, the Hugging Face token, and downloads with a
// cancellable progress notification (file i/n, bytes, speed, time left), a confirmation with the size and the
// licence (accepted once per model), and errors that say what to do (with "Set Hugging Face Token" / "Retry").
// The downloading itself is src/node/modelStore (shared with the CLI).
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { CATALOG_FILE, catalogEntryForSource, licenceAcceptanceKey, loadCatalogSync, type Catalog, type CatalogEntry } from '../../node/modelStore/catalog';
import { describeDownloadProgress } from '../../node/modelStore/downloadProgress';
import { summariseSkipped } from '../../node/modelStore/fileSelection';
import { formatBytes } from '../../node/modelStore/formatBytes';
import { HubClient } from '../../node/modelStore/hubClient';
import { huggingFaceHubCacheDir } from '../../node/modelStore/huggingFaceCache';
import { listInstalledModels, type IncompleteDownload, type InstalledModel } from '../../node/modelStore/installedModels';
import { isInstallRunning, ModelInstaller, removeReplacedFolders, type InstallPlan } from '../../node/modelStore/modelInstaller';
import { formatModelSpec, type ModelSource } from '../../node/modelStore/modelSource';
import { ModelStoreError } from '../../node/modelStore/modelStoreError';
import { isCancelled } from '../../node/modelStore/retrySchedule';
import type { LocalDiffusionSettings } from '../settings';
import type { Log } from '../util/log';
import { HuggingFaceTokenStore } from './huggingFaceTokenStore';
import { modelsFolderFor } from './modelStorage';
import { proxyConfigFromVsCode } from './vscodeProxy';

const ACCEPTED_LICENCES_KEY = 'localDiffusion.acceptedLicences';

export interface ModelLibraryDeps {
  extensionPath: string;
  globalStoragePath: string;
  secrets: vscode.SecretStorage;
  /** Global state: accepted licences. */
  state: vscode.Memento;
  log: Log;
  settings: () => LocalDiffusionSettings;
}

export class ModelLibrary {
  readonly catalog: Catalog | undefined;
  readonly tokens: HuggingFaceTokenStore;
  private reportedFolderProblem = '';

  constructor(private readonly deps: ModelLibraryDeps) {
    this.tokens = new HuggingFaceTokenStore(deps.secrets);
    const file = path.join(deps.extensionPath, ...CATALOG_FILE);
    try {
      this.catalog = loadCatalogSync(file);
    } catch (error) {
      deps.log.error(`The model catalog could not be read: ${(error as Error).message}`);
    }
  }

  /** localDiffusion.modelsFolder, else <global storage>/models. */
  modelsFolder(): string {
    const choice = modelsFolderFor(this.deps.settings().modelsFolder, this.deps.globalStoragePath, os.homedir());
    if (choice.problem && choice.problem !== this.reportedFolderProblem) {
      this.reportedFolderProblem = choice.problem;
      this.deps.log.warn(choice.problem);
    }
    return choice.dir;
  }

  listInstalled(): Promise<{ installed: InstalledModel[]; incomplete: IncompleteDownload[] }> {
    return listInstalledModels(this.modelsFolder());
  }

  isDownloading(source: ModelSource): boolean {
    return isInstallRunning(this.modelsFolder(), source);
  }

  entryFor(source: ModelSource): CatalogEntry | undefined {
    return catalogEntryForSource(this.catalog, source);
  }

  private async installer(): Promise<ModelInstaller> {
    const found = await this.tokens.get();
    if (found) this.deps.log.info(`Hugging Face token from ${found.source}.`);
    const hub = new HubClient({
      ...(process.env.HF_ENDPOINT ? { endpoint: process.env.HF_ENDPOINT } : {}),
      ...(found ? { token: found.token } : {}),
      proxy: proxyConfigFromVsCode(vscode.workspace.getConfiguration('http'), process.env),
    });
    return new ModelInstaller({
      modelsDir: this.modelsFolder(),
      hub,
      huggingFaceCacheDir: huggingFaceHubCacheDir(process.env, os.homedir()),
      log: (line) => this.deps.log.info(line),
    });
  }

  private acceptedLicences(): Record<string, string> {
    const value = this.deps.state.get<unknown>(ACCEPTED_LICENCES_KEY);
    return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
  }

  private async confirm(plan: InstallPlan, entry: CatalogEntry | undefined): Promise<boolean> {
    const name = entry?.name ?? formatModelSpec(plan.source);
    const { selection } = plan;
    const mustAccept = entry?.licence.mustAccept === true && !this.acceptedLicences()[licenceAcceptanceKey(entry)];
    const detail = [
      `${selection.files.length} files from ${formatModelSpec(plan.source)} (commit ${plan.commit.slice(0, 10)}) into ${this.modelsFolder()}.`,
      selection.skipped.length > 0 ? `Not needed, skipped: ${summariseSkipped(selection.skipped, formatBytes)}.` : '',
      entry
        ? `Licence: ${entry.licence.name}${entry.licence.commercialUse ? '' : ' — non-commercial use only'} (${entry.licence.url}).`
        : `Licence: ${plan.license ?? 'not stated'} — read it on the model page before use.`,
      entry && !entry.verified ? `Note: the catalog could not verify this repository (${entry.evidence})` : '',
      ...selection.warnings,
      'An interrupted download resumes where it stopped.',
    ].filter((line) => line !== '');
    const download = mustAccept ? 'Accept Licence and Download' : 'Download';
    const open = mustAccept ? 'Read Licence' : 'Open Model Page';
    for (;;) {
      const choice = await vscode.window.showInformationMessage(
        `Download ${name} (${formatBytes(selection.totalBytes)})?`,
        { modal: true, detail: detail.join('\n\n') },
        download,
        open,
      );
      if (choice === download) {
        if (mustAccept && entry) {
          await this.deps.state.update(ACCEPTED_LICENCES_KEY, { ...this.acceptedLicences(), [licenceAcceptanceKey(entry)]: new Date().toISOString() });
          this.deps.log.info(`Accepted the ${entry.licence.name} for ${entry.name}.`);
        }
        return true;
      }
      if (choice !== open) return false;
      const url = mustAccept && entry ? entry.licence.url : `https://huggingface.co/${plan.source.repoId}`;
      await vscode.env.openExternal(vscode.Uri.parse(url));
    }
  }

  /**
   * Downloads (or resumes, updates, or joins a running download of) a model, after showing its size and
   * licence. Resolves with the installed model; undefined when the user declined or cancelled, or it failed
   * (the error is shown). Callers say what happens next (select it, offer to use it).
   */
  async download(source: ModelSource, options: { confirm?: boolean } = {}): Promise<InstalledModel | undefined> {
    const entry = this.entryFor(source);
    const name = entry?.name ?? formatModelSpec(source);
    try {
      await removeReplacedFolders(this.modelsFolder());
      const installer = await this.installer();
      let plan: InstallPlan | undefined;
      if (!installer.isDownloading(source)) {
        plan = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Looking up ${formatModelSpec(source)} on Hugging Face…`, cancellable: true },
          (_progress, token) => {
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            return installer.plan({ source, ...(entry ? { catalogId: entry.id, kind: entry.kind, ...(entry.files ? { files: entry.files } : {}), ...(entry.recommended ? { recommended: entry.recommended } : {}) } : {}), signal: controller.signal });
          },
        );
        if (plan.alreadyInstalled) {
          const { installed } = await this.listInstalled();
          const model = installed.find((m) => m.dir === plan!.installDir);
          if (model) return model;
        }
        if (options.confirm !== false && !(await this.confirm(plan, entry))) return undefined;
      }
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Downloading ${name}`, cancellable: true },
        (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          let reported = 0;
          return installer.install({
            source,
            ...(plan ? { plan } : {}),
            ...(entry ? { catalogId: entry.id, kind: entry.kind, ...(entry.files ? { files: entry.files } : {}), ...(entry.recommended ? { recommended: entry.recommended } : {}) } : {}),
            signal: controller.signal,
            onProgress: (p) => {
              const percent = p.totalBytes > 0 ? (100 * p.bytes) / p.totalBytes : 0;
              progress.report({ message: describeDownloadProgress(p), increment: Math.max(0, percent - reported) });
              reported = Math.max(reported, percent);
            },
          });
        },
      );
      if (!result.alreadyInstalled) {
        this.deps.log.info(
          `Downloaded ${name} into ${result.model.dir} (${formatBytes(result.downloadedBytes)} downloaded, ${formatBytes(result.reusedBytes)} reused, ${formatBytes(result.resumedBytes)} resumed).`,
        );
      }
      return result.model;
    } catch (error) {
      if (isCancelled(error)) {
        this.deps.log.info(`Download of ${name} cancelled; it resumes next time.`);
        return undefined;
      }
      return this.showError(error, source, name, options);
    }
  }

  private async showError(error: unknown, source: ModelSource, name: string, options: { confirm?: boolean }): Promise<InstalledModel | undefined> {
    const message = error instanceof Error ? error.message : String(error);
    this.deps.log.error(`Download of ${name}: ${message}`);
    if (error instanceof ModelStoreError && error.detail) this.deps.log.debug(error.detail);
    const code = error instanceof ModelStoreError ? error.code : undefined;
    const actions: string[] = [];
    if (code === 'gated' || code === 'unauthorized' || (code === 'notFound' && /token/.test(message))) actions.push('Set Hugging Face Token');
    if (code === 'network' || code === 'server' || code === 'busy' || code === 'diskFull') actions.push('Retry');
    actions.push('Show Log');
    const choice = await vscode.window.showErrorMessage(message, ...actions);
    if (choice === 'Show Log') this.deps.log.show();
    if (choice === 'Set Hugging Face Token') await vscode.commands.executeCommand(Commands.setHuggingFaceToken);
    if (choice === 'Retry') return this.download(source, { ...options, confirm: false });
    return undefined;
  }
}
