// Entry of the inpaint editor page (dist/webview/inpaint.js). Builds the page, then follows the host:
// nothing is drawn until `init`, `image` and `mask` arrive after our `ready`. The page only displays the
// image (decoded by the browser from the host's bytes); mask edits are applied locally for instant
// feedback and sent as ops; undo/redo is VS Code's (Ctrl+Z), and the host sends the resulting mask. With the Expand
// canvas tool, a frame around the image and the Expand panel set the margins, and Generate asks for an outpaint;
// applying its result changes the document's size (documentResized, then the image and the whole mask).
import { connectToHost } from '../common/vscodeApi';
import {
  parseToInpaintWebviewMessage,
  type FromInpaintWebviewMessage,
  type InpaintDocumentInfo,
  type InpaintModel,
  type MaskOp,
  type ToInpaintWebviewMessage,
} from '../../src/common/protocol/inpaintEditorProtocol';
import { CandidatesView } from './candidatesView';
import { CanvasView } from './canvasView';
import { h } from '../common/dom';
import { brushSizeForImage, readPageState, type InpaintPageState } from './inpaintState';
import { JobView } from './jobView';
import { MaskOverlay, cssColorToRgb, maskStyleColor, type Rgb } from './maskOverlay';
import { MaskSync, type SyncResult } from './maskSync';
import { NoticeList } from './noticeList';
import { PromptBar } from './promptBar';
import { ToolController } from './toolController';
import { Toolbar } from './toolbar';
import { keepTextFieldUndo } from './textFieldUndo';
import { ExpandPanel } from './expandPanel';
import { ExpandFrameController } from './expandFrameController';
import { ZERO_MARGINS, expandProblem, expandedSize, type ExpandMargins } from '../../src/common/outpaint/expandMargins';

const FALLBACK_MASK_COLOR: Rgb = [255, 64, 64];
const STATE_SAVE_DELAY_MS = 300;

const host = connectToHost<FromInpaintWebviewMessage, InpaintPageState>();
let pageState = readPageState(host.getState());
let info: InpaintDocumentInfo | undefined;
let imageRevision = -1;
let imageDecodes = 0;
let maskRequested = false;
/** The selected model (its size multiple snaps the Expand canvas frame); null until the host reports on it. */
let model: InpaintModel | null = null;
/** The offered candidates are Expand canvas results: the image grown by these margins. */
let candidateMargins: ExpandMargins | undefined;
/** The Expand canvas tool is active (its panel and frame show). */
let expandActive = false;

function post(message: FromInpaintWebviewMessage): void {
  host.post(message);
}

function reportError(message: string): void {
  post({ type: 'error', message });
}

// ─── Page ──────────────────────────────────────────────────────────────────────────────────────

const notices = new NoticeList();
const overlay = new MaskOverlay();
const sync = new MaskSync();
const stage = h('div', { class: 'stage' });
const statusLine = h('div', { id: 'statusLine', class: 'status-line', 'aria-live': 'polite' }, 'Loading…');
const view = new CanvasView(stage, overlay);
view.showMask = pageState.tools.showMask;

const toolbar = new Toolbar(pageState.tools, {
  toolSettingsChanged: (tools) => {
    view.showMask = tools.showMask;
    if (tools.maskStyle !== maskStyle) {
      maskStyle = tools.maskStyle;
      readMaskColor();
    }
    view.requestRender();
    controller.toolChanged();
    syncExpandMode();
    saveStateSoon();
  },
  maskAction: (op) => applyMaskAction(op),
  zoomIn: () => view.zoomIn(),
  zoomOut: () => view.zoomOut(),
  fit: () => view.fit(),
  actualSize: () => view.actualSize(),
});

let applyPending = false;
let maskStyle = pageState.tools.maskStyle;
keepTextFieldUndo(document);

const expandPanel = new ExpandPanel({
  changed: () => {
    // "Drag the frame outward…" no longer holds once the margins change (after a drag: removing a notice changes the
    // layout, which refits the view, and must not move the frame under the pointer).
    if (!frameController.dragging) notices.clearTransient();
    refreshFrame();
    saveStateSoon();
  },
});

