// GenerationService on the engine process: fills in the model, execution provider and preview rate from the
// settings, shows one cancellable progress notification per job (mirroring the engine's stages and steps) and a
// status bar item while jobs run, and cancels everything on "Cancel Generation".
import * as vscode from 'vscode';
import { Commands, Settings } from '../constants';
import type { EngineClient } from '../engineClient/engineClient';
import { DEFAULT_EMPHASIS } from '../../common/prompt/emphasisMode';
import type { PromptTokenCount } from '../../common/prompt/promptTokenCount';
import type { GenerateParams, GenerateProgress, GenerateResult, ModelInfo } from '../../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure, untilCancelled } from '../../common/protocol/rpc';
import type { ModelResolver } from '../models/modelResolver';
import type { LocalDiffusionSettings } from '../settings';
import { Disposable } from '../util/dispose';
import type { Log } from '../util/log';
import type { GenerationRequest, GenerationService } from './generationService';
import { JobNotification, type ShowProgress } from './jobNotification';

/** Context key for when-clauses (Cancel Generation is enabled only while it is true). */
export const GENERATING_CONTEXT_KEY = 'localDiffusion.generating';

interface Job {
  readonly title: string;
  readonly cancellation: vscode.CancellationTokenSource;
  status: string;
}

export class EngineGenerationService extends Disposable implements GenerationService {
  private readonly jobs = new Set<Job>();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly runningEmitter = this.register(new vscode.EventEmitter<boolean>());
  readonly onDidChangeRunning = this.runningEmitter.event;
  private infoCache: { dir: string; info: Promise<ModelInfo> } | undefined;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelResolver,
    private readonly settings: () => LocalDiffusionSettings,
    private readonly log: Log,
  ) {
    super();
    this.statusItem = this.register(vscode.window.createStatusBarItem('localDiffusion.job', vscode.StatusBarAlignment.Left, 10));
    this.statusItem.name = 'Local Diffusion Generation';
    this.statusItem.command = Commands.cancelGeneration;
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${Settings.section}.${Settings.model}`)) this.infoCache = undefined;
      }),
    );
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => (this.infoCache = undefined)));
  }

  get isRunning(): boolean {
    return this.jobs.size > 0;
  }

  async generate(request: GenerationRequest): Promise<GenerateResult> {
    const settings = this.settings();
    const model = request.params.model ?? this.models.resolve().ref;
    const params: GenerateParams = {
      previewEverySteps: settings.previewEverySteps,
      // Prompt reading, the same for every UI (A1111 keeps both as settings, not per-generation options).
      ...(settings.emphasis !== DEFAULT_EMPHASIS ? { emphasis: settings.emphasis } : {}),
      ...(settings.clipSkip > 1 ? { clipSkip: settings.clipSkip } : {}),
      // Where the prompt's <lora:name:…> tags find their files.
      ...(settings.loraFolders.length > 0 ? { loraFolders: settings.loraFolders } : {}),
      ...request.params,
      model,
      executionProvider: request.params.executionProvider ?? settings.executionProvider,
    };
    const job: Job = { title: request.title, cancellation: new vscode.CancellationTokenSource(), status: 'Starting…' };
    const linked = request.token?.onCancellationRequested(() => job.cancellation.cancel());
    if (request.token?.isCancellationRequested) job.cancellation.cancel();
    this.jobs.add(job);
    this.updateRunning();
    const started = Date.now();
    this.log.info(`${request.title}: ${describeParams(params)}`);
    try {
      // One cancellable notification per job, open only while the caller wants it (the Generate panel: while hidden).
      const wanted = request.showNotification ?? (() => true);
      const notification = new JobNotification(request.title, () => job.cancellation.cancel(), notificationProgress);
      notification.update(wanted(), 'Starting…');
      let result: GenerateResult;
      try {
        result = await this.engine.request('generate', params, {
          token: job.cancellation.token,
          onProgress: (p) => {
            const { message, percent } = describeProgress(p);
            notification.update(wanted(), message, percent);
            job.status = message;
            this.updateStatusItem();
            request.onProgress?.(p);
          },
        });
      } finally {
        notification.close();
      }
      this.log.info(
        `${request.title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s (${result.images.length} image(s), ${result.width}×${result.height}, ${result.scheduler}, ${result.executionProvider}).`,
      );
      for (const warning of result.warnings) this.log.warn(`${request.title}: ${warning}`);
      return result;
    } catch (error) {
      if (error instanceof RpcFailure && error.code === ErrorCode.Cancelled) this.log.info(`${request.title}: cancelled.`);
      else this.log.error(`${request.title}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    } finally {
      linked?.dispose();
      job.cancellation.dispose();
      this.jobs.delete(job);
      this.updateRunning();
    }
  }

  async countTokens(texts: readonly string[]): Promise<(PromptTokenCount | null)[]> {
    const model = this.models.resolve().ref;
    const emphasis = this.settings().emphasis;
    const { counts } = await this.engine.request('countTokens', { model, texts: [...texts], ...(emphasis !== DEFAULT_EMPHASIS ? { emphasis } : {}) });
    return counts;
  }

  modelInfo(token?: vscode.CancellationToken): Promise<ModelInfo> {
    let model;
    try {
      model = this.models.resolve().ref;
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.infoCache?.dir !== model.dir) {
      // The model is usually about to be used: let the engine keep it loaded with the chosen provider.
      const info = this.engine.request('info', { model, executionProvider: this.settings().executionProvider });
      info.catch(() => {
        if (this.infoCache?.info === info) this.infoCache = undefined;
      });
      this.infoCache = { dir: model.dir, info };
    }
    if (!token) return this.infoCache.info;
    return untilCancelled(this.infoCache.info, {
      get cancelled() {
        return token.isCancellationRequested;
      },
      onCancel: (listener) => token.onCancellationRequested(listener),
    });
  }

  cancelAll(): void {
    for (const job of this.jobs) job.cancellation.cancel();
  }

  override dispose(): void {
    this.cancelAll();
    super.dispose();
  }

  private updateRunning(): void {
    const running = this.jobs.size > 0;
    void vscode.commands.executeCommand('setContext', GENERATING_CONTEXT_KEY, running);
    this.updateStatusItem();
    this.runningEmitter.fire(running);
  }

  private updateStatusItem(): void {
    const jobs = [...this.jobs];
    const latest = jobs[jobs.length - 1];
    if (!latest) {
      this.statusItem.hide();
      return;
    }
    const more = jobs.length > 1 ? ` (+${jobs.length - 1})` : '';
    this.statusItem.text = `$(loading~spin) ${latest.status}${more}`;
    this.statusItem.tooltip = `${latest.title}\nClick to cancel.`;
    this.statusItem.show();
  }
}

