// The Generate Image panel (a WebviewPanel): one per window, HTML set once, driven by messages after the page's
// `ready`. The host keeps the results and the running job, so hiding the panel (no retainContextWhenHidden) loses
// nothing: the page keeps its form in getState/setState and gets the rest again with `init`. Every result is kept
// in the generation history (src/host/history/) as it arrives, so nothing is lost either when the panel is closed
// and opened again (the host remembers the form and the result ids in workspace state) or after a window reload
// (revived by a WebviewPanelSerializer; the page's saved state names the results, the history has their pixels).
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import * as vscode from 'vscode';
import { Commands, Settings, ViewTypes } from '../constants';
import type { GenerationService } from '../jobs/generationService';
import type { GenerateProgress } from '../../common/protocol/engineProtocol';
import {
  MAX_PANEL_RESULTS,
  parseFromGeneratePanelMessage,
  type FromGeneratePanelMessage,
  type GenerateFormValues,
  type KnownResult,
  type PanelInitImage,
  type PanelJob,
  type PanelModel,
  type PanelParameters,
  type PanelResult,
  type ResultAction,
  type ToGeneratePanelMessage,
} from '../../common/protocol/generatePanelProtocol';
import type { LocalDiffusionSettings } from '../settings';
import { SAMPLER_LABELS } from '../../common/samplers';
import type { HistoryStore } from '../history/historyStore';
import type { PanelSession, PanelSessionStore } from './panelSession';
import { Disposable } from '../util/dispose';
import { isCancellation, reportError } from '../util/failableCommand';
import { logError } from '../util/logError';
import type { Log } from '../util/log';
import { renderWebviewHtml, webviewResourceRoots } from '../util/webviewHtml';
import { displayPath, outputFolderUri } from '../output/outputFolder';
import { panelGenerationParams } from './panelGenerationParams';
import { tokenCountsReply } from '../prompt/tokenCountsReply';
import { loraListReply } from '../prompt/loraListReply';
import { ResultActions, type StoredResult } from './resultActions';

export interface GeneratePanelDeps {
  extensionUri: vscode.Uri;
  generation: GenerationService;
  log: Log;
  settings: () => LocalDiffusionSettings;
  /** The selected model as far as it is known without the engine (name, built-in, or why it is unusable). */
  selectedModel: () => PanelModel;
  /** Where every result is kept (and restored from). */
  history: HistoryStore;
  /** The form and result ids of the last panel, for the next one. */
  session: PanelSessionStore;
}

const TITLE = 'Generate Image';
const IMAGE_FILTERS = { Images: ['png', 'jpg', 'jpeg', 'webp'] };

interface RunningJob {
  readonly snapshot: PanelJob;
  readonly cancellation: vscode.CancellationTokenSource;
}

export class GeneratePanel extends Disposable {
  private static current: GeneratePanel | undefined;

  /** Reveals the panel, creating it if needed. */
  static createOrShow(deps: GeneratePanelDeps): GeneratePanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (GeneratePanel.current) {
      GeneratePanel.current.panel.reveal(column);
      return GeneratePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(ViewTypes.generatePanel, TITLE, column, webviewOptions(deps.extensionUri));
    return new GeneratePanel(panel, deps);
  }

