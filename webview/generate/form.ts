// The generation form: prompt, negative prompt, size (the model's own, presets, or custom in multiples of what the
// model takes), steps, guidance, seed (random / fixed / reuse last; 0 … 2^64 − 1), scheduler, batch count, img2img
// init image with strength, the model row, and Generate / Cancel. It validates before anything is sent; the host
// validates again with the same schema and limits (src/common/limits.ts).
import { promptProblem } from '../../src/common/prompt/promptProblem';
import { LIMITS } from '../../src/common/limits';
import { parseSeed, type SeedText } from '../../src/common/seed';
import { isTilingMode, type TilingMode } from '../../src/common/tilingMode';
import type { SchedulerName } from '../../src/common/protocol/engineProtocol';
import { samplerMenu } from '../../src/common/samplers';
import {
  isValidImageSide,
  nearestValidSide,
  type GenerateFormValues,
  type PanelDefaults,
  type PanelInitImage,
  type PanelModel,
  type PanelParameters,
  type SeedMode,
} from '../../src/common/protocol/generatePanelProtocol';
import type { CountTokensMessage } from '../../src/common/protocol/tokenCountMessages';
import { h, pngUrl } from '../common/dom';
import { TokenCounter } from '../common/tokenCounter';
import { LoraPicker } from '../common/loraPicker';
import type { ListLorasMessage } from '../../src/common/protocol/loraPickerMessages';
import { DEFAULT_STRENGTH, newSeedText, type FormState } from './panelState';

interface SizePreset {
  id: string;
  label: string;
  width: number;
  height: number;
}

const SIZE_PRESETS: readonly SizePreset[] = [
  { id: '512x512', label: '512 × 512 (1:1)', width: 512, height: 512 },
  { id: '768x768', label: '768 × 768 (1:1)', width: 768, height: 768 },
  { id: '1024x1024', label: '1024 × 1024 (1:1)', width: 1024, height: 1024 },
  { id: '512x768', label: '512 × 768 (portrait 2:3)', width: 512, height: 768 },
  { id: '768x512', label: '768 × 512 (landscape 3:2)', width: 768, height: 512 },
  { id: '576x1024', label: '576 × 1024 (9:16)', width: 576, height: 1024 },
  { id: '1024x576', label: '1024 × 576 (16:9)', width: 1024, height: 576 },
];
const NATIVE = 'native';
/** The menu's label of 'default' (src/common/samplers.ts samplerMenu). */
const DEFAULT_SAMPLER_LABEL = samplerMenu()[0]?.options[0]?.label ?? "Model's default";
const CUSTOM = 'custom';

export interface FormCallbacks {
  onChange(state: FormState): void;
  onGenerate(): void;
  onCancel(): void;
  onPickInitImage(): void;
  onClearInitImage(): void;
  onSelectModel(): void;
  /** The token counter's request (to post to the host). */
  onCountTokens(message: CountTokensMessage): void;
  /** The LoRA picker's request (to post to the host). */
  onListLoras(message: ListLorasMessage): void;
}

export class GenerateForm {
  readonly element: HTMLElement;
  private state: FormState;
  private model: PanelModel | null = null;
  /** The settings' defaults (applyDefaults) and the model's that the form last applied. */
  private settingsDefaults: PanelDefaults | undefined;
  private modelDefaults: { steps?: number; guidanceScale?: number } = {};
  private lastSeed: SeedText | null = null;
  private hasInitImage = false;
  private initImageUrl: string | undefined;

