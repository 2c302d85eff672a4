// Host ⇄ inpaint editor webview (custom editor `localDiffusion.inpaintEditor`). Discriminant: `type`.
// The host owns the image bytes, the mask and the edit stack; the webview is a view plus an intent
// source. Images, masks and previews travel as Uint8Array (structured clone), never base64.
// Pure TypeScript: imports only from src/common.

import { isBytes, isFiniteNumber, isIntegerIn, isNumberIn, isRecord, type Fields } from './validators';
import { SCHEDULER_NAMES, type SchedulerName } from './engineProtocol';

// ─── Mask operations ─────────────────────────────────────────────────────────────────────────────
// A mask is width × height bytes, 0 = keep, 255 = repaint, values between = soft (grey).
// Every finished stroke or tool action is ONE MaskOp: one undo unit, stored as vector data
// (hot-exit backups stay small: no pixel history per stroke).

export type MaskMode = 'paint' | 'erase';

export type MaskOp =
  /** A brush or eraser stroke. `points` = [x0, y0, x1, y1, …] in image pixels (pixel i covers [i, i+1)). */
  | { kind: 'stroke'; mode: MaskMode; size: number; hardness: number; opacity: number; points: number[] }
  /** A rectangle in image pixels (the covered pixel centres are painted / erased). */
  | { kind: 'rect'; mode: MaskMode; x: number; y: number; width: number; height: number; opacity: number }
  | { kind: 'invert' }
  | { kind: 'clear' }
  | { kind: 'fill' }
  /** Grow (pixels > 0) or shrink (pixels < 0) by a disc of that radius. */
  | { kind: 'grow'; pixels: number }
  /** Gaussian feather; sigma in pixels, kernel half-width int(2.5·sigma + 0.5) (A1111 mask blur). */
  | { kind: 'feather'; sigma: number };

export type MaskOpKind = MaskOp['kind'];

export const MaskLimits = {
  maxBrushSize: 2048,
  /** Numbers in `points` (two per point). */
  maxStrokeCoordinates: 131072,
  maxGrowPixels: 64,
  maxFeatherSigma: 32,
  /** Coordinates may lie this far outside the image (strokes that start off-canvas). */
  maxCoordinate: 1 << 20,
} as const;

/** Undo labels shown by VS Code (Edit menu). */
export function maskOpLabel(op: MaskOp): string {
  switch (op.kind) {
    case 'stroke':
      return op.mode === 'paint' ? 'Brush Stroke' : 'Eraser Stroke';
    case 'rect':
      return op.mode === 'paint' ? 'Mask Rectangle' : 'Erase Rectangle';
    case 'invert':
      return 'Invert Mask';
    case 'clear':
      return 'Clear Mask';
    case 'fill':
      return 'Fill Mask';
    case 'grow':
      return op.pixels >= 0 ? 'Grow Mask' : 'Shrink Mask';
    case 'feather':
      return 'Feather Mask';
  }
}

// ─── Generation settings (prompt bar) ────────────────────────────────────────────────────────────

export type InpaintArea = 'whole' | 'masked';

export interface InpaintSettings {
  prompt: string;
  negativePrompt: string;
  steps: number;
  guidanceScale: number;
  /** null = a new random seed for every run. */
  seed: number | null;
  scheduler: SchedulerName;
  /** Denoising strength in (0, 1]. */
  strength: number;
  /** 'masked' = "only masked": crop around the mask plus padding, generate at the model's size, paste back. */
  inpaintArea: InpaintArea;
  maskPadding: number;
  /** Gaussian feather applied by the engine (A1111 "mask blur"). */
  maskBlur: number;
  /** Candidates per run. */
  batchCount: number;
}

