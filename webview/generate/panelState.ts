// What the page keeps in VS Code's webview state (getState/setState) so that hiding and showing the panel, or a
// window reload, keeps the form: plain JSON, no pixels (the host re-sends results with `init`).
import { SCHEDULER_NAMES, type SchedulerName } from '../../src/common/protocol/engineProtocol';
import { parseKnownResult, type KnownResult, type SeedMode } from '../../src/common/protocol/generatePanelProtocol';
import { isSeedText, randomSeed, type SeedText } from '../../src/common/seed';
import { isTilingMode, type TilingMode } from '../../src/common/tilingMode';

export const STATE_VERSION = 1;

export interface FormState {
  prompt: string;
  negativePrompt: string;
  /** A size preset id, 'native' (the model's own size) or 'custom'. */
  sizePreset: string;
  width: number;
  height: number;
  steps: number;
  guidanceScale: number;
  seedMode: SeedMode;
  /** The seed box as typed in "Fixed" mode (checked with parseSeed on Generate). */
  fixedSeed: string;
  scheduler: SchedulerName;
  batchCount: number;
  useInitImage: boolean;
  strength: number;
  /** The hires fix (text to image only). */
  hires: boolean;
  hiresScale: number;
  hiresStrength: number;
  /** 0 = the same steps as the first pass. */
  hiresSteps: number;
  /** The Seamless option: seamless tiling's axes, or off. */
  tiling: TilingMode | 'off';
}

export interface PanelState {
  version: typeof STATE_VERSION;
  /** null until the host's defaults have been applied once. */
  form: FormState | null;
  known: KnownResult[];
  lastSeed: SeedText | null;
  /** When the form was last saved here (ms): the host's copy wins when it is newer (a state saved late or lost). */
  savedAt?: number;
}

export const DEFAULT_STRENGTH = 0.75;

/** Until the host's `init` brings the settings' defaults. */
export const DEFAULT_FORM: Readonly<FormState> = {
  prompt: '',
  negativePrompt: '',
  sizePreset: 'native',
  width: 512,
  height: 512,
  steps: 20,
  guidanceScale: 7.5,
  seedMode: 'random',
  fixedSeed: '',
  scheduler: 'default',
  batchCount: 1,
  useInitImage: false,
  strength: DEFAULT_STRENGTH,
  hires: false,
  hiresScale: 2,
  hiresStrength: 0.7,
  hiresSteps: 0,
  tiling: 'off',
};

/** The `savedAt` the page writes into the form it gives the host (a field loadForm ignores). */
export const SAVED_AT_FIELD = 'savedAt';

/** Whether the host's copy of the form is newer than the page's own state (or the page has none). */
export function hostFormIsNewer(state: PanelState, hostForm: Record<string, unknown> | undefined): boolean {
  if (!hostForm) return false;
  if (state.form === null) return true;
  const hostSavedAt = hostForm[SAVED_AT_FIELD];
  return typeof hostSavedAt === 'number' && hostSavedAt > (state.savedAt ?? 0);
}

export function emptyState(): PanelState {
  return { version: STATE_VERSION, form: null, known: [], lastSeed: null };
}

/** Reads a saved state defensively (it may come from an older version of the page). */
export function loadState(raw: unknown): PanelState {
  if (typeof raw !== 'object' || raw === null) return emptyState();
  const r = raw as Partial<PanelState>;
  if (r.version !== STATE_VERSION) return emptyState();
  return {
    version: STATE_VERSION,
    form: loadForm(r.form),
    known: Array.isArray(r.known) ? r.known.flatMap((k: unknown) => loadKnown(k)) : [],
    lastSeed: loadSeed(r.lastSeed) ?? null,
    ...(typeof r.savedAt === 'number' && Number.isFinite(r.savedAt) ? { savedAt: r.savedAt } : {}),
  };
}

/** Reads a form saved by this page or an older one (the page's state, or the host's copy for a reopened panel). */
export function loadForm(raw: unknown): FormState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const f = raw as Partial<FormState>;
  const d = DEFAULT_FORM;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    prompt: str(f.prompt),
    negativePrompt: str(f.negativePrompt),
    sizePreset: str(f.sizePreset) || d.sizePreset,
    width: num(f.width, d.width),
    height: num(f.height, d.height),
    steps: num(f.steps, d.steps),
    guidanceScale: num(f.guidanceScale, d.guidanceScale),
    seedMode: f.seedMode === 'fixed' || f.seedMode === 'last' ? f.seedMode : 'random',
    fixedSeed: typeof f.fixedSeed === 'string' ? f.fixedSeed : typeof f.fixedSeed === 'number' ? String(f.fixedSeed) : d.fixedSeed,
    scheduler: (SCHEDULER_NAMES as readonly string[]).includes(str(f.scheduler)) ? (f.scheduler as SchedulerName) : d.scheduler,
    batchCount: num(f.batchCount, d.batchCount),
    useInitImage: f.useInitImage === true,
    strength: num(f.strength, d.strength),
    hires: f.hires === true,
    hiresScale: num(f.hiresScale, d.hiresScale),
    hiresStrength: num(f.hiresStrength, d.hiresStrength),
    hiresSteps: num(f.hiresSteps, d.hiresSteps),
    tiling: isTilingMode(f.tiling) ? f.tiling : d.tiling,
  };
}

/** A seed saved by this version (a string) or an older one (a number). */
function loadSeed(raw: unknown): SeedText | undefined {
  const text = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : raw;
  return isSeedText(text) ? text : undefined;
}

function loadKnown(raw: unknown): KnownResult[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const k = raw as Record<string, unknown>;
  const parsed = parseKnownResult({ ...k, seed: loadSeed(k.seed) });
  return parsed.ok ? [parsed.message] : [];
}

/** A fresh seed for the seed box (A1111 draws them in 0 … 2^32 − 1: short to read and type). */
export function newSeedText(): SeedText {
  return randomSeed().toString();
}
