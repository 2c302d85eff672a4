// What the page keeps in VS Code's webview state (getState/setState) so that hiding and showing the panel, or a
// window reload, keeps the form: plain JSON, no pixels (the host re-sends results with `init`).
import { SCHEDULER_NAMES, type SchedulerName } from '../../src/common/protocol/engineProtocol';
import { GENERATE_LIMITS, type KnownResult, type SeedMode } from '../../src/common/protocol/generatePanelProtocol';

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
  fixedSeed: number;
  scheduler: SchedulerName;
  batchCount: number;
  useInitImage: boolean;
  strength: number;
}

export interface PanelState {
  version: typeof STATE_VERSION;
  /** null until the host's defaults have been applied once. */
  form: FormState | null;
  known: KnownResult[];
  lastSeed: number | null;
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
  fixedSeed: 0,
  scheduler: 'default',
  batchCount: 1,
  useInitImage: false,
  strength: DEFAULT_STRENGTH,
};

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
    known: Array.isArray(r.known)
      ? r.known.filter((k): k is KnownResult => typeof k === 'object' && k !== null && typeof k.resultId === 'string')
      : [],
    lastSeed: typeof r.lastSeed === 'number' ? r.lastSeed : null,
  };
}

function loadForm(raw: unknown): FormState | null {
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
    fixedSeed: num(f.fixedSeed, d.fixedSeed),
    scheduler: (SCHEDULER_NAMES as readonly string[]).includes(str(f.scheduler)) ? (f.scheduler as SchedulerName) : d.scheduler,
    batchCount: num(f.batchCount, d.batchCount),
    useInitImage: f.useInitImage === true,
    strength: num(f.strength, d.strength),
  };
}

export function randomSeed(): number {
  const values = new Uint32Array(1);
  crypto.getRandomValues(values);
  return values[0]! % (GENERATE_LIMITS.seed.max + 1);
}