export const InpaintSettingLimits = {
  maxPromptLength: 10000,
  steps: { min: 1, max: 150 },
  guidanceScale: { min: 0, max: 30 },
  seed: { min: 0, max: 0xffffffff },
  strength: { min: 0.01, max: 1 },
  maskPadding: { min: 0, max: 512 },
  maskBlur: { min: 0, max: 64 },
  batchCount: { min: 1, max: 8 },
} as const;

/** Defaults follow A1111's inpaint tab (strength 0.75, mask blur 4, padding 32) with "only masked" on. */
export const DEFAULT_INPAINT_SETTINGS: Readonly<InpaintSettings> = Object.freeze({
  prompt: '',
  negativePrompt: '',
  steps: 20,
  guidanceScale: 7.5,
  seed: null,
  scheduler: 'default',
  strength: 0.75,
  inpaintArea: 'masked',
  maskPadding: 32,
  maskBlur: 4,
  batchCount: 1,
});

// ─── Job progress (GenerateProgress without the preview pixels, which travel separately) ─────────
// As the engine reports them: `image` counts from 1, a loading `index` from 0.

export type InpaintJobProgress =
  | { stage: 'starting' }
  | { stage: 'loading'; component: string; index: number; total: number }
  | { stage: 'encodingPrompt' }
  | { stage: 'encodingImage' }
  | { stage: 'denoising'; image: number; images: number; step: number; steps: number; elapsedMs: number }
  | { stage: 'decoding'; image: number; images: number };

export interface InpaintCandidate {
  /** Index in the job's results. */
  index: number;
  /** The engine's PNG (same size as the document image; pixels outside the mask unchanged). */
  png: Uint8Array;
  seed: number;
  /** The A1111 infotext written into the PNG. */
  parameters: string;
}

export type ImageFileFormat = 'png' | 'jpeg' | 'webp';

export interface InpaintDocumentInfo {
  fileName: string;
  format: ImageFileFormat;
  width: number;
  height: number;
  /** The file system cannot be written: Save fails, Save As works. */
  readonly: boolean;
  /** JPEG and lossy WebP: saving a changed image re-encodes it (every pixel may shift slightly). */
  lossy: boolean;
  warnings: string[];
}

/** A rectangle of mask bytes (row-major, width × height). The whole mask when it covers the image. */
export interface MaskRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  data: Uint8Array;
}

// ─── Host → webview ──────────────────────────────────────────────────────────────────────────────

export type ToInpaintWebviewMessage =
  | { type: 'init'; document: InpaintDocumentInfo; settings: InpaintSettings }
  /** The image to display (after open, an applied/undone generation, revert). Display only. */
  | { type: 'image'; revision: number; bytes: Uint8Array; mimeType: string; width: number; height: number }
  /**
   * Mask state from the host (source of truth). `baseRevision` null: replace the whole mask.
   * Otherwise apply `region` only if the view is at `baseRevision` (else ask for the whole mask).
   */
  | { type: 'mask'; revision: number; baseRevision: number | null; region: MaskRegion }
  /** A MaskOp the host applied. `hash` = maskRegionHash over maskOpBounds(op) after applying it. */
  | { type: 'maskOpApplied'; revision: number; op: MaskOp; hash: number; fromThisView: boolean }
  | { type: 'jobStarted'; jobId: number; batchCount: number; steps: number }
  | { type: 'jobProgress'; jobId: number; progress: InpaintJobProgress }
  /** Live denoising preview, RGBA width × height × 4 (of the generated area: the crop in "only masked"). */
  | { type: 'jobPreview'; jobId: number; image: number; width: number; height: number; rgba: Uint8Array }
  | { type: 'jobEnded'; jobId: number; outcome: 'finished' | 'cancelled' | 'failed'; message?: string }
  /** The candidates waiting for a choice; an empty list clears them. */
  | { type: 'candidates'; jobId: number | null; width: number; height: number; candidates: InpaintCandidate[] }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

// ─── Webview → host ──────────────────────────────────────────────────────────────────────────────