/** The notification text for a progress message and, for denoising, the overall percentage. */
export function describeProgress(progress: GenerateProgress): { message: string; percent?: number } {
  switch (progress.stage) {
    case 'loading':
      return { message: `Loading ${progress.component} (${progress.index + 1}/${progress.total})…` };
    case 'encodingPrompt':
      return { message: 'Encoding the prompt…' };
    case 'encodingImage':
      return { message: 'Encoding the init image…' };
    case 'denoising': {
      // The engine counts images from 1 and loaded components from 0.
      const imagePart = progress.images > 1 ? `Image ${progress.image}/${progress.images}, step` : 'Step';
      const total = progress.steps * progress.images;
      const done = (progress.image - 1) * progress.steps + progress.step;
      return { message: `${imagePart} ${progress.step}/${progress.steps}`, percent: total > 0 ? (100 * done) / total : undefined };
    }
    case 'decoding':
      return { message: progress.images > 1 ? `Decoding image ${progress.image}/${progress.images}…` : 'Decoding…' };
  }
}

function describeParams(params: GenerateParams): string {
  const parts = [
    `model ${params.model.name ?? params.model.dir}`,
    params.width && params.height ? `${params.width}×${params.height}` : 'native size',
    `${params.steps ?? 'default'} steps`,
    `guidance ${params.guidanceScale ?? 'default'}`,
    `seed ${params.seed ?? 'random'}`,
    `scheduler ${params.scheduler ?? 'default'}`,
    `batch ${params.batchCount ?? 1}`,
  ];
  if (params.task !== 'txt2img') parts.push(`${params.task} strength ${params.strength ?? 'default'}`);
  return parts.join(', ');
}



/** JobNotification's way to show a notification: a cancellable vscode.window.withProgress. */
const notificationProgress: ShowProgress = (title, task) =>
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    task(progress, (listener) => token.onCancellationRequested(listener)),
  );
