// The Generate Image panel (a WebviewPanel): one per window, HTML set once, driven by messages after the page's
// `ready`. The host keeps the results and the running job, so hiding the panel (no retainContextWhenHidden) loses
// nothing: the page keeps its form in getState/setState and gets the rest again with `init`. Revived after a
// reload by a WebviewPanelSerializer; saved results come back from their files.
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
  type PanelResult,
  type ResultAction,
  type ToGeneratePanelMessage,
} from '../../common/protocol/generatePanelProtocol';
import type { LocalDiffusionSettings } from '../settings';
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
      case 'ready':
        await this.restoreSaved(message.known);
        this.pageReady = true;
        this.sendInit();
        await this.sendModel();
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

  private sendInit(): void {
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
    try {
      const result = await this.deps.generation.generate({
        title: `Generating "${shorten(form.prompt, 40)}"`,
        params,
        token: job.cancellation.token,
        onProgress: (progress) => {
          const copy = copyProgress(progress);
          snapshot.progress = copy;
          this.post({ type: 'progress', jobId, progress: copy });
        },
      });
      const added = result.images.map((image) =>
        this.addResult({
          resultId: randomUUID(),
          png: copyBytes(image.png),
          width: result.width,
          height: result.height,
          seed: String(image.seed),
          prompt: form.prompt,
          parameters: image.parameters,
        }),
      );
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
    return result;
  }

  private async runAction(action: ResultAction, resultId: string): Promise<void> {
    const result = this.results.get(resultId);
    if (!result) {
      void vscode.window.showWarningMessage('That result is no longer available (the panel keeps the latest ones).');
      return;
    }
    const wasSaved = result.savedUri?.toString();
    switch (action) {
      case 'saveToWorkspace':
        await this.actions.saveToWorkspace(result);
        break;
      case 'saveAs':
        await this.actions.saveAs(result);
        break;
      case 'open':
        await this.actions.open(result);
        break;
      case 'copyMarkdownLink':
        await this.actions.copyMarkdownLink(result);
        break;
      case 'openInInpaintEditor':
        await this.actions.openInInpaintEditor(result);
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
        this.results.delete(resultId);
        break;
      default: {
        const unexpected: never = action;
        throw new Error(`Unknown action ${String(unexpected)}`);
      }
    }
    if (result.savedUri && result.savedUri.toString() !== wasSaved) {
      this.post({ type: 'resultSaved', resultId, savedPath: displayPath(result.savedUri), savedUri: result.savedUri.toString() });
    }
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

  /** After a reload the host has no results in memory: saved ones come back from their files. */
  private async restoreSaved(known: KnownResult[]): Promise<void> {
    for (const entry of known) {
      if (this.results.has(entry.resultId) || !entry.savedUri) continue;
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
        });
      } catch (error) {
        this.deps.log.info(`Generate panel: could not restore ${entry.savedUri}: ${error instanceof Error ? error.message : String(error)}`);
      }
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