export type FromInpaintWebviewMessage =
  | { type: 'ready' }
  /** A finished stroke / tool action, already applied locally on top of mask revision `baseRevision`. */
  | { type: 'maskOp'; op: MaskOp; baseRevision: number }
  | { type: 'requestMask' }
  | { type: 'generate'; settings: InpaintSettings }
  | { type: 'cancel' }
  | { type: 'applyCandidate'; jobId: number; index: number }
  | { type: 'discardCandidates'; jobId: number }
  /** Webview-side failures, for the host log. */
  | { type: 'error'; message: string };

// ─── Validators (every message is checked before use, in both directions) ───────────────────────






function isMaskMode(value: unknown): value is MaskMode {
  return value === 'paint' || value === 'erase';
}

function isCoordinate(value: unknown): value is number {
  return isNumberIn(value, { min: -MaskLimits.maxCoordinate, max: MaskLimits.maxCoordinate });
}

export function isMaskOp(value: unknown): value is MaskOp {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case 'stroke': {
      const points = value.points;
      return (
        isMaskMode(value.mode) &&
        isNumberIn(value.size, { min: 1, max: MaskLimits.maxBrushSize }) &&
        isNumberIn(value.hardness, { min: 0, max: 1 }) &&
        isNumberIn(value.opacity, { min: 0, max: 1 }) &&
        value.opacity > 0 &&
        Array.isArray(points) &&
        points.length >= 2 &&
        points.length % 2 === 0 &&
        points.length <= MaskLimits.maxStrokeCoordinates &&
        points.every(isCoordinate)
      );
    }
    case 'rect':
      return (
        isMaskMode(value.mode) &&
        isCoordinate(value.x) &&
        isCoordinate(value.y) &&
        isNumberIn(value.width, { min: 0, max: MaskLimits.maxCoordinate }) &&
        isNumberIn(value.height, { min: 0, max: MaskLimits.maxCoordinate }) &&
        isNumberIn(value.opacity, { min: 0, max: 1 }) &&
        value.opacity > 0
      );
    case 'invert':
    case 'clear':
    case 'fill':
      return true;
    case 'grow':
      return isIntegerIn(value.pixels, { min: -MaskLimits.maxGrowPixels, max: MaskLimits.maxGrowPixels }) && value.pixels !== 0;
    case 'feather':
      return isNumberIn(value.sigma, { min: 0, max: MaskLimits.maxFeatherSigma }) && value.sigma > 0;
    default:
      return false;
  }
}

export function isInpaintSettings(value: unknown): value is InpaintSettings {
  if (!isRecord(value)) return false;
  const L = InpaintSettingLimits;
  return (
    typeof value.prompt === 'string' &&
    value.prompt.length <= L.maxPromptLength &&
    typeof value.negativePrompt === 'string' &&
    value.negativePrompt.length <= L.maxPromptLength &&
    isIntegerIn(value.steps, { min: L.steps.min, max: L.steps.max }) &&
    isNumberIn(value.guidanceScale, { min: L.guidanceScale.min, max: L.guidanceScale.max }) &&
    (value.seed === null || isIntegerIn(value.seed, { min: L.seed.min, max: L.seed.max })) &&
    (SCHEDULER_NAMES as readonly unknown[]).includes(value.scheduler) &&
    isNumberIn(value.strength, { min: L.strength.min, max: L.strength.max }) &&
    (value.inpaintArea === 'whole' || value.inpaintArea === 'masked') &&
    isIntegerIn(value.maskPadding, { min: L.maskPadding.min, max: L.maskPadding.max }) &&
    isNumberIn(value.maskBlur, { min: L.maskBlur.min, max: L.maskBlur.max }) &&
    isIntegerIn(value.batchCount, { min: L.batchCount.min, max: L.batchCount.max })
  );
}

/**
 * Coerces a partial or out-of-range value (an old memento, a hand-edited setting) into valid
 * settings, field by field, falling back to `fallback`.
 */