const promptBar = new PromptBar({
  generate: (settings) => {
    if (!expandActive) {
      post({ type: 'generate', settings });
      return;
    }
    // Expand canvas: the margins are checked here first (the host checks them again), so the message says what to do.
    const read = expandPanel.read();
    if ('error' in read) {
      notices.show('warning', read.error, true);
      read.field.focus();
      return;
    }
    const problem = info ? expandProblem(info.width, info.height, read.expand.margins) : undefined;
    if (problem) {
      notices.show('warning', problem, true);
      return;
    }
    post({ type: 'generate', settings, expand: read.expand });
  },
  cancel: () => post({ type: 'cancel' }),
  changed: () => saveStateSoon(),
  countTokens: (message) => post(message),
  listLoras: (message) => post(message),
});

const jobView = new JobView();

const candidates = new CandidatesView({
  preview: (bitmap) => {
    view.setCandidate(bitmap, candidateMargins);
    toolbar.setEditable(bitmap === undefined);
    refreshFrame();
  },
  apply: (jobId, index) => {
    candidates.unselect();
    applyPending = true;
    post({ type: 'applyCandidate', jobId, index });
  },
  discard: (jobId) => {
    jobView.clearOutcome();
    post({ type: 'discardCandidates', jobId });
  },
  useSeed: (seed) => promptBar.useSeed(seed),
  error: (message) => {
    notices.show('error', message);
    reportError(message);
  },
});

const controller = new ToolController({
  view,
  sync,
  tools: () => toolbar.current,
  setTool: (tool) => toolbar.setTool(tool),
  setBrushSize: (size) => toolbar.setBrushSize(size),
  maskChanged: (rect) => {
    maskEdited();
    const mask = sync.mask;
    if (mask) overlay.update(mask, rect);
    view.requestRender();
  },
  sendOp: (message) => post({ type: 'maskOp', ...message }),
  canEdit: () => info !== undefined && sync.mask !== undefined && !candidates.isPreviewing,
});

const frameController = new ExpandFrameController({
  view,
  dragEnded: () => notices.clearTransient(),
  active: () => expandActive && info !== undefined && !candidates.isPreviewing,
  margins: () => expandPanel.margins,
  setMargins: (margins) => expandPanel.setMargins(margins),
  sizeMultiple: () => model?.sizeMultiple ?? 1,
});

view.onViewChange = () => {
  toolbar.setZoom(view.transform.scale);
  updateStatus();
  saveStateSoon();
};

const root = document.getElementById('app') ?? document.body;
root.append(
  h(
    'div',
    { class: 'inpaint' },
    toolbar.element,
    notices.element,
    h(
      'div',
      { class: 'body' },
      h('main', { class: 'stage-wrap', 'aria-label': 'Canvas' }, stage, statusLine),
      h('aside', { class: 'side', 'aria-label': 'Inpaint' }, expandPanel.element, promptBar.element, jobView.element, candidates.element),
    ),
  ),
);
toolbar.setEditable(false);
promptBar.setReady(false);
if (pageState.settings) promptBar.set(pageState.settings);

// The mask tint follows the colour theme (a CSS variable built from theme colours in media/inpaint.css).
function readMaskColor(): void {
  const value = getComputedStyle(document.body).getPropertyValue('--ld-mask-color');
  overlay.setOutline(maskStyle === 'outline', sync.mask);
  overlay.setColor(maskStyleColor(maskStyle) ?? cssColorToRgb(value, FALLBACK_MASK_COLOR), sync.mask);
  view.requestRender();
}
readMaskColor();
new MutationObserver(readMaskColor).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ─── Local actions ─────────────────────────────────────────────────────────────────────────────

function applyMaskAction(op: MaskOp): void {
  if (!info || candidates.isPreviewing) return;
  const applied = sync.applyLocal(op);
  if (!applied) return;
  maskEdited();
  const mask = sync.mask;
  if (mask) overlay.update(mask, applied.changed);
  view.requestRender();
  post({ type: 'maskOp', ...applied.message });
}

/** A mask edit: the notices about the last action ("Paint a mask first…") are stale, and the tint shows again. */
function maskEdited(): void {
  notices.clearTransient();
  if (view.maskSuppressed) {
    view.maskSuppressed = false;
    view.requestRender();
  }
}

