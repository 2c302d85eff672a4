// One webview panel of the inpaint editor: sets the HTML once, waits for the page's `ready`, then keeps the
// page in step with the document (image, mask, job, candidates) through validated messages, and turns the
// page's intents (mask ops, generate, cancel, apply) into document calls. Several panels may show one
// document (split editor): each op is forwarded to the others, revision-checked and hash-verified.
import { tokenCountsReply, type CountTokens } from '../prompt/tokenCountsReply';
import { loraListReply } from '../prompt/loraListReply';
import * as vscode from 'vscode';
import type { ModelInfo } from '../../common/protocol/engineProtocol';
import {
  parseFromInpaintWebviewMessage,
  type FromInpaintWebviewMessage,
  type ToInpaintWebviewMessage,
} from '../../common/protocol/inpaintEditorProtocol';
import { Disposable } from '../util/dispose';
import type { Log } from '../util/log';
import { logError } from '../util/logError';
import { carryImageParameters } from './carryImageParameters';
import { renderWebviewHtml, webviewResourceRoots } from '../util/webviewHtml';
import { InpaintUserError, type InpaintDocument, type InpaintMaskChange } from './inpaintDocument';
import type { InpaintJobEvent } from './inpaintJobRunner';
import { fullMaskMessage, maskChangeMessages } from './inpaintMaskMessages';
import type { InpaintSettingsStore } from './inpaintSettingsStore';

export interface InpaintEditorViewDeps {
  extensionUri: vscode.Uri;
  log: Log;
  settings: InpaintSettingsStore;
  /** The token counter's counts (GenerationService.countTokens). */
  countTokens: CountTokens;
  /** The selected model's report (GenerationService.modelInfo), for the size note. */
  modelInfo: () => Promise<ModelInfo>;
  /** The `localDiffusion.loraFolders` setting, for the LoRA picker. */
  loraFolders: () => readonly string[];
}

type PreviewMessage = Extract<ToInpaintWebviewMessage, { type: 'jobPreview' }>;