export function sanitizeInpaintSettings(value: unknown, fallback: InpaintSettings = DEFAULT_INPAINT_SETTINGS): InpaintSettings {
  const v = isRecord(value) ? value : {};
  const L = InpaintSettingLimits;
  const clampInt = (x: unknown, min: number, max: number, d: number): number =>
    isFiniteNumber(x) ? Math.min(max, Math.max(min, Math.round(x))) : d;
  const clamp = (x: unknown, min: number, max: number, d: number): number =>
    isFiniteNumber(x) ? Math.min(max, Math.max(min, x)) : d;
  const text = (x: unknown, d: string): string => (typeof x === 'string' ? x.slice(0, L.maxPromptLength) : d);
  return {
    prompt: text(v.prompt, fallback.prompt),
    negativePrompt: text(v.negativePrompt, fallback.negativePrompt),
    steps: clampInt(v.steps, L.steps.min, L.steps.max, fallback.steps),
    guidanceScale: clamp(v.guidanceScale, L.guidanceScale.min, L.guidanceScale.max, fallback.guidanceScale),
    seed:
      v.seed === null
        ? null
        : isIntegerIn(v.seed, { min: L.seed.min, max: L.seed.max })
          ? v.seed
          : fallback.seed,
    scheduler: (SCHEDULER_NAMES as readonly unknown[]).includes(v.scheduler) ? (v.scheduler as SchedulerName) : fallback.scheduler,
    strength: clamp(v.strength, L.strength.min, L.strength.max, fallback.strength),
    inpaintArea: v.inpaintArea === 'whole' || v.inpaintArea === 'masked' ? v.inpaintArea : fallback.inpaintArea,
    maskPadding: clampInt(v.maskPadding, L.maskPadding.min, L.maskPadding.max, fallback.maskPadding),
    maskBlur: clamp(v.maskBlur, L.maskBlur.min, L.maskBlur.max, fallback.maskBlur),
    batchCount: clampInt(v.batchCount, L.batchCount.min, L.batchCount.max, fallback.batchCount),
  };
}

export function isFromInpaintWebviewMessage(value: unknown): value is FromInpaintWebviewMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'requestMask':
    case 'cancel':
      return true;
    case 'maskOp':
      return isMaskOp(value.op) && isIntegerIn(value.baseRevision, { min: 0, max: Number.MAX_SAFE_INTEGER });
    case 'generate':
      return isInpaintSettings(value.settings);
    case 'applyCandidate':
      return isIntegerIn(value.jobId, { min: 0, max: Number.MAX_SAFE_INTEGER }) && isIntegerIn(value.index, { min: 0, max: 1023 });
    case 'discardCandidates':
      return isIntegerIn(value.jobId, { min: 0, max: Number.MAX_SAFE_INTEGER });
    case 'error':
      return typeof value.message === 'string';
    default:
      return false;
  }
}


function isMaskRegion(value: unknown): value is MaskRegion {
  return (
    isRecord(value) &&
    isIntegerIn(value.x, { min: 0, max: MaskLimits.maxCoordinate }) &&
    isIntegerIn(value.y, { min: 0, max: MaskLimits.maxCoordinate }) &&
    isIntegerIn(value.width, { min: 0, max: MaskLimits.maxCoordinate }) &&
    isIntegerIn(value.height, { min: 0, max: MaskLimits.maxCoordinate }) &&
    isBytes(value.data) &&
    value.data.length === value.width * value.height
  );
}

function isRevision(value: unknown): value is number {
  return isIntegerIn(value, { min: 0, max: Number.MAX_SAFE_INTEGER });
}

