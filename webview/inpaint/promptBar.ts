// The prompt bar: prompt, negative prompt and the generation settings (steps, guidance, seed, scheduler,
// strength, "only masked" with padding, mask blur, batch count), Generate and Cancel.
import { LIMITS as L } from '../../src/common/limits';
import { parseSeed, randomSeed, type SeedText } from '../../src/common/seed';
import type { SchedulerName } from '../../src/common/protocol/engineProtocol';
import { samplerMenu } from '../../src/common/samplers';
import { DEFAULT_INPAINT_SETTINGS, isInpaintSettings, type InpaintModel, type InpaintSettings } from '../../src/common/protocol/inpaintEditorProtocol';
import type { CountTokensMessage } from '../../src/common/protocol/tokenCountMessages';
import { h, labelled, numberValue } from '../common/dom';
import { TokenCounter } from '../common/tokenCounter';
import { modelSizeNote } from './modelSizeNote';
import { LoraPicker } from '../common/loraPicker';
import type { ListLorasMessage } from '../../src/common/protocol/loraPickerMessages';

export interface PromptBarActions {
  generate(settings: InpaintSettings): void;
  cancel(): void;
  /** Any field changed (to keep the page state). */
  changed(): void;
  /** The token counter's request (to post to the host). */
  countTokens(message: CountTokensMessage): void;
  /** The LoRA picker's request (to post to the host). */
  listLoras(message: ListLorasMessage): void;
}

export class PromptBar {
  readonly element: HTMLElement;
  private readonly prompt = h('textarea', { id: 'prompt', rows: 3, placeholder: 'What to paint into the masked area', 'aria-label': 'Prompt' });
  private readonly negative = h('textarea', { id: 'negativePrompt', rows: 2, placeholder: 'What to avoid', 'aria-label': 'Negative prompt' });
  private readonly steps = h('input', { id: 'steps', type: 'number', min: L.steps.min, max: L.steps.max, step: 1, 'aria-label': 'Steps' });
  private readonly guidance = h('input', { id: 'guidance', type: 'number', min: L.guidanceScale.min, max: L.guidanceScale.max, step: 0.5, 'aria-label': 'Guidance scale' });
  private readonly strength = h('input', { id: 'strength', type: 'number', min: L.strength.min, max: L.strength.max, step: 0.05, 'aria-label': 'Strength' });
  /** Text, not a number input: seeds go to 2^64 − 1, past what a JavaScript number holds exactly. */
  private readonly seed = h('input', { id: 'seed', type: 'text', inputmode: 'numeric', spellcheck: false, placeholder: 'random (-1)', 'aria-label': 'Seed' });
  private readonly randomSeed = h('input', { id: 'randomSeed', type: 'checkbox', 'aria-label': 'Random seed' });
  private readonly scheduler = h('select', { id: 'scheduler', 'aria-label': 'Scheduler' });
  private readonly onlyMasked = h('input', { id: 'onlyMasked', type: 'checkbox', 'aria-label': 'Only masked' });
  private readonly padding = h('input', { id: 'maskPadding', type: 'number', min: L.maskPadding.min, max: L.maskPadding.max, step: 1, 'aria-label': 'Mask padding' });
  private readonly blur = h('input', { id: 'maskBlur', type: 'number', min: L.maskBlur.min, max: L.maskBlur.max, step: 1, 'aria-label': 'Mask blur' });
  private readonly batch = h('input', { id: 'batchCount', type: 'number', min: L.batchCount.min, max: L.batchCount.max, step: 1, 'aria-label': 'Batch count' });
  private readonly generateButton = h('button', { id: 'generate', type: 'button', class: 'primary', title: 'Generate (Ctrl+Enter)' }, 'Generate');
  private readonly cancelButton = h('button', { id: 'cancel', type: 'button', disabled: true }, 'Cancel');
  private readonly error = h('div', { id: 'settingsError', class: 'error-text', role: 'alert' });
  /** What the model takes and at what size this image is worked on (modelSizeNote.ts). */
  private readonly modelNote = h('p', { id: 'modelNote', class: 'model-note' }, 'Checking the model…');
  private model: InpaintModel | null = null;
  /** The steps and guidance the bar last put in as defaults (the settings' until a model brings its own). */
  private appliedDefaults = { steps: DEFAULT_INPAINT_SETTINGS.steps, guidanceScale: DEFAULT_INPAINT_SETTINGS.guidanceScale };
  private imageSize: { width: number; height: number } | null = null;
  /** While Expand canvas is active: the size the margins make (the note says what that is worked on at). */
  private expandSize: { width: number; height: number } | null = null;
  private running = false;
  private ready = false;
  /** `used/limit` beside the prompt boxes; the page hands it the host's answers. */
  readonly tokenCounter: TokenCounter;
  /** "LoRA…" under the prompt: inserts `<lora:name:1>` from the LoRA folders. */
  readonly loraPicker: LoraPicker;