function applySync(result: SyncResult): void {
  const mask = sync.mask;
  if (result.changed && mask) {
    overlay.update(mask, result.changed);
    view.requestRender();
  }
  if (result.requestMask && !maskRequested) {
    maskRequested = true;
    post({ type: 'requestMask' });
  }
}

/** The Expand canvas tool switched on or off: its panel, the frame, and a fit that leaves room for the frame. */
function syncExpandMode(): void {
  const on = toolbar.current.tool === 'expand';
  const changed = on !== expandActive;
  expandActive = on;
  expandPanel.setVisible(on);
  refreshFrame();
  if (changed && info) view.fit();
}

/** The frame follows the margins (hidden while a result is shown); the prompt bar's note says what they make. */
function refreshFrame(): void {
  if (expandActive && info && !candidates.isPreviewing) view.setDecoration({ kind: 'frame', margins: { ...expandPanel.margins } });
  else if (view.currentDecoration.kind === 'frame') view.setDecoration({ kind: 'none' });
  promptBar.setExpand(expandActive && info ? expandedSize(info.width, info.height, expandPanel.margins) : null);
  updateStatus();
}

function updateStatus(): void {
  if (!info) return;
  const parts = [`${info.width}×${info.height}`, info.format.toUpperCase(), `${Math.round(view.transform.scale * 100)}%`];
  if (expandActive) {
    const size = expandedSize(info.width, info.height, expandPanel.margins);
    parts.push(`Expand canvas to ${size.width}×${size.height}: drag the frame or type the margins`);
  }
  if (view.showingCandidate) parts.push('showing a result: Apply it, or click it again to go back');
  statusLine.textContent = parts.join(' · ');
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveStateSoon(): void {
  if (saveTimer !== undefined) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    saveTimer = undefined;
    const t = view.transform;
    const settings = promptBar.snapshot() ?? pageState.settings;
    pageState = {
      version: 1,
      tools: toolbar.current,
      ...(settings ? { settings } : {}),
      ...(info ? { expand: { ...expandPanel.value, imageWidth: info.width, imageHeight: info.height } } : {}),
      ...(info ? { view: { scale: t.scale, offsetX: t.offsetX, offsetY: t.offsetY, imageWidth: info.width, imageHeight: info.height } } : {}),
    };
    host.setState(pageState);
  }, STATE_SAVE_DELAY_MS);
}

// ─── Host messages ─────────────────────────────────────────────────────────────────────────────

function onInit(message: Extract<ToInpaintWebviewMessage, { type: 'init' }>): void {
  const doc = message.document;
  const sizeChanged = !info || info.width !== doc.width || info.height !== doc.height;
  info = doc;
  if (sizeChanged || !sync.mask) {
    sync.reset(doc.width, doc.height);
    overlay.update(sync.mask!, { x: 0, y: 0, width: doc.width, height: doc.height });
  }
  const savedView = pageState.view;
  const view0 = savedView && savedView.imageWidth === doc.width && savedView.imageHeight === doc.height ? savedView : undefined;
  view.setDocumentSize(doc.width, doc.height, view0);
  promptBar.setImageSize(doc.width, doc.height);
  expandPanel.setImageSize(doc.width, doc.height);
  const savedExpand = pageState.expand;
  if (savedExpand && savedExpand.imageWidth === doc.width && savedExpand.imageHeight === doc.height) {
    expandPanel.setMargins(savedExpand.margins, savedExpand.overlap);
  } else if (sizeChanged) {
    expandPanel.setMargins(ZERO_MARGINS);
  }
  // A freshly opened image (no view kept for it): the brush is sized from the image.
  if (sizeChanged && !view0) toolbar.setBrushSize(brushSizeForImage(doc.width, doc.height));
  toolbar.setZoom(view.transform.scale);
  // The page's own form (kept across hide/show) wins over the host's last-used settings.
  promptBar.set(pageState.settings ?? message.settings);
  promptBar.setReady(true);
  promptBar.tokenCounter.refresh();
  toolbar.setEditable(!candidates.isPreviewing);
  notices.clear();
  for (const warning of doc.warnings) notices.show('warning', warning);
  document.title = `Inpaint ${doc.fileName}`;
  syncExpandMode();
  updateStatus();
}