/** A fresh Uint8Array (never a view into a pooled Node Buffer, which would post the whole pool). */
function fresh(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function assertNever(value: never): never {
  throw new Error(`Unexpected message ${JSON.stringify(value)}`);
}

export class InpaintEditorView extends Disposable {
  /** True between the page's `ready` and the moment it is hidden (its page is then discarded). */
  private pageReady = false;
  private previewInFlight = false;
  private pendingPreview: PreviewMessage | undefined;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly document: InpaintDocument,
    private readonly deps: InpaintEditorViewDeps,
  ) {
    super();
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(deps.extensionUri) };
    // Set once; from here on the page is driven by messages only.
    panel.webview.html = renderWebviewHtml(panel.webview, deps.extensionUri, {
      script: 'inpaint',
      styles: ['inpaint.css'],
      title: `Inpaint ${document.fileName}`,
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
    panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message), null, disposables);
    document.onDidChangeMask((change) => this.onMaskChange(change), null, disposables);
    document.onDidChangeImage(() => this.postImage(), null, disposables);
    document.onDidResize(() => this.onResize(), null, disposables);
    document.onDidReload(() => this.sendAll(), null, disposables);
    document.onDidNotice((n) => this.post({ type: 'notice', level: n.level, message: n.message }), null, disposables);
    document.jobs.onDidChange((event) => this.onJobEvent(event), null, disposables);
    for (const d of disposables) this.register(d);
  }

  private onMessage(raw: unknown): void {
    const parsed = parseFromInpaintWebviewMessage(raw);
    if (!parsed.ok) {
      this.deps.log.warn(`Inpaint editor: ignored a malformed message from the webview (${parsed.error}): ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    const message: FromInpaintWebviewMessage = parsed.message;
    switch (message.type) {
      case 'ready':
        this.pageReady = true;
        this.sendAll();
        return;
      case 'maskOp':
        try {
          this.document.applyMaskOp(message.op, message.baseRevision, this);
        } catch (error) {
          this.deps.log.error(`Inpaint editor: a ${message.op.kind} mask edit failed: ${String(error)}`);
          this.postFullMask();
        }
        return;
      case 'requestMask':
        this.postFullMask();
        return;
      case 'generate':
        void this.deps.settings.set(message.settings);
        this.document.generate(message.settings, message.expand).catch((error: unknown) => {
          if (error instanceof InpaintUserError) {
            this.post({ type: 'notice', level: 'warning', message: error.message });
          } else {
            const text = logError(this.deps.log, error, `Inpaint of ${this.document.fileName} could not start`).message;
            this.post({ type: 'notice', level: 'error', message: text });
          }
        });
        return;
      case 'cancel':
        this.document.jobs.cancel();
        return;
      case 'applyCandidate': {
        const candidate = this.document.jobs.candidate(message.jobId, message.index);
        if (!candidate) {
          this.post({ type: 'notice', level: 'warning', message: 'That result is no longer available.' });
          return;
        }
        const { width, height, expand } = this.document.jobs.candidates;
        try {
          this.document.applyCandidate(candidate, { width, height, ...(expand ? { expand } : {}) });
        } catch (error) {
          if (!(error instanceof InpaintUserError)) throw error;
          this.post({ type: 'notice', level: 'warning', message: error.message });
        }
        return;
      }
      case 'discardCandidates':
        this.document.jobs.discard(message.jobId);
        return;
      case 'countTokens':
        void tokenCountsReply(this.deps.countTokens, message, this.deps.log).then((reply) => this.post(reply));
        return;
      case 'listLoras':
        this.post(loraListReply(this.deps.loraFolders()));
        return;
      case 'error':
        this.deps.log.error(`Inpaint editor webview: ${message.message}`);
        return;
      default:
        assertNever(message);
    }
  }

  /** Everything the page needs after `ready` (or after a revert/reload). */
  private sendAll(): void {
    if (!this.pageReady) return;
    // The image's own prompt (A1111 parameters) carries over, as A1111's "Send to inpaint" does.
    void this.document.imageParameters().then((parameters) => {
      if (!this.pageReady) return;
      this.post({ type: 'init', document: this.document.info, settings: carryImageParameters(this.deps.settings.get(), parameters) });
      this.sendState();
      void this.sendModel();
    });
  }

  /** The selected model's sizing facts, so the page can say at what size the engine will work. */
  private async sendModel(): Promise<void> {
    try {
      const info = await this.deps.modelInfo();
      this.post({
        type: 'model',
        model: {
          name: info.name,
          nativeWidth: info.nativeWidth,
          nativeHeight: info.nativeHeight,
          vaeScaleFactor: info.vae.scaleFactor,
          sizeMultiple: info.sizeMultiple,
          ...(info.unet.size !== 'dynamic' ? { fixedSize: info.unet.size } : {}),
          inpainting: info.unet.inpainting,
          ...(info.defaults?.steps !== undefined ? { defaultSteps: info.defaults.steps } : {}),
          ...(info.defaults?.guidanceScale !== undefined ? { defaultGuidanceScale: info.defaults.guidanceScale } : {}),
        },
      });
    } catch (error) {
      const text = logError(this.deps.log, error, 'Inpaint editor: could not read the model').message;
      this.post({ type: 'model', model: null, error: text });
    }
  }

  private sendState(): void {
    this.postImage();
    this.postFullMask();
    const job = this.document.jobs.running;
    if (job) {
      this.post({ type: 'jobStarted', jobId: job.jobId, batchCount: job.batchCount, steps: job.steps });
      this.post({ type: 'jobProgress', jobId: job.jobId, progress: job.progress });
    }
    this.postCandidates();
  }

  /** The document's size changed: the page starts over at the new size, then gets the image and the whole mask. */
  private onResize(): void {
    this.post({ type: 'documentResized', document: this.document.info });
    this.postImage();
    this.postFullMask();
  }

  private postImage(): void {
    const { bytes, mimeType } = this.document.image;
    this.post({
      type: 'image',
      revision: this.document.imageRevision,
      bytes: fresh(bytes),
      mimeType,
      width: this.document.width,
      height: this.document.height,
    });
  }

  private postFullMask(): void {
    this.post(fullMaskMessage(this.document));
  }

  private onMaskChange(change: InpaintMaskChange): void {
    if (!this.pageReady) return;
    for (const message of maskChangeMessages(change, this.document, this)) this.post(message);
  }

  private postCandidates(): void {
    const c = this.document.jobs.candidates;
    this.post({
      type: 'candidates',
      jobId: c.jobId,
      width: c.width,
      height: c.height,
      candidates: c.candidates.map((x) => ({ ...x, png: fresh(x.png) })),
      ...(c.expand ? { expand: { ...c.expand } } : {}),
    });
  }

  private onJobEvent(event: InpaintJobEvent): void {
    switch (event.kind) {
      case 'started':
        this.pendingPreview = undefined;
        this.post({ type: 'jobStarted', jobId: event.job.jobId, batchCount: event.job.batchCount, steps: event.job.steps });
        return;
      case 'progress':
        this.post({ type: 'jobProgress', jobId: event.jobId, progress: event.progress });
        return;
      case 'preview':
        this.postPreview({ type: 'jobPreview', jobId: event.jobId, image: event.image, width: event.width, height: event.height, rgba: event.rgba });
        return;
      case 'ended':
        this.pendingPreview = undefined;
        this.post({ type: 'jobEnded', jobId: event.jobId, outcome: event.outcome, ...(event.message ? { message: event.message } : {}) });
        return;
      case 'candidates':
        this.postCandidates();
        return;
    }
  }

  /** Latest wins: while one preview is on its way, newer ones replace the waiting one. */
  private postPreview(message: PreviewMessage): void {
    this.pendingPreview = message;
    if (!this.previewInFlight) this.flushPreview();
  }

  private flushPreview(): void {
    const message = this.pendingPreview;
    if (!message || !this.pageReady) return;
    this.pendingPreview = undefined;
    this.previewInFlight = true;
    this.post(message).then(
      () => {
        this.previewInFlight = false;
        this.flushPreview();
      },
      () => {
        this.previewInFlight = false;
      },
    );
  }

  private post(message: ToInpaintWebviewMessage): Thenable<boolean> {
    if (!this.pageReady || this.isDisposed) return Promise.resolve(false);
    return this.panel.webview.postMessage(message);
  }
}
