// Host ⇄ Generate Image panel messages (discriminant `type`) and their validators. Pure TypeScript: imports only
// from src/common, runs in the host and in the webview. Images travel as Uint8Array, never base64.
import { isBytes, isGenerateProgress, isIntegerIn, isNumberIn, isRecord, type Fields } from './validators';
import { SCHEDULER_NAMES, type GenerateProgress, type SchedulerName } from './engineProtocol';

/** Limits of the form; the host validates every message against them before use. */
export const GENERATE_LIMITS = {
  /** Width and height: multiples of 8 (the VAE's scale factor for Stable Diffusion). */
  sizeMultiple: 8,
  size: { min: 8, max: 4096 },
  steps: { min: 1, max: 150 },
  guidanceScale: { min: 0, max: 30 },
  batchCount: { min: 1, max: 16 },
  strength: { min: 0.01, max: 1 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  promptLength: 10_000,
} as const;

/** Results the panel keeps (older ones leave the grid; saved files stay on disk). */
export const MAX_PANEL_RESULTS = 32;

export type SeedMode = 'random' | 'fixed' | 'last';

export interface GenerateFormValues {
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  steps: number;
  guidanceScale: number;
  /** null = a random seed. */
  seed: number | null;
  scheduler: SchedulerName;
  batchCount: number;
  /** img2img from the panel's init image, with this strength. */
  useInitImage: boolean;
  strength: number;
}

export interface PanelDefaults {
  steps: number;
  guidanceScale: number;
  scheduler: SchedulerName;
  /** 0 = the model's native size. */
  width: number;
  height: number;
}

export interface PanelModel {
  name: string;
  builtIn: boolean;
  /** Present once the engine has reported on the model. */
  nativeWidth?: number;
  nativeHeight?: number;
  inpainting?: boolean;
  /** Why the model cannot be used (missing folder, untrusted workspace, …). */
  error?: string;
}

export interface PanelResult {
  resultId: string;
  png: Uint8Array;
  width: number;
  height: number;
  seed: number;
  prompt: string;
  /** A1111 infotext of the image. */
  parameters: string;
  /** Where it was saved (workspace-relative when possible), once saved. */
  savedPath?: string;
  /** The saved file's URI (string form), used to restore the result after a reload. */
  savedUri?: string;
}

export interface PanelInitImage {
  png: Uint8Array;
  width: number;
  height: number;
  label: string;
}

export interface PanelJob {
  jobId: number;
  startedAt: number;
  images: number;
  steps: number;
  /** The latest progress (with its preview), so a re-shown panel can pick up where it was. */
  progress: GenerateProgress | null;
}

export type JobOutcome = 'done' | 'cancelled' | 'failed';

export type ToGeneratePanelMessage =
  | {
      type: 'init';
      defaults: PanelDefaults;
      model: PanelModel | null;
      results: PanelResult[];
      job: PanelJob | null;
      initImage: PanelInitImage | null;
      /** False without a workspace folder: "Save to workspace" becomes "Save As…". */
      canSaveToWorkspace: boolean;
    }
  | { type: 'model'; model: PanelModel }
  | { type: 'jobStarted'; job: PanelJob }
  | { type: 'progress'; jobId: number; progress: GenerateProgress }
  | { type: 'results'; jobId: number; results: PanelResult[] }
  | { type: 'jobEnded'; jobId: number; outcome: JobOutcome; message?: string; elapsedMs: number; warnings: string[] }
  | { type: 'resultSaved'; resultId: string; savedPath: string; savedUri: string }
  | { type: 'initImage'; image: PanelInitImage | null };

export const RESULT_ACTIONS = [
  'saveToWorkspace',
  'saveAs',
  'open',
  'copyMarkdownLink',
  'useAsInitImage',
  'openInInpaintEditor',
  'discard',
] as const;
export type ResultAction = (typeof RESULT_ACTIONS)[number];

/** What the page remembers of a result in its saved state (no pixels: those stay with the host or in the file). */
export interface KnownResult {
  resultId: string;
  savedUri?: string;
  prompt?: string;
  seed?: number;
}

export type FromGeneratePanelMessage =
  /** Sent once the page has loaded; `known` are the results in its saved state (to restore saved ones after a reload). */
  | { type: 'ready'; known: KnownResult[] }
  | { type: 'generate'; form: GenerateFormValues }
  | { type: 'cancel' }
  | { type: 'resultAction'; action: ResultAction; resultId: string }
  | { type: 'pickInitImage' }
  | { type: 'clearInitImage' }
  | { type: 'selectModel' }
  | { type: 'error'; message: string };

// ---- validators ------------------------------------------------------------------------------------------



function isString(value: unknown, maxLength: number = GENERATE_LIMITS.promptLength): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}



/** A width or height the engine accepts: an integer multiple of 8 within the limits. */
export function isValidImageSide(value: unknown): value is number {
  return isIntegerIn(value, GENERATE_LIMITS.size) && value % GENERATE_LIMITS.sizeMultiple === 0;
}

/** Rounds to the nearest valid side (for sizes taken from an init image). */
export function nearestValidSide(value: number): number {
  const { min, max } = GENERATE_LIMITS.size;
  const m = GENERATE_LIMITS.sizeMultiple;
  return Math.min(max - (max % m), Math.max(min, Math.round(value / m) * m));
}

export function isSchedulerName(value: unknown): value is SchedulerName {
  return typeof value === 'string' && (SCHEDULER_NAMES as readonly string[]).includes(value);
}