/**
 * The document's size changed (an Expand canvas result applied, or undone / redone): the view and the mask start
 * over at the new size (the image and the whole mask follow), the frame goes back to the image's edges.
 */
function onResized(doc: InpaintDocumentInfo): void {
  info = doc;
  sync.reset(doc.width, doc.height);
  overlay.update(sync.mask!, { x: 0, y: 0, width: doc.width, height: doc.height });
  // The old bitmap would be drawn stretched to the new size until the new one is decoded.
  view.setImage(undefined);
  promptBar.setImageSize(doc.width, doc.height);
  expandPanel.setImageSize(doc.width, doc.height);
  expandPanel.setMargins(ZERO_MARGINS);
  refreshFrame();
  // Fits the new size (with room around it for the frame while Expand canvas is active).
  view.setDocumentSize(doc.width, doc.height);
  toolbar.setZoom(view.transform.scale);
  saveStateSoon();
}

function onImage(message: Extract<ToInpaintWebviewMessage, { type: 'image' }>): void {
  if (message.revision < imageRevision) return;
  imageRevision = message.revision;
  const token = ++imageDecodes;
  candidates.unselect();
  // A new image (applied, reverted, reloaded): "Done: pick a result…" no longer holds.
  jobView.clearOutcome();
  if (applyPending) {
    applyPending = false;
    view.maskSuppressed = true;
  }
  createImageBitmap(new Blob([message.bytes as Uint8Array<ArrayBuffer>], { type: message.mimeType })).then(
    (bitmap) => {
      if (token !== imageDecodes) {
        bitmap.close();
        return;
      }
      if (bitmap.width !== message.width || bitmap.height !== message.height) {
        reportError(`The browser decoded a ${bitmap.width}×${bitmap.height} image for a ${message.width}×${message.height} document; it is drawn scaled.`);
      }
      view.setImage(bitmap);
    },
    (error: unknown) => {
      const text = `This image cannot be displayed here (${message.mimeType}): ${String(error)}`;
      notices.show('error', text);
      reportError(text);
    },
  );
}

function onMessage(message: ToInpaintWebviewMessage): void {
  switch (message.type) {
    case 'init':
      onInit(message);
      return;
    case 'documentResized':
      onResized(message.document);
      return;
    case 'image':
      onImage(message);
      return;
    case 'mask':
      if (message.baseRevision === null) maskRequested = false;
      applySync(sync.onMask(message));
      return;
    case 'maskOpApplied':
      applySync(sync.onOpApplied(message));
      return;
    case 'jobStarted':
      jobView.started(message.jobId);
      notices.clearTransient();
      promptBar.setRunning(true);
      return;
    case 'jobProgress':
      jobView.progress(message.jobId, message.progress);
      return;
    case 'jobPreview':
      jobView.showPreview(message.jobId, message.width, message.height, message.rgba);
      return;
    case 'jobEnded':
      jobView.ended(message.jobId, message.outcome, message.message);
      promptBar.setRunning(false);
      return;
    case 'candidates':
      candidateMargins = message.expand;
      candidates.show(message.jobId, message.candidates);
      toolbar.setEditable(!candidates.isPreviewing);
      return;
    case 'notice':
      notices.show(message.level, message.message, true);
      return;
    case 'tokenCounts':
      promptBar.tokenCounter.receive(message);
      return;
    case 'model':
      model = message.model;
      expandPanel.setSizeMultiple(model?.sizeMultiple ?? 1);
      promptBar.setModel(message.model, message.error);
      return;
    case 'loraList':
      promptBar.loraPicker.receive(message);
      return;
  }
}

window.addEventListener('error', (event) => reportError(`${event.message} (${event.filename}:${event.lineno})`));
window.addEventListener('unhandledrejection', (event) => reportError(`Unhandled rejection: ${String(event.reason)}`));

host.onMessage(parseToInpaintWebviewMessage, onMessage);
post({ type: 'ready' });