  /** Restores the panel after a window reload; push the returned disposable into the composition root. */
  static registerSerializer(deps: GeneratePanelDeps): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ViewTypes.generatePanel, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        panel.webview.options = webviewOptions(deps.extensionUri);
        GeneratePanel.current?.dispose();
        new GeneratePanel(panel, deps);
      },
    });
  }

  /** Closes the panel (used when the extension is disposed). */
  static disposeCurrent(): void {
    GeneratePanel.current?.dispose();
  }

  private readonly results = new Map<string, StoredResult>();
  private readonly actions: ResultActions;
  private job: RunningJob | undefined;
  /** Parameters to fill the form with once the page is ready (Reuse parameters before the page has loaded). */
  private pendingParameters: PanelParameters | undefined;
  private session: PanelSession;
  private initImage: PanelInitImage | undefined;
  private nextJobId = 1;
  /** True between the page's `ready` and the moment it is hidden (its document is then discarded). */
  private pageReady = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: GeneratePanelDeps,
  ) {
    super();
    GeneratePanel.current = this;
    this.actions = new ResultActions(deps.log);
    this.session = deps.session.read();
    panel.title = TITLE;
    // Set once; from here on the page is driven by messages only.
    panel.webview.html = renderWebviewHtml(panel.webview, deps.extensionUri, {
      script: 'generate',
      styles: ['generate.css'],
      title: TITLE,
    });
    const disposables: vscode.Disposable[] = [];
    panel.onDidDispose(() => this.dispose(), null, disposables);
    panel.onDidChangeViewState(
      ({ webviewPanel }) => {
        if (!webviewPanel.visible) this.pageReady = false;
      },
      null,
      disposables,
    );
    panel.webview.onDidReceiveMessage((message: unknown) => void this.onMessage(message), null, disposables);
    vscode.workspace.onDidChangeConfiguration(
      (event) => {
        if (event.affectsConfiguration(`${Settings.section}.${Settings.model}`)) void this.sendModel();
      },
      null,
      disposables,
    );
    vscode.workspace.onDidGrantWorkspaceTrust(() => void this.sendModel(), null, disposables);
    for (const d of disposables) this.register(d);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (GeneratePanel.current === this) GeneratePanel.current = undefined;
    this.job?.cancellation.cancel();
    super.dispose();
    this.panel.dispose();
  }

  /** Fills the form (Reuse parameters, Open Parameters from Image…), now or as soon as the page is ready. */
  applyParameters(parameters: PanelParameters): void {
    if (this.pageReady) this.post({ type: 'applyParameters', parameters });
    else this.pendingParameters = parameters;
  }

  /** Whether the panel is on screen (the progress notification is only shown while it is not). */
  get visible(): boolean {
    return !this.isDisposed && this.panel.visible;
  }

  private post(message: ToGeneratePanelMessage): void {
    if (!this.pageReady || this.isDisposed) return;
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = parseFromGeneratePanelMessage(raw);
    if (!parsed.ok) {
      this.deps.log.warn(`Generate panel: ignored an invalid message (${parsed.error}): ${JSON.stringify(raw)?.slice(0, 300)}`);
      if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'generate') {
        this.refuse(`The generation settings are not valid: ${parsed.error}`);
      }
      return;
    }
    const message = parsed.message;
    try {
      await this.handle(message);
    } catch (error) {
      reportError(this.deps.log, error, `Generate panel (${message.type})`);
    }
  }

  private async handle(message: FromGeneratePanelMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        // A reloaded page names its results; a page opened after the panel was closed has none: the session does.
        const known = message.known.length > 0 ? message.known : this.session.resultIds.map((resultId) => ({ resultId }));
        await this.restoreSaved(known);
        this.pageReady = true;
        this.sendInit(message.known.length === 0);
        const pending = this.pendingParameters;
        this.pendingParameters = undefined;
        if (pending) this.post({ type: 'applyParameters', parameters: pending });
        await this.sendModel();
        return;
      }
      case 'formState':
        this.session = { ...this.session, form: message.form };
        this.deps.session.write(this.session);
        return;
      case 'saveAll':
        await this.saveAll();
        return;
      case 'generate':
        await this.generate(message.form);
        return;
      case 'cancel':
        this.job?.cancellation.cancel();
        return;
      case 'resultAction':
        await this.runAction(message.action, message.resultId);
        return;
      case 'pickInitImage':
        await this.pickInitImage();
        return;
      case 'clearInitImage':
        this.initImage = undefined;
        this.post({ type: 'initImage', image: null });
        return;
      case 'selectModel':
        await vscode.commands.executeCommand(Commands.selectModel);
        return;
      case 'countTokens':
        this.post(await tokenCountsReply((texts) => this.deps.generation.countTokens(texts), message, this.deps.log));
        return;
      case 'listLoras':
        this.post(loraListReply(this.deps.settings().loraFolders));
        return;
      case 'error':
        this.deps.log.error(`Generate panel (webview): ${message.message}`);
        return;
      default: {
        const unexpected: never = message;
        throw new Error(`Unhandled message ${JSON.stringify(unexpected)}`);
      }
    }
  }

  private sendInit(withSessionForm: boolean): void {
    const settings = this.deps.settings();
    this.post({
      type: 'init',
      defaults: {
        steps: settings.defaultSteps,
        guidanceScale: settings.defaultGuidanceScale,
        scheduler: settings.defaultScheduler,
        width: settings.defaultWidth,
        height: settings.defaultHeight,
      },
      model: this.deps.selectedModel(),
      results: [...this.results.values()].map(toPanelResult),
      job: this.job?.snapshot ?? null,
      initImage: this.initImage ?? null,
      canSaveToWorkspace: outputFolderUri() !== undefined,
      ...(withSessionForm && this.session.form ? { form: this.session.form } : {}),
    });
  }

  /** Posts what is known about the model at once, then the engine's report (native size) when it arrives. */
  private async sendModel(): Promise<void> {
    const model = this.deps.selectedModel();
    this.post({ type: 'model', model });
    if (model.error) return;
    try {
      const info = await this.deps.generation.modelInfo();
      this.post({
        type: 'model',
        model: {
          ...model,
          nativeWidth: info.nativeWidth,
          nativeHeight: info.nativeHeight,
          // What the UNet takes (VAE scale × its down-sampling), not just the VAE's 8.
          sizeMultiple: info.sizeMultiple,
          inpainting: info.unet.inpainting,
          defaultSampler: SAMPLER_LABELS[info.scheduler.defaultScheduler],
          ...(info.defaults?.steps !== undefined ? { defaultSteps: info.defaults.steps } : {}),
          ...(info.defaults?.guidanceScale !== undefined ? { defaultGuidanceScale: info.defaults.guidanceScale } : {}),
        },
      });
    } catch (error) {
      const text = logError(this.deps.log, error, 'Generate panel: could not read the model').message;
      this.post({ type: 'model', model: { ...model, error: text } });
    }
  }

  private async generate(form: GenerateFormValues): Promise<void> {
    if (this.job) {
      void vscode.window.showWarningMessage('A generation is already running in the Generate Image panel.');
      return;
    }
    if (form.useInitImage && !this.initImage) {
      this.refuse('Choose an init image first, or turn img2img off.');
      return;
    }
    const jobId = this.nextJobId++;
    const started = Date.now();
    const snapshot: PanelJob = { jobId, startedAt: started, images: form.batchCount, steps: form.steps, progress: null };
    const job: RunningJob = { snapshot, cancellation: new vscode.CancellationTokenSource() };
    this.job = job;
    this.post({ type: 'jobStarted', job: snapshot });
    const params = panelGenerationParams(form, this.initImage?.png, this.deps.settings().hiresUpscaler);
    const resultIds = Array.from({ length: form.batchCount }, () => randomUUID());
    try {
      const result = await this.deps.generation.generate({
        title: `Generating "${shorten(form.prompt, 40)}"`,
        params,
        token: job.cancellation.token,
        history: { source: 'panel', ids: resultIds },
        // The panel shows its own progress: the notification only while the panel is hidden.
        showNotification: () => !this.visible,
        onProgress: (progress) => {
          const copy = copyProgress(progress);
          snapshot.progress = copy;
          this.post({ type: 'progress', jobId, progress: copy });
        },
      });
      const added = result.images.map((image, index) =>
        this.addResult({
          resultId: resultIds[index] ?? randomUUID(),
          png: copyBytes(image.png),
          width: result.width,
          height: result.height,
          seed: String(image.seed),
          prompt: form.prompt,
          parameters: image.parameters,
          savedTo: [],
        }),
      );
      if (this.deps.settings().autoSave === 'outputFolder') await this.autoSave(added);
      this.post({ type: 'results', jobId, results: added.map(toPanelResult) });
      this.post({ type: 'jobEnded', jobId, outcome: 'done', elapsedMs: Date.now() - started, warnings: result.warnings });
    } catch (error) {
      const cancelled = isCancellation(error);
      // Shown once, in the panel's form; the raw detail goes to the log (no toast: the panel is the place).
      const text = cancelled ? '' : logError(this.deps.log, error, 'Generate Image').message;
      this.post({
        type: 'jobEnded',
        jobId,
        outcome: cancelled ? 'cancelled' : 'failed',
        ...(cancelled ? {} : { message: text }),
        elapsedMs: Date.now() - started,
        warnings: [],
      });
    } finally {
      job.cancellation.dispose();
      if (this.job === job) this.job = undefined;
    }
  }

  /** Tells the page a generate request was not started (job id 0), so that its Generate button comes back. */
  private refuse(message: string): void {
    this.post({ type: 'jobEnded', jobId: 0, outcome: 'failed', message, elapsedMs: 0, warnings: [] });
  }

  private addResult(result: StoredResult): StoredResult {
    this.results.set(result.resultId, result);
    while (this.results.size > MAX_PANEL_RESULTS) {
      const oldest = this.results.keys().next().value;
      if (oldest === undefined) break;
      this.results.delete(oldest);
    }
    this.rememberResults();
    return result;
  }

  /** The result ids the next panel restores (oldest first, as the grid adds them). */
  private rememberResults(): void {
    this.session = { ...this.session, resultIds: [...this.results.keys()] };
    this.deps.session.write(this.session);
  }

  /** `localDiffusion.autoSave: outputFolder`: every new result goes to the output folder (names never overwrite). */
  private async autoSave(results: readonly StoredResult[]): Promise<void> {
    if (!outputFolderUri()) {
      this.deps.log.info('Auto-save: no workspace folder is open, so the results stay in the generation history only.');
      return;
    }
    for (const result of results) {
      try {
        const uri = await this.actions.saveToWorkspace(result);
        if (uri) await this.recordSaved(result, uri);
      } catch (error) {
        logError(this.deps.log, error, 'Auto-save');
      }
    }
  }

  /** Save all: every result not saved yet, into the output folder (Save As… for each one without a workspace). */
  private async saveAll(): Promise<void> {
    const unsaved = [...this.results.values()].filter((r) => !r.savedUri);
    let saved = 0;
    for (const result of unsaved) {
      const uri = await this.actions.saveToWorkspace(result);
      if (!uri) break;
      saved++;
      await this.recordSaved(result, uri);
      this.post(this.savedMessage(result));
    }
    vscode.window.setStatusBarMessage(
      unsaved.length === 0 ? '$(check) Every result is saved already' : `$(check) Saved ${saved} of ${unsaved.length} result${unsaved.length === 1 ? '' : 's'}`,
      4000,
    );
  }

  private async recordSaved(result: StoredResult, uri: vscode.Uri): Promise<void> {
    const text = uri.toString();
    if (!result.savedTo.some((u) => u.toString() === text)) result.savedTo.push(uri);
    try {
      await this.deps.history.markSaved(result.resultId, text);
    } catch (error) {
      this.deps.log.info(`Generation history: could not record ${text}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private savedMessage(result: StoredResult): ToGeneratePanelMessage & { type: 'resultSaved' } {
    const last = result.savedUri ?? result.savedTo.at(-1)!;
    return {
      type: 'resultSaved',
      resultId: result.resultId,
      savedPath: displayPath(last),
      savedUri: last.toString(),
      savedPaths: result.savedTo.map((u) => displayPath(u)),
    };
  }

  private async runAction(action: ResultAction, resultId: string): Promise<void> {
    const result = this.results.get(resultId);
    if (!result) {
      void vscode.window.showWarningMessage('That result is no longer available (the panel keeps the latest ones).');
      return;
    }
    const savedBefore = result.savedTo.length;
    let written: vscode.Uri | undefined;
    switch (action) {
      case 'saveToWorkspace':
        written = await this.actions.saveToWorkspace(result);
        break;
      case 'saveAs':
        written = await this.actions.saveAs(result);
        break;
      case 'open':
        await this.actions.open(result);
        break;
      case 'copyMarkdownLink':
        written = await this.actions.copyMarkdownLink(result);
        break;
      case 'openInInpaintEditor':
        written = await this.actions.openInInpaintEditor(result);
        break;
      case 'saveAsAsset':
        written = await this.actions.saveAsAsset(result);
        break;
      case 'useAsInitImage':
        this.initImage = {
          png: result.png,
          width: result.width,
          height: result.height,
          label: result.savedUri ? displayPath(result.savedUri) : `result, seed ${result.seed}`,
        };
        this.post({ type: 'initImage', image: this.initImage });
        break;
      case 'discard':
        // It leaves the panel; the generation history keeps it.
        this.results.delete(resultId);
        this.rememberResults();
        break;
      default: {
        const unexpected: never = action;
        throw new Error(`Unknown action ${String(unexpected)}`);
      }
    }
    if (written) await this.recordSaved(result, written);
    if (result.savedTo.length !== savedBefore) this.post(this.savedMessage(result));
  }

  private async pickInitImage(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Choose an Init Image (img2img)',
      canSelectMany: false,
      filters: IMAGE_FILTERS,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    const uri = picked?.[0];
    if (!uri) return;
    const bytes = copyBytes(await vscode.workspace.fs.readFile(uri));
    const { width, height } = await sharp(bytes).metadata();
    if (!width || !height) throw new Error(`${displayPath(uri)} is not an image that can be read.`);
    this.initImage = { png: bytes, width, height, label: displayPath(uri) };
    this.post({ type: 'initImage', image: this.initImage });
  }

  /**
   * After a reload, or in a panel opened again, the host has no results in memory: they come back from the
   * generation history (which keeps every result), else from their saved files.
   */
  private async restoreSaved(known: readonly KnownResult[]): Promise<void> {
    for (const entry of known) {
      if (this.results.has(entry.resultId)) continue;
      if (await this.restoreFromHistory(entry.resultId)) continue;
      if (!entry.savedUri) continue;
      try {
        const uri = vscode.Uri.parse(entry.savedUri, true);
        const png = copyBytes(await vscode.workspace.fs.readFile(uri));
        const { width, height } = await sharp(png).metadata();
        if (!width || !height) continue;
        this.addResult({
          resultId: entry.resultId,
          png,
          width,
          height,
          seed: entry.seed ?? '0',
          prompt: entry.prompt ?? '',
          parameters: '',
          savedUri: uri,
          savedTo: [uri],
        });
      } catch (error) {
        this.deps.log.info(`Generate panel: could not restore ${entry.savedUri}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private async restoreFromHistory(resultId: string): Promise<boolean> {
    try {
      const entry = await this.deps.history.get(resultId);
      const png = entry && (await this.deps.history.readImage(resultId));
      if (!entry || !png) return false;
      const savedTo = (entry.savedTo ?? []).flatMap((text) => {
        try {
          return [vscode.Uri.parse(text, true)];
        } catch {
          return [];
        }
      });
      const savedPng = [...savedTo].reverse().find((u) => u.path.toLowerCase().endsWith('.png'));
      this.addResult({
        resultId,
        png: copyBytes(png),
        width: entry.width,
        height: entry.height,
        seed: entry.seed,
        prompt: entry.prompt,
        parameters: entry.parameters,
        savedTo,
        ...(savedPng ? { savedUri: savedPng } : {}),
      });
      return true;
    } catch (error) {
      this.deps.log.info(`Generate panel: could not restore ${resultId} from the history: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: webviewResourceRoots(extensionUri) };
}

function toPanelResult(result: StoredResult): PanelResult {
  const out: PanelResult = {
    resultId: result.resultId,
    png: result.png,
    width: result.width,
    height: result.height,
    seed: result.seed,
    prompt: result.prompt,
    parameters: result.parameters,
  };
  if (result.savedUri) {
    out.savedPath = displayPath(result.savedUri);
    out.savedUri = result.savedUri.toString();
  }
  if (result.savedTo.length > 0) out.savedPaths = result.savedTo.map((u) => displayPath(u));
  return out;
}

/** A fresh Uint8Array with its own exact-size buffer (a pooled Node Buffer would send its whole slab; vscode#178719). */
function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function copyProgress(progress: GenerateProgress): GenerateProgress {
  if (progress.stage !== 'denoising' || !progress.preview) return progress;
  return { ...progress, preview: { ...progress.preview, rgba: copyBytes(progress.preview.rgba) } };
}

function shorten(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