  private readonly modelName = h('span', { class: 'model-name' });
  private readonly modelNote = h('span', { class: 'model-note' });
  private readonly prompt = h('textarea', { id: 'prompt', rows: 3, placeholder: 'Describe the image…', 'aria-label': 'Prompt' });
  private readonly negativePrompt = h('textarea', {
    id: 'negative-prompt',
    rows: 2,
    placeholder: 'What to avoid (optional)',
    'aria-label': 'Negative prompt',
  });
  private readonly sizePreset = h('select', { id: 'size-preset', 'aria-label': 'Size' });
  private readonly width = numberInput('width', LIMITS.size.min, LIMITS.size.max, 1, 'Width');
  private readonly height = numberInput('height', LIMITS.size.min, LIMITS.size.max, 1, 'Height');
  private readonly customSize = h('span', { class: 'custom-size' });
  private readonly steps = numberInput('steps', LIMITS.steps.min, LIMITS.steps.max, 1, 'Steps');
  private readonly guidance = numberInput('guidance', LIMITS.guidanceScale.min, LIMITS.guidanceScale.max, 0.5, 'Guidance scale');
  private readonly seedMode = h('select', { id: 'seed-mode', 'aria-label': 'Seed mode' });
  /** Text, not a number input: seeds go to 2^64 − 1, past what a JavaScript number holds exactly. */
  private readonly seed = h('input', { type: 'text', id: 'seed', inputmode: 'numeric', spellcheck: false, 'aria-label': 'Seed' });
  private readonly scheduler = h('select', { id: 'scheduler', 'aria-label': 'Scheduler' });
  private readonly batchCount = numberInput('batch-count', LIMITS.batchCount.min, LIMITS.batchCount.max, 1, 'Batch count');
  private readonly initThumb = h('img', { class: 'init-thumb', alt: '' });
  private readonly initLabel = h('span', { class: 'init-label' }, 'No init image');
  private readonly clearInit = h('button', { type: 'button', class: 'secondary', id: 'clear-init' }, 'Clear');
  private readonly useInit = h('input', { type: 'checkbox', id: 'use-init' });
  private readonly strength = h('input', {
    type: 'range',
    id: 'strength',
    min: LIMITS.strength.min,
    max: LIMITS.strength.max,
    step: 0.01,
    'aria-label': 'Strength',
  });
  private readonly strengthValue = h('output', { for: 'strength' });
  private readonly hires = h('input', { type: 'checkbox', id: 'hires' });
  private readonly hiresScale = numberInput('hires-scale', LIMITS.hiresScale.min, LIMITS.hiresScale.max, 0.05, 'Hires upscale by');
  private readonly hiresStrength = numberInput('hires-strength', LIMITS.strength.min, LIMITS.strength.max, 0.05, 'Hires denoising strength');
  private readonly hiresSteps = numberInput('hires-steps', LIMITS.hiresSteps.min, LIMITS.hiresSteps.max, 1, 'Hires steps (0 = same)');
  /** Seamless tiling (A1111 "Tiling"): the image wraps around, so it repeats without seams. */
  private readonly seamless = h('select', {
    id: 'seamless',
    'aria-label': 'Seamless',
    title: 'Seamless tiling: the image continues across its edges, so it repeats without seams (each result gets a tiled 3×3 view)',
  });
  private readonly generateButton = h('button', { type: 'button', id: 'generate', title: 'Generate (Ctrl+Enter)' }, 'Generate');
  private readonly cancelButton = h('button', { type: 'button', id: 'cancel', class: 'secondary', disabled: true }, 'Cancel');
  private readonly message = h('div', { class: 'form-message', role: 'alert' });
  /** `used/limit` beside the prompt boxes; the page hands it the host's answers. */
  readonly tokenCounter: TokenCounter;
  /** "LoRA…" beside the prompt: inserts `<lora:name:1>` from the LoRA folders. */
  readonly loraPicker: LoraPicker;