function isJobProgress(value: unknown): value is InpaintJobProgress {
  if (!isRecord(value)) return false;
  switch (value.stage) {
    case 'starting':
    case 'encodingPrompt':
    case 'encodingImage':
      return true;
    case 'loading':
      return typeof value.component === 'string' && isFiniteNumber(value.index) && isFiniteNumber(value.total);
    case 'denoising':
      return (
        isFiniteNumber(value.image) &&
        isFiniteNumber(value.images) &&
        isFiniteNumber(value.step) &&
        isFiniteNumber(value.steps) &&
        isFiniteNumber(value.elapsedMs)
      );
    case 'decoding':
      return isFiniteNumber(value.image) && isFiniteNumber(value.images);
    default:
      return false;
  }
}

function isDocumentInfo(value: unknown): value is InpaintDocumentInfo {
  return (
    isRecord(value) &&
    typeof value.fileName === 'string' &&
    (value.format === 'png' || value.format === 'jpeg' || value.format === 'webp') &&
    isIntegerIn(value.width, { min: 1, max: MaskLimits.maxCoordinate }) &&
    isIntegerIn(value.height, { min: 1, max: MaskLimits.maxCoordinate }) &&
    typeof value.readonly === 'boolean' &&
    typeof value.lossy === 'boolean' &&
    Array.isArray(value.warnings) &&
    value.warnings.every((w) => typeof w === 'string')
  );
}

function isCandidate(value: unknown): value is InpaintCandidate {
  return (
    isRecord(value) &&
    isIntegerIn(value.index, { min: 0, max: 1023 }) &&
    isBytes(value.png) &&
    isFiniteNumber(value.seed) &&
    typeof value.parameters === 'string'
  );
}

export function isToInpaintWebviewMessage(value: unknown): value is ToInpaintWebviewMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'init':
      return isDocumentInfo(value.document) && isInpaintSettings(value.settings);
    case 'image':
      return (
        isRevision(value.revision) &&
        isBytes(value.bytes) &&
        typeof value.mimeType === 'string' &&
        isIntegerIn(value.width, { min: 1, max: MaskLimits.maxCoordinate }) &&
        isIntegerIn(value.height, { min: 1, max: MaskLimits.maxCoordinate })
      );
    case 'mask':
      return (
        isRevision(value.revision) &&
        (value.baseRevision === null || isRevision(value.baseRevision)) &&
        isMaskRegion(value.region)
      );
    case 'maskOpApplied':
      return (
        isRevision(value.revision) &&
        isMaskOp(value.op) &&
        isIntegerIn(value.hash, { min: 0, max: 0xffffffff }) &&
        typeof value.fromThisView === 'boolean'
      );
    case 'jobStarted':
      return isRevision(value.jobId) && isFiniteNumber(value.batchCount) && isFiniteNumber(value.steps);
    case 'jobProgress':
      return isRevision(value.jobId) && isJobProgress(value.progress);
    case 'jobPreview':
      return (
        isRevision(value.jobId) &&
        isFiniteNumber(value.image) &&
        isIntegerIn(value.width, { min: 1, max: MaskLimits.maxCoordinate }) &&
        isIntegerIn(value.height, { min: 1, max: MaskLimits.maxCoordinate }) &&
        isBytes(value.rgba) &&
        value.rgba.length === value.width * value.height * 4
      );
    case 'jobEnded':
      return (
        isRevision(value.jobId) &&
        (value.outcome === 'finished' || value.outcome === 'cancelled' || value.outcome === 'failed') &&
        (value.message === undefined || typeof value.message === 'string')
      );
    case 'candidates':
      return (
        (value.jobId === null || isRevision(value.jobId)) &&
        isIntegerIn(value.width, { min: 0, max: MaskLimits.maxCoordinate }) &&
        isIntegerIn(value.height, { min: 0, max: MaskLimits.maxCoordinate }) &&
        Array.isArray(value.candidates) &&
        value.candidates.every(isCandidate)
      );
    case 'notice':
      return (value.level === 'info' || value.level === 'warning' || value.level === 'error') && typeof value.message === 'string';
    default:
      return false;
  }
}
