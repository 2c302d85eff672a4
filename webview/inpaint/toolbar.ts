// The tool bar: mask tools, Pan, Expand canvas, brush settings, whole-mask actions and zoom. Stable ids and aria-labels
// (the end-to-end tests drive them).
import { LIMITS } from '../../src/common/limits';
import type { MaskOp } from '../../src/common/protocol/inpaintEditorProtocol';
import { h, labelled } from '../common/dom';
import type { ToolName, ToolSettings } from './inpaintState';

export interface ToolbarActions {
  toolSettingsChanged(settings: ToolSettings): void;
  maskAction(op: MaskOp): void;
  zoomIn(): void;
  zoomOut(): void;
  fit(): void;
  actualSize(): void;
}

const TOOLS: { tool: ToolName; label: string; text: string; key: string }[] = [
  { tool: 'brush', label: 'Brush', text: 'Brush', key: 'B' },
  { tool: 'eraser', label: 'Eraser', text: 'Eraser', key: 'E' },
  { tool: 'rectangle', label: 'Rectangle', text: 'Rect', key: 'R' },
  { tool: 'rectangleEraser', label: 'Rectangle eraser', text: 'Rect erase', key: 'Shift+R' },
  { tool: 'pan', label: 'Pan', text: 'Pan', key: 'H, or hold Space' },
  { tool: 'expand', label: 'Expand canvas', text: 'Expand', key: 'X: drag the frame outward, Generate paints the new area' },
];

export class Toolbar {
  readonly element: HTMLElement;
  private settings: ToolSettings;
  private readonly toolButtons = new Map<ToolName, HTMLButtonElement>();
  private readonly size: HTMLInputElement;
  private readonly sizeValue: HTMLInputElement;
  private readonly hardness: HTMLInputElement;
  private readonly opacity: HTMLInputElement;
  private readonly growPixels: HTMLInputElement;
  private readonly featherSigma: HTMLInputElement;
  private readonly showMask: HTMLInputElement;
  private readonly maskStyle: HTMLSelectElement;
  private readonly zoomLabel: HTMLElement;
  private readonly editButtons: HTMLButtonElement[] = [];