export function isGenerateFormValues(value: unknown): value is GenerateFormValues {
  if (!isRecord(value)) return false;
  const L = GENERATE_LIMITS;
  return (
    isString(value.prompt) &&
    value.prompt.trim().length > 0 &&
    isString(value.negativePrompt) &&
    isValidImageSide(value.width) &&
    isValidImageSide(value.height) &&
    isIntegerIn(value.steps, L.steps) &&
    isNumberIn(value.guidanceScale, L.guidanceScale) &&
    (value.seed === null || isIntegerIn(value.seed, L.seed)) &&
    isSchedulerName(value.scheduler) &&
    isIntegerIn(value.batchCount, L.batchCount) &&
    typeof value.useInitImage === 'boolean' &&
    isNumberIn(value.strength, L.strength)
  );
}

function isResultId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(value);
}

function isKnownResult(value: unknown): value is KnownResult {
  return (
    isRecord(value) &&
    isResultId(value.resultId) &&
    (value.savedUri === undefined || isString(value.savedUri, 4096)) &&
    (value.prompt === undefined || isString(value.prompt)) &&
    (value.seed === undefined || isIntegerIn(value.seed, GENERATE_LIMITS.seed))
  );
}

function isResultAction(value: unknown): value is ResultAction {
  return typeof value === 'string' && (RESULT_ACTIONS as readonly string[]).includes(value);
}

/** Validates a message from the panel before the host uses it. */
export function isFromGeneratePanelMessage(value: unknown): value is FromGeneratePanelMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
      return Array.isArray(value.known) && value.known.length <= 1000 && value.known.every(isKnownResult);
    case 'generate':
      return isGenerateFormValues(value.form);
    case 'cancel':
    case 'pickInitImage':
    case 'clearInitImage':
    case 'selectModel':
      return true;
    case 'resultAction':
      return isResultAction(value.action) && isResultId(value.resultId);
    case 'error':
      return isString(value.message);
    default:
      return false;
  }
}


function isPanelResult(value: unknown): value is PanelResult {
  return (
    isRecord(value) &&
    isResultId(value.resultId) &&
    isBytes(value.png) &&
    isIntegerIn(value.width, { min: 1, max: 65535 }) &&
    isIntegerIn(value.height, { min: 1, max: 65535 }) &&
    isIntegerIn(value.seed, GENERATE_LIMITS.seed) &&
    isString(value.prompt) &&
    typeof value.parameters === 'string' &&
    (value.savedPath === undefined || typeof value.savedPath === 'string') &&
    (value.savedUri === undefined || typeof value.savedUri === 'string')
  );
}

function isPanelModel(value: unknown): value is PanelModel {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    typeof value.builtIn === 'boolean' &&
    (value.nativeWidth === undefined || typeof value.nativeWidth === 'number') &&
    (value.nativeHeight === undefined || typeof value.nativeHeight === 'number') &&
    (value.inpainting === undefined || typeof value.inpainting === 'boolean') &&
    (value.error === undefined || typeof value.error === 'string')
  );
}

function isPanelInitImage(value: unknown): value is PanelInitImage {
  return (
    isRecord(value) &&
    isBytes(value.png) &&
    typeof value.width === 'number' &&
    typeof value.height === 'number' &&
    typeof value.label === 'string'
  );
}


function isPanelJob(value: unknown): value is PanelJob {
  return (
    isRecord(value) &&
    typeof value.jobId === 'number' &&
    typeof value.startedAt === 'number' &&
    typeof value.images === 'number' &&
    typeof value.steps === 'number' &&
    (value.progress === null || isGenerateProgress(value.progress))
  );
}

function isPanelDefaults(value: unknown): value is PanelDefaults {
  return (
    isRecord(value) &&
    typeof value.steps === 'number' &&
    typeof value.guidanceScale === 'number' &&
    isSchedulerName(value.scheduler) &&
    typeof value.width === 'number' &&
    typeof value.height === 'number'
  );
}

/** Validates a message from the host before the panel uses it. */
export function isToGeneratePanelMessage(value: unknown): value is ToGeneratePanelMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'init':
      return (
        isPanelDefaults(value.defaults) &&
        (value.model === null || isPanelModel(value.model)) &&
        Array.isArray(value.results) &&
        value.results.every(isPanelResult) &&
        (value.job === null || isPanelJob(value.job)) &&
        (value.initImage === null || isPanelInitImage(value.initImage)) &&
        typeof value.canSaveToWorkspace === 'boolean'
      );
    case 'model':
      return isPanelModel(value.model);
    case 'jobStarted':
      return isPanelJob(value.job);
    case 'progress':
      return typeof value.jobId === 'number' && isGenerateProgress(value.progress);
    case 'results':
      return typeof value.jobId === 'number' && Array.isArray(value.results) && value.results.every(isPanelResult);
    case 'jobEnded':
      return (
        typeof value.jobId === 'number' &&
        (value.outcome === 'done' || value.outcome === 'cancelled' || value.outcome === 'failed') &&
        (value.message === undefined || typeof value.message === 'string') &&
        typeof value.elapsedMs === 'number' &&
        Array.isArray(value.warnings) &&
        value.warnings.every((w) => typeof w === 'string')
      );
    case 'resultSaved':
      return isResultId(value.resultId) && typeof value.savedPath === 'string' && typeof value.savedUri === 'string';
    case 'initImage':
      return value.image === null || isPanelInitImage(value.image);
    default:
      return false;
  }
}

export { isGenerateProgress };