  constructor(private readonly actions: PromptBarActions) {
    this.tokenCounter = new TokenCounter(this.prompt, this.negative, (message) => this.actions.countTokens(message));
    this.loraPicker = new LoraPicker(this.prompt, (message) => this.actions.listLoras(message));
    for (const group of samplerMenu()) {
      const options = group.options.map((o) => h('option', { value: o.value, title: o.title }, o.label));
      this.scheduler.append(...(group.label ? [h('optgroup', { label: group.label }, ...options)] : options));
    }
    this.generateButton.addEventListener('click', () => this.submit());
    this.cancelButton.addEventListener('click', () => this.actions.cancel());
    this.randomSeed.addEventListener('change', () => {
      // Unticking Random offers a seed to keep (an empty box would be random again).
      if (!this.randomSeed.checked && this.seed.value.trim() === '') this.seed.value = randomSeed().toString();
      this.syncEnabled();
    });
    this.onlyMasked.addEventListener('change', () => {
      this.syncEnabled();
      this.renderModelNote();
    });
    for (const input of [this.prompt, this.negative]) {
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          this.submit();
        }
      });
    }
    const fields = [this.prompt, this.negative, this.steps, this.guidance, this.strength, this.seed, this.randomSeed, this.scheduler, this.onlyMasked, this.padding, this.blur, this.batch];
    for (const f of fields) {
      f.addEventListener('input', () => {
        this.error.textContent = '';
        this.actions.changed();
      });
      f.addEventListener('change', () => this.actions.changed());
    }
    this.element = h(
      'section',
      { class: 'prompt-bar', 'aria-label': 'Generation settings' },
      labelledWithCount('Prompt', this.prompt, this.tokenCounter.promptCount),
      this.loraPicker.element,
      labelledWithCount('Negative prompt', this.negative, this.tokenCounter.negativeCount),
      h(
        'div',
        { class: 'grid' },
        labelled('Steps', this.steps),
        labelled('Guidance', this.guidance),
        labelled('Strength', this.strength),
        labelled('Scheduler', this.scheduler),
        labelled('Seed', h('span', { class: 'pair' }, this.seed, h('label', { class: 'check', title: 'A new random seed for every run' }, this.randomSeed, 'Random'))),
        labelled('Batch', this.batch),
        labelled('Mask blur', this.blur),
        labelled('Padding', this.padding),
      ),
      h('label', { class: 'check', title: 'Crop around the mask (plus padding), generate at the model\'s size, paste back: more detail for small areas' }, this.onlyMasked, 'Only masked'),
      this.modelNote,
      this.error,
      h('div', { class: 'buttons' }, this.generateButton, this.cancelButton),
    );
    this.syncEnabled();
  }

  set(settings: InpaintSettings): void {
    this.prompt.value = settings.prompt;
    this.negative.value = settings.negativePrompt;
    this.steps.value = String(settings.steps);
    this.guidance.value = String(settings.guidanceScale);
    this.strength.value = String(settings.strength);
    this.randomSeed.checked = settings.seed === null;
    if (settings.seed !== null) this.seed.value = String(settings.seed);
    this.scheduler.value = settings.scheduler;
    this.onlyMasked.checked = settings.inpaintArea === 'masked';
    this.renderModelNote();
    this.padding.value = String(settings.maskPadding);
    this.blur.value = String(settings.maskBlur);
    this.batch.value = String(settings.batchCount);
    this.syncEnabled();
  }

  /** The document's size (the note says at what size it is worked on). */
  setImageSize(width: number, height: number): void {
    this.imageSize = { width, height };
    this.renderModelNote();
  }

  /** The engine's report on the selected model, or why it could not be read. */
  setModel(model: InpaintModel | null, error?: string): void {
    this.model = model;
    this.modelNote.classList.toggle('error', model === null);
    if (model === null) this.modelNote.textContent = error ?? 'The model could not be read.';
    else {
      this.renderModelNote();
      this.applyModelDefaults(model);
    }
  }

  /**
   * The model's own defaults replace the ones the bar put in, in fields the user has not changed, and go back to the
   * settings' when another model has none (as the Generate panel does).
   */
  private applyModelDefaults(model: InpaintModel): void {
    const steps = model.defaultSteps ?? DEFAULT_INPAINT_SETTINGS.steps;
    const guidanceScale = model.defaultGuidanceScale ?? DEFAULT_INPAINT_SETTINGS.guidanceScale;
    let changed = false;
    if (numberValue(this.steps) === this.appliedDefaults.steps && steps !== this.appliedDefaults.steps) {
      this.steps.value = String(steps);
      changed = true;
    }
    if (numberValue(this.guidance) === this.appliedDefaults.guidanceScale && guidanceScale !== this.appliedDefaults.guidanceScale) {
      this.guidance.value = String(guidanceScale);
      changed = true;
    }
    this.appliedDefaults = { steps, guidanceScale };
    if (changed) this.actions.changed();
  }

  /**
   * Expand canvas on (the size the margins make) or off (null): the prompt is for the new area, and the mask's
   * settings (only masked, padding, mask blur) do not apply.
   */
  setExpand(size: { width: number; height: number } | null): void {
    this.expandSize = size;
    this.prompt.placeholder = size ? 'What to paint around the image' : 'What to paint into the masked area';
    this.syncEnabled();
    this.renderModelNote();
  }

  private renderModelNote(): void {
    if (!this.model || !this.imageSize) return;
    this.modelNote.textContent = this.expandSize
      ? modelSizeNote(this.model, this.expandSize, false)
      : modelSizeNote(this.model, this.imageSize, this.onlyMasked.checked);
  }

  /** Uses a candidate's seed for the next run. */
  useSeed(seed: SeedText): void {
    this.randomSeed.checked = false;
    this.seed.value = String(seed);
    this.syncEnabled();
    this.actions.changed();
  }

  /** The settings as typed, or why they cannot be used. */
  read(): { settings: InpaintSettings } | { error: string; field: HTMLElement } {
    const need = (input: HTMLInputElement, name: string, min: number, max: number, integer: boolean): number | { error: string; field: HTMLElement } => {
      const v = numberValue(input);
      if (v === undefined || v < min || v > max || (integer && !Number.isInteger(v))) {
        return { error: `${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`, field: input };
      }
      return v;
    };
    const steps = need(this.steps, 'Steps', L.steps.min, L.steps.max, true);
    if (typeof steps !== 'number') return steps;
    const guidanceScale = need(this.guidance, 'Guidance', L.guidanceScale.min, L.guidanceScale.max, false);
    if (typeof guidanceScale !== 'number') return guidanceScale;
    const strength = need(this.strength, 'Strength', L.strength.min, L.strength.max, false);
    if (typeof strength !== 'number') return strength;
    let seed: SeedText | null = null;
    if (!this.randomSeed.checked) {
      const parsed = parseSeed(this.seed.value);
      if ('error' in parsed) return { error: parsed.error, field: this.seed };
      seed = 'seed' in parsed ? parsed.seed.toString() : null;
    }
    const maskPadding = need(this.padding, 'Padding', L.maskPadding.min, L.maskPadding.max, true);
    if (typeof maskPadding !== 'number') return maskPadding;
    const maskBlur = need(this.blur, 'Mask blur', L.maskBlur.min, L.maskBlur.max, false);
    if (typeof maskBlur !== 'number') return maskBlur;
    const batchCount = need(this.batch, 'Batch', L.batchCount.min, L.batchCount.max, true);
    if (typeof batchCount !== 'number') return batchCount;
    const settings: InpaintSettings = {
      prompt: this.prompt.value,
      negativePrompt: this.negative.value,
      steps,
      guidanceScale,
      seed,
      scheduler: this.scheduler.value as SchedulerName,
      strength,
      inpaintArea: this.onlyMasked.checked ? 'masked' : 'whole',
      maskPadding,
      maskBlur,
      batchCount,
    };
    if (!isInpaintSettings(settings)) return { error: 'These settings are not valid.', field: this.prompt };
    return { settings };
  }

  /** The settings to keep in the page state (invalid fields fall back to the last valid ones). */
  snapshot(): InpaintSettings | undefined {
    const r = this.read();
    return 'settings' in r ? r.settings : undefined;
  }

  setRunning(running: boolean): void {
    this.running = running;
    this.syncEnabled();
  }

  /** Generate stays disabled until the document has arrived. */
  setReady(ready: boolean): void {
    this.ready = ready;
    this.syncEnabled();
  }

  private submit(): void {
    if (this.running || !this.ready) return;
    const result = this.read();
    if ('error' in result) {
      this.error.textContent = result.error;
      result.field.focus();
      return;
    }
    this.error.textContent = '';
    this.actions.generate(result.settings);
  }

  private syncEnabled(): void {
    this.seed.disabled = this.randomSeed.checked;
    const expanding = this.expandSize !== null;
    this.padding.disabled = expanding || !this.onlyMasked.checked;
    this.onlyMasked.disabled = expanding;
    this.blur.disabled = expanding;
    this.generateButton.disabled = this.running || !this.ready;
    this.cancelButton.disabled = !this.running;
  }
}

/** A wide prompt field whose label also shows its token count. */
function labelledWithCount(text: string, control: HTMLElement, count: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'field wide' }, h('span', { class: 'field-label' }, text, count), control);
}