  constructor(initial: ToolSettings, private readonly actions: ToolbarActions) {
    this.settings = { ...initial };
    const tools = h('div', { class: 'group', role: 'radiogroup', 'aria-label': 'Mask tool' });
    for (const t of TOOLS) {
      const button = h('button', { type: 'button', class: 'tool', id: `tool-${t.tool}`, 'aria-label': t.label, title: `${t.label} (${t.key})`, role: 'radio' }, t.text);
      button.addEventListener('click', () => this.setTool(t.tool));
      this.toolButtons.set(t.tool, button);
      tools.append(button);
    }

    this.size = h('input', { id: 'brushSize', type: 'range', min: 1, max: 512, step: 1, 'aria-label': 'Brush size' });
    this.sizeValue = h('input', { id: 'brushSizeValue', type: 'number', min: 1, max: LIMITS.brushSize.max, step: 1, class: 'narrow', 'aria-label': 'Brush size in pixels' });
    this.hardness = h('input', { id: 'brushHardness', type: 'range', min: 0, max: 100, step: 1, 'aria-label': 'Brush hardness' });
    this.opacity = h('input', { id: 'brushOpacity', type: 'range', min: 5, max: 100, step: 1, 'aria-label': 'Brush opacity' });
    this.size.addEventListener('input', () => this.update({ size: Number(this.size.value) }));
    this.sizeValue.addEventListener('change', () => {
      const v = Number(this.sizeValue.value);
      if (Number.isFinite(v)) this.update({ size: Math.min(LIMITS.brushSize.max, Math.max(1, Math.round(v))) });
    });
    this.hardness.addEventListener('input', () => this.update({ hardness: Number(this.hardness.value) / 100 }));
    this.opacity.addEventListener('input', () => this.update({ opacity: Number(this.opacity.value) / 100 }));
    const brush = h(
      'div',
      { class: 'group', role: 'group', 'aria-label': 'Brush settings' },
      labelled('Size', h('span', { class: 'pair' }, this.size, this.sizeValue)),
      labelled('Hardness', this.hardness),
      labelled('Opacity', this.opacity),
    );

    this.growPixels = h('input', { id: 'growPixels', type: 'number', min: 1, max: LIMITS.maskGrowPixels.max, step: 1, class: 'narrow', 'aria-label': 'Grow or shrink by pixels' });
    this.featherSigma = h('input', { id: 'featherSigma', type: 'number', min: 0.5, max: LIMITS.maskFeatherSigma.max, step: 0.5, class: 'narrow', 'aria-label': 'Feather radius (sigma) in pixels' });
    this.growPixels.addEventListener('change', () => {
      const v = Math.round(Number(this.growPixels.value));
      if (Number.isFinite(v)) this.update({ growPixels: Math.min(LIMITS.maskGrowPixels.max, Math.max(1, v)) });
    });
    this.featherSigma.addEventListener('change', () => {
      const v = Number(this.featherSigma.value);
      if (Number.isFinite(v)) this.update({ featherSigma: Math.min(LIMITS.maskFeatherSigma.max, Math.max(0.5, v)) });
    });
    const action = (label: string, text: string, op: () => MaskOp, title = label): HTMLButtonElement => {
      const b = h('button', { type: 'button', 'aria-label': label, title }, text);
      b.addEventListener('click', () => this.actions.maskAction(op()));
      this.editButtons.push(b);
      return b;
    };
    const maskActions = h(
      'div',
      { class: 'group', role: 'group', 'aria-label': 'Mask actions' },
      action('Invert mask', 'Invert', () => ({ kind: 'invert' })),
      action('Clear mask', 'Clear', () => ({ kind: 'clear' })),
      action('Fill mask', 'Fill', () => ({ kind: 'fill' }), 'Fill mask (repaint everything)'),
      action('Grow mask', 'Grow', () => ({ kind: 'grow', pixels: this.settings.growPixels })),
      action('Shrink mask', 'Shrink', () => ({ kind: 'grow', pixels: -this.settings.growPixels })),
      this.growPixels,
      action('Feather mask', 'Feather', () => ({ kind: 'feather', sigma: this.settings.featherSigma }), 'Feather mask (Gaussian blur)'),
      this.featherSigma,
    );

    this.showMask = h('input', { id: 'showMask', type: 'checkbox', 'aria-label': 'Show mask' });
    this.showMask.addEventListener('change', () => this.update({ showMask: this.showMask.checked }));
    this.maskStyle = h(
      'select',
      { id: 'maskStyle', 'aria-label': 'Mask colour', title: 'Mask colour: pick one that contrasts with the image, or an outline' },
      h('option', { value: 'theme' }, 'Theme colour'),
      h('option', { value: 'cyan' }, 'Cyan'),
      h('option', { value: 'magenta' }, 'Magenta'),
      h('option', { value: 'outline' }, 'Outline'),
    );
    this.maskStyle.addEventListener('change', () => this.update({ maskStyle: this.maskStyle.value as ToolSettings['maskStyle'] }));
    const button = (label: string, text: string, run: () => void, title = label): HTMLButtonElement => {
      const b = h('button', { type: 'button', 'aria-label': label, title }, text);
      b.addEventListener('click', run);
      return b;
    };
    this.zoomLabel = h('span', { id: 'zoomLevel', class: 'zoom-level', 'aria-live': 'polite' }, '100%');
    const view = h(
      'div',
      { class: 'group', role: 'group', 'aria-label': 'View' },
      labelled('Mask', this.showMask, 'inline'),
      this.maskStyle,
      button('Zoom out', '−', () => this.actions.zoomOut(), 'Zoom out (-)'),
      this.zoomLabel,
      button('Zoom in', '+', () => this.actions.zoomIn(), 'Zoom in (+)'),
      button('Zoom to fit', 'Fit', () => this.actions.fit(), 'Zoom to fit (0)'),
      button('Actual size', '1:1', () => this.actions.actualSize(), 'Actual size (1)'),
    );

    this.element = h('header', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Mask tools' }, tools, brush, maskActions, view);
    this.render();
  }

  get current(): ToolSettings {
    return this.settings;
  }

  setTool(tool: ToolName): void {
    this.update({ tool });
  }

  setBrushSize(size: number): void {
    this.update({ size });
  }

  setZoom(scale: number): void {
    const percent = scale * 100;
    this.zoomLabel.textContent = `${percent >= 10 ? Math.round(percent) : percent.toFixed(1)}%`;
  }

  /** Mask actions are disabled while nothing can be edited (no document yet, or a candidate is previewed). */
  setEditable(editable: boolean): void {
    for (const b of this.editButtons) b.disabled = !editable;
  }

  private update(change: Partial<ToolSettings>): void {
    this.settings = { ...this.settings, ...change };
    this.render();
    this.actions.toolSettingsChanged(this.settings);
  }

  private render(): void {
    const s = this.settings;
    for (const [tool, button] of this.toolButtons) {
      const on = tool === s.tool;
      button.setAttribute('aria-checked', String(on));
      button.setAttribute('aria-pressed', String(on));
      button.classList.toggle('selected', on);
    }
    this.size.value = String(Math.min(512, s.size));
    this.sizeValue.value = String(s.size);
    this.hardness.value = String(Math.round(s.hardness * 100));
    this.opacity.value = String(Math.round(s.opacity * 100));
    this.growPixels.value = String(s.growPixels);
    this.featherSigma.value = String(s.featherSigma);
    this.showMask.checked = s.showMask;
    this.maskStyle.value = s.maskStyle;
  }
}