  constructor(
    initial: FormState,
    private readonly callbacks: FormCallbacks,
  ) {
    this.state = { ...initial };
    this.tokenCounter = new TokenCounter(this.prompt, this.negativePrompt, (message) => this.callbacks.onCountTokens(message));
    this.loraPicker = new LoraPicker(this.prompt, (message) => this.callbacks.onListLoras(message));
    for (const group of samplerMenu()) {
      const options = group.options.map((o) => h('option', { value: o.value, title: o.title }, o.label));
      this.scheduler.append(...(group.label ? [h('optgroup', { label: group.label }, ...options)] : options));
    }
    for (const [value, label] of [
      ['random', 'Random'],
      ['fixed', 'Fixed'],
      ['last', 'Reuse last'],
    ] as const) {
      this.seedMode.append(h('option', { value }, label));
    }
    for (const [value, label] of [
      ['off', 'Off'],
      ['xy', 'Both directions'],
      ['x', 'Left–right only'],
      ['y', 'Top–bottom only'],
    ] as const) {
      this.seamless.append(h('option', { value }, label));
    }
    this.customSize.append(this.width, ' × ', this.height);
    const changeModel = h('button', { type: 'button', class: 'link', id: 'change-model' }, 'Change…');
    const chooseInit = h('button', { type: 'button', class: 'secondary', id: 'choose-init' }, 'Choose…');

    this.element = h(
      'form',
      { class: 'generate-form', autocomplete: 'off' },
      h('div', { class: 'model-row' }, h('span', { class: 'label' }, 'Model'), this.modelName, this.modelNote, changeModel),
      labelled('Prompt', this.prompt, this.tokenCounter.promptCount),
      this.loraPicker.element,
      labelled('Negative prompt', this.negativePrompt, this.tokenCounter.negativeCount),
      h('div', { class: 'row' }, labelled('Size', h('span', { class: 'size' }, this.sizePreset, this.customSize))),
      h('div', { class: 'row' }, labelled('Steps', this.steps), labelled('Guidance', this.guidance)),
      h('div', { class: 'row' }, labelled('Seed', h('span', { class: 'seed' }, this.seedMode, this.seed)), labelled('Batch', this.batchCount)),
      h('div', { class: 'row' }, labelled('Scheduler', this.scheduler), labelled('Seamless', this.seamless)),
      h(
        'fieldset',
        { class: 'init-image' },
        h('legend', {}, 'Init image (img2img)'),
        h('div', { class: 'init-row' }, this.initThumb, this.initLabel, chooseInit, this.clearInit),
        h(
          'div',
          { class: 'init-row' },
          h('label', { class: 'checkbox' }, this.useInit, ' Start from the init image'),
          h('label', { class: 'strength' }, 'Strength ', this.strength, this.strengthValue),
        ),
      ),
      h(
        'fieldset',
        { class: 'hires' },
        h('legend', {}, 'Hires fix'),
        h('label', { class: 'checkbox', title: 'Generate, upscale (Lanczos, or the model in the localDiffusion.hiresUpscaler setting), then denoise again at the larger size' }, this.hires, ' Upscale and refine'),
        h('div', { class: 'row' }, labelled('Scale', this.hiresScale), labelled('Strength', this.hiresStrength), labelled('Steps', this.hiresSteps)),
      ),
      h('div', { class: 'actions' }, this.generateButton, this.cancelButton),
      this.message,
    );

    this.element.addEventListener('submit', (e) => e.preventDefault());
    // A typed size snaps to the nearest one the model takes when it is committed (Enter, leaving the box),
    // before the form reads it.
    for (const side of [this.width, this.height]) {
      side.addEventListener('change', () => {
        if (Number.isFinite(side.valueAsNumber)) side.value = String(nearestValidSide(side.valueAsNumber, this.sizeMultiple));
      });
    }
    this.element.addEventListener('input', () => this.readInputs());
    this.element.addEventListener('change', () => this.readInputs());
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (!this.generateButton.disabled) callbacks.onGenerate();
      }
    });
    this.generateButton.addEventListener('click', () => callbacks.onGenerate());
    this.cancelButton.addEventListener('click', () => callbacks.onCancel());
    changeModel.addEventListener('click', () => callbacks.onSelectModel());
    chooseInit.addEventListener('click', () => callbacks.onPickInitImage());
    this.clearInit.addEventListener('click', () => callbacks.onClearInitImage());
    this.renderSizePresets();
    this.render();
  }

  get values(): FormState {
    return { ...this.state };
  }

  /** Puts the caret in the prompt box (at its end). */
  focusPrompt(): void {
    this.prompt.focus();
    const end = this.prompt.value.length;
    this.prompt.setSelectionRange(end, end);
  }

  /** Replaces the whole form (the host's copy of the last panel's form). */
  replaceValues(values: FormState): void {
    this.state = { ...values };
    this.renderSizePresets();
    this.render();
    this.callbacks.onChange(this.values);
  }

  /** Fills the form from an image's parameters (Reuse parameters, Open Parameters from Image…): a fixed seed, the image's size. */
  applyParameters(p: PanelParameters): void {
    const next: FormState = { ...this.state, prompt: p.prompt, negativePrompt: p.negativePrompt };
    if (p.steps !== undefined) next.steps = p.steps;
    if (p.guidanceScale !== undefined) next.guidanceScale = p.guidanceScale;
    if (p.scheduler !== undefined) next.scheduler = p.scheduler;
    if (p.seed !== undefined) {
      next.seedMode = 'fixed';
      next.fixedSeed = p.seed;
    }
    if (p.width !== undefined && p.height !== undefined) {
      const native = this.model?.nativeWidth === p.width && this.model?.nativeHeight === p.height;
      next.sizePreset = native ? NATIVE : presetFor(p.width, p.height);
      next.width = p.width;
      next.height = p.height;
    }
    if (p.strength !== undefined) next.strength = p.strength;
    this.state = next;
    this.render();
    this.callbacks.onChange(this.values);
    this.showMessage(`Parameters from ${p.from}.`, 'info');
  }

  /** Applies the host's defaults (settings) to a fresh form. */
  applyDefaults(defaults: PanelDefaults): void {
    this.settingsDefaults = defaults;
    const native = defaults.width === 0 || defaults.height === 0;
    this.state = {
      ...this.state,
      steps: defaults.steps,
      guidanceScale: defaults.guidanceScale,
      scheduler: defaults.scheduler,
      sizePreset: native ? NATIVE : presetFor(defaults.width, defaults.height),
      width: native ? this.state.width : defaults.width,
      height: native ? this.state.height : defaults.height,
    };
    this.modelDefaults = {};
    if (this.model) this.applyModelDefaults(this.model);
    this.render();
    this.callbacks.onChange(this.values);
  }

  setModel(model: PanelModel): void {
    this.model = model;
    this.applyModelDefaults(model);
    this.modelName.textContent = `${model.name}${model.builtIn ? ' (built-in)' : ''}`;
    const size = model.nativeWidth && model.nativeHeight ? `${model.nativeWidth}×${model.nativeHeight}` : '';
    const takes = model.sizeMultiple && model.sizeMultiple > 1 ? `, sizes in multiples of ${model.sizeMultiple}` : '';
    this.modelNote.textContent = model.error ?? (size ? `native ${size}${takes}${model.inpainting ? ', inpainting' : ''}` : 'checking…');
    this.modelNote.classList.toggle('error', model.error !== undefined);
    const step = String(this.sizeMultiple);
    this.width.step = step;
    this.height.step = step;
    this.renderSizePresets();
    this.renderDefaultSampler();
    if (this.state.sizePreset === NATIVE && model.nativeWidth && model.nativeHeight) {
      this.state.width = model.nativeWidth;
      this.state.height = model.nativeHeight;
      this.callbacks.onChange(this.values);
    }
    this.render();
  }

  /**
   * The model's own defaults (SDXL's guidance 5, Turbo's steps and guidance 0) replace the settings' defaults in
   * fields the user has not changed, and go back when another model has none.
   */
  private applyModelDefaults(model: PanelModel): void {
    const d = this.settingsDefaults;
    if (!d || model.error) return;
    const steps = model.defaultSteps ?? d.steps;
    const guidance = model.defaultGuidanceScale ?? d.guidanceScale;
    let changed = false;
    if (this.state.steps === (this.modelDefaults.steps ?? d.steps) && this.state.steps !== steps) {
      this.state.steps = steps;
      changed = true;
    }
    if (this.state.guidanceScale === (this.modelDefaults.guidanceScale ?? d.guidanceScale) && this.state.guidanceScale !== guidance) {
      this.state.guidanceScale = guidance;
      changed = true;
    }
    this.modelDefaults = { steps, guidanceScale: guidance };
    if (changed) this.callbacks.onChange(this.values);
  }

  setLastSeed(seed: SeedText | null): void {
    this.lastSeed = seed;
    this.render();
  }

  /** `chosen`: the user just picked it, so img2img is switched on at the image's own size. */
  setInitImage(image: PanelInitImage | null, chosen = false): void {
    if (this.initImageUrl) URL.revokeObjectURL(this.initImageUrl);
    this.initImageUrl = image ? pngUrl(image.png) : undefined;
    this.hasInitImage = image !== null;
    this.initThumb.hidden = !image;
    if (this.initImageUrl) this.initThumb.src = this.initImageUrl;
    else this.initThumb.removeAttribute('src');
    this.initLabel.textContent = image ? `${image.label} (${image.width}×${image.height})` : 'No init image';
    this.clearInit.disabled = !image;
    if (image && chosen) {
      // Start from the init image at its own size (rounded to what the model takes).
      this.state.useInitImage = true;
      this.state.sizePreset = CUSTOM;
      this.state.width = nearestValidSide(image.width, this.sizeMultiple);
      this.state.height = nearestValidSide(image.height, this.sizeMultiple);
    } else if (!image) {
      this.state.useInitImage = false;
    }
    this.render();
    this.callbacks.onChange(this.values);
  }

  setRunning(running: boolean): void {
    this.generateButton.disabled = running;
    this.cancelButton.disabled = !running;
  }

  showMessage(text: string, kind: 'error' | 'info' = 'error'): void {
    this.message.textContent = text;
    this.message.className = `form-message ${kind}`;
  }

  /** The values to send, or what is wrong with them. */
  validate(): { values: GenerateFormValues } | { error: string } {
    const s = this.state;
    const L = LIMITS;
    const promptError = promptProblem(s.prompt);
    if (promptError) return { error: promptError };
    // The model's own size is left to the engine, which knows it even before the panel has heard it.
    const native = s.sizePreset === NATIVE;
    const multiple = this.sizeMultiple;
    if (!native && (!isValidImageSide(s.width, multiple) || !isValidImageSide(s.height, multiple))) {
      const multiples = multiple > 1 ? `multiples of ${multiple}` : 'whole numbers';
      return { error: `Width and height must be ${multiples} from ${L.size.min} to ${L.size.max}.` };
    }
    if (!isIntegerIn(s.steps, L.steps)) return { error: `Steps must be a whole number from ${L.steps.min} to ${L.steps.max}.` };
    if (!(s.guidanceScale >= L.guidanceScale.min && s.guidanceScale <= L.guidanceScale.max)) {
      return { error: `Guidance must be between ${L.guidanceScale.min} and ${L.guidanceScale.max}.` };
    }
    if (!isIntegerIn(s.batchCount, L.batchCount)) {
      return { error: `Batch count must be a whole number from ${L.batchCount.min} to ${L.batchCount.max}.` };
    }
    let seed: SeedText | null = null;
    if (s.seedMode === 'fixed') {
      const parsed = parseSeed(s.fixedSeed);
      if ('error' in parsed) return { error: parsed.error };
      seed = 'seed' in parsed ? parsed.seed.toString() : null;
    } else if (s.seedMode === 'last') {
      if (this.lastSeed === null) return { error: 'There is no previous seed yet: generate once, or choose Random.' };
      seed = this.lastSeed;
    }
    const useInitImage = s.useInitImage && this.hasInitImage;
    if (useInitImage && !(s.strength >= L.strength.min && s.strength <= L.strength.max)) {
      return { error: `Strength must be between ${L.strength.min} and ${L.strength.max}.` };
    }
    const hires = s.hires && !useInitImage;
    if (hires && !(s.hiresScale >= L.hiresScale.min && s.hiresScale <= L.hiresScale.max)) {
      return { error: `Hires scale must be between ${L.hiresScale.min} and ${L.hiresScale.max}.` };
    }
    if (hires && !(s.hiresStrength >= L.strength.min && s.hiresStrength <= L.strength.max)) {
      return { error: `Hires strength must be between ${L.strength.min} and ${L.strength.max}.` };
    }
    if (hires && !isIntegerIn(s.hiresSteps, L.hiresSteps)) {
      return { error: `Hires steps must be a whole number from ${L.hiresSteps.min} to ${L.hiresSteps.max} (0 = the same steps).` };
    }
    if (hires && (!native || this.model?.nativeWidth)) {
      const w = Math.floor((native ? this.model!.nativeWidth! : s.width) * s.hiresScale);
      const hh = Math.floor((native ? this.model!.nativeHeight! : s.height) * s.hiresScale);
      if (w > L.size.max || hh > L.size.max) return { error: `The hires fix would make ${w}×${hh}, over ${L.size.max} pixels a side.` };
    }
    return {
      values: {
        prompt: s.prompt,
        negativePrompt: s.negativePrompt,
        ...(native ? {} : { width: s.width, height: s.height }),
        steps: s.steps,
        guidanceScale: s.guidanceScale,
        seed,
        scheduler: s.scheduler,
        batchCount: s.batchCount,
        useInitImage,
        strength: s.strength,
        ...(hires ? { hires: { scale: s.hiresScale, strength: s.hiresStrength, steps: s.hiresSteps } } : {}),
        ...(s.tiling !== 'off' ? { tiling: s.tiling } : {}),
      },
    };
  }

  /** What width and height must be multiples of: the UNet's size multiple once the engine has said it. */
  private get sizeMultiple(): number {
    return this.model?.sizeMultiple ?? 1;
  }

  private readInputs(): void {
    const preset = this.sizePreset.value;
    const presetSize = SIZE_PRESETS.find((p) => p.id === preset);
    let width = this.width.valueAsNumber;
    let height = this.height.valueAsNumber;
    if (preset !== this.state.sizePreset) {
      if (presetSize) ({ width, height } = presetSize);
      else if (preset === NATIVE && this.model?.nativeWidth && this.model.nativeHeight) {
        width = this.model.nativeWidth;
        height = this.model.nativeHeight;
      }
    }
    const seedMode = this.seedMode.value as SeedMode;
    let fixedSeed = this.state.seedMode === 'fixed' ? this.seed.value : this.state.fixedSeed;
    // Switching to "Fixed" keeps the seed of the last image (or draws one), ready to be edited.
    if (seedMode === 'fixed' && this.state.seedMode !== 'fixed') fixedSeed = this.lastSeed ?? newSeedText();
    this.state = {
      prompt: this.prompt.value,
      negativePrompt: this.negativePrompt.value,
      sizePreset: preset,
      width,
      height,
      steps: this.steps.valueAsNumber,
      guidanceScale: this.guidance.valueAsNumber,
      seedMode,
      fixedSeed,
      scheduler: this.scheduler.value as SchedulerName,
      batchCount: this.batchCount.valueAsNumber,
      useInitImage: this.useInit.checked,
      strength: this.strength.valueAsNumber,
      hires: this.hires.checked,
      hiresScale: this.hiresScale.valueAsNumber,
      hiresStrength: this.hiresStrength.valueAsNumber,
      hiresSteps: this.hiresSteps.valueAsNumber,
      tiling: isTilingMode(this.seamless.value) ? (this.seamless.value as TilingMode) : 'off',
    };
    // A different seed mode shows a different number in the seed box.
    this.render();
    this.message.textContent = '';
    this.callbacks.onChange(this.values);
  }

  /** "Model's default (PNDM)": the menu says which sampler the model's scheduler_config.json names, once known. */
  private renderDefaultSampler(): void {
    const option = [...this.scheduler.options].find((o) => o.value === 'default');
    if (!option) return;
    option.textContent = this.model?.defaultSampler ? `${DEFAULT_SAMPLER_LABEL} (${this.model.defaultSampler})` : DEFAULT_SAMPLER_LABEL;
  }

  private renderSizePresets(): void {
    const native = this.model?.nativeWidth && this.model.nativeHeight ? ` (${this.model.nativeWidth} × ${this.model.nativeHeight})` : '';
    this.sizePreset.replaceChildren(
      h('option', { value: NATIVE }, `Model size${native}`),
      ...SIZE_PRESETS.map((p) => h('option', { value: p.id }, p.label)),
      h('option', { value: CUSTOM }, 'Custom…'),
    );
    this.sizePreset.value = this.state.sizePreset;
  }

  /** Puts the state into the inputs (only where they differ, so typing is never disturbed). */
  private render(): void {
    const s = this.state;
    setValue(this.prompt, s.prompt);
    setValue(this.negativePrompt, s.negativePrompt);
    this.sizePreset.value = s.sizePreset;
    setNumber(this.width, s.width);
    setNumber(this.height, s.height);
    const custom = s.sizePreset === CUSTOM;
    this.width.disabled = !custom;
    this.height.disabled = !custom;
    this.customSize.classList.toggle('readonly', !custom);
    const multiple = this.sizeMultiple;
    const sizeOk = isValidImageSide(s.width, multiple) && isValidImageSide(s.height, multiple);
    this.width.classList.toggle('invalid', custom && !isValidImageSide(s.width, multiple));
    this.height.classList.toggle('invalid', custom && !isValidImageSide(s.height, multiple));
    this.customSize.title = sizeOk || multiple === 1 ? '' : `Multiples of ${multiple}`;
    setNumber(this.steps, s.steps);
    setNumber(this.guidance, s.guidanceScale);
    this.seedMode.value = s.seedMode;
    this.seed.disabled = s.seedMode !== 'fixed';
    if (s.seedMode === 'fixed') setValue(this.seed, s.fixedSeed);
    else if (s.seedMode === 'last' && this.lastSeed !== null) setValue(this.seed, this.lastSeed);
    else setValue(this.seed, '');
    this.seed.placeholder = s.seedMode === 'random' ? 'random' : s.seedMode === 'last' ? 'none yet' : 'random (-1)';
    this.scheduler.value = s.scheduler;
    setNumber(this.batchCount, s.batchCount);
    this.useInit.checked = s.useInitImage && this.hasInitImage;
    this.useInit.disabled = !this.hasInitImage;
    this.strength.disabled = !this.hasInitImage;
    setNumber(this.strength, Number.isFinite(s.strength) ? s.strength : DEFAULT_STRENGTH);
    this.strengthValue.textContent = Number.isFinite(s.strength) ? s.strength.toFixed(2) : '';
    this.hires.checked = s.hires;
    setNumber(this.hiresScale, s.hiresScale);
    setNumber(this.hiresStrength, s.hiresStrength);
    setNumber(this.hiresSteps, s.hiresSteps);
    for (const input of [this.hiresScale, this.hiresStrength, this.hiresSteps]) input.disabled = !s.hires;
    this.seamless.value = s.tiling;
    this.clearInit.disabled = !this.hasInitImage;
    this.initThumb.hidden = !this.hasInitImage;
  }
}

function numberInput(id: string, min: number, max: number, step: number, label: string): HTMLInputElement {
  return h('input', { type: 'number', id, min, max, step, 'aria-label': label });
}

function labelled(text: string, control: HTMLElement, aside?: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, text, ...(aside ? [aside] : [])), control);
}

function setValue(element: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  if (element.value !== value) element.value = value;
}

function setNumber(element: HTMLInputElement, value: number): void {
  if (!Number.isFinite(value)) return;
  if (element.valueAsNumber !== value) element.value = String(value);
}

function isIntegerIn(value: number, limits: { min: number; max: number }): boolean {
  return Number.isSafeInteger(value) && value >= limits.min && value <= limits.max;
}

function presetFor(width: number, height: number): string {
  return SIZE_PRESETS.find((p) => p.width === width && p.height === height)?.id ?? CUSTOM;
}
