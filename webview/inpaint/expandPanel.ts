// The Expand canvas panel, shown while the Expand canvas tool is active: the margins on each side (kept in step with
// the frame on the canvas), the overlap (how far the feathered mask reaches into the image; the engine's default),
// Reset, and a note that says what Generate does now (the mask is not used) and the size it makes. Stable ids
// (the end-to-end tests drive them).
import { LIMITS } from '../../src/common/limits';
import { EXPAND_SIDES, ZERO_MARGINS, expandedSize, sameMargins, type ExpandMargins, type ExpandSide } from '../../src/common/outpaint/expandMargins';
import { OUTPAINT_DEFAULT_OVERLAP } from '../../src/common/outpaint/outpaintOverlap';
import type { InpaintExpand } from '../../src/common/protocol/inpaintEditorProtocol';
import { h, labelled, numberValue } from '../common/dom';

export interface ExpandPanelActions {
  /** Margins or overlap changed (typed, reset, or set from the frame). */
  changed(expand: InpaintExpand): void;
}

const SIDE_LABELS: Record<ExpandSide, string> = { left: 'Left', top: 'Top', right: 'Right', bottom: 'Bottom' };

export class ExpandPanel {
  readonly element: HTMLElement;
  private readonly fields = new Map<ExpandSide, HTMLInputElement>();
  private readonly overlapField: HTMLInputElement;
  private readonly note = h('p', { id: 'expandNote', class: 'model-note', 'aria-live': 'polite' });
  private marginsValue: ExpandMargins = { ...ZERO_MARGINS };
  private overlapValue = OUTPAINT_DEFAULT_OVERLAP;
  private imageSize: { width: number; height: number } | undefined;

  constructor(private readonly actions: ExpandPanelActions) {
    const { min, max } = LIMITS.outpaintMargin;
    const grid = h('div', { class: 'grid' });
    for (const side of EXPAND_SIDES) {
      const input = h('input', { id: `expand-${side}`, type: 'number', min, max, step: 1, 'aria-label': `${SIDE_LABELS[side]} margin in pixels` });
      input.addEventListener('input', () => this.readFields());
      input.addEventListener('change', () => this.render());
      this.fields.set(side, input);
      grid.append(labelled(SIDE_LABELS[side], input));
    }
    this.overlapField = h('input', {
      id: 'expandOverlap',
      type: 'number',
      min: LIMITS.outpaintOverlap.min,
      max: LIMITS.outpaintOverlap.max,
      step: 1,
      'aria-label': 'Overlap in pixels',
      title: 'How far the feathered mask reaches into the image, so the seam blends',
    });
    this.overlapField.addEventListener('input', () => this.readFields());
    this.overlapField.addEventListener('change', () => this.render());
    grid.append(labelled('Overlap', this.overlapField));
    const reset = h('button', { id: 'expandReset', type: 'button', title: 'All margins back to 0' }, 'Reset');
    reset.addEventListener('click', () => this.setMargins(ZERO_MARGINS));
    this.element = h(
      'section',
      { id: 'expandPanel', class: 'expand-panel hidden', 'aria-label': 'Expand canvas' },
      h('div', { class: 'section-title' }, 'Expand canvas'),
      grid,
      h('div', { class: 'buttons' }, reset),
      this.note,
    );
    this.render();
  }

  get margins(): ExpandMargins {
    return this.marginsValue;
  }

  get value(): InpaintExpand {
    return { margins: { ...this.marginsValue }, overlap: this.overlapValue };
  }

  setVisible(visible: boolean): void {
    this.element.classList.toggle('hidden', !visible);
  }

  /** The document's size (the note says what the margins make). */
  setImageSize(width: number, height: number): void {
    this.imageSize = { width, height };
    this.renderNote();
  }

  /** Arrow keys in the margin fields step by the model's size multiple (typed values are taken as typed). */
  setSizeMultiple(multiple: number): void {
    for (const input of this.fields.values()) input.step = String(multiple);
  }

  /** Margins from the frame, Reset, or a restored page state. */
  setMargins(margins: ExpandMargins, overlap = this.overlapValue): void {
    const changed = !sameMargins(margins, this.marginsValue) || overlap !== this.overlapValue;
    this.marginsValue = { ...margins };
    this.overlapValue = overlap;
    this.render();
    if (changed) this.actions.changed(this.value);
  }

  /** What Generate sends, or why a field cannot be used (a margin out of range, not a whole number). */
  read(): { expand: InpaintExpand } | { error: string; field: HTMLElement } {
    const { min, max } = LIMITS.outpaintMargin;
    for (const side of EXPAND_SIDES) {
      const field = this.fields.get(side)!;
      const v = numberValue(field);
      if (v === undefined || !Number.isInteger(v) || v < min || v > max) {
        return { error: `${SIDE_LABELS[side]} margin must be a whole number from ${min} to ${max}.`, field };
      }
    }
    const o = numberValue(this.overlapField);
    if (o === undefined || !Number.isInteger(o) || o < LIMITS.outpaintOverlap.min || o > LIMITS.outpaintOverlap.max) {
      return { error: `Overlap must be a whole number from ${LIMITS.outpaintOverlap.min} to ${LIMITS.outpaintOverlap.max}.`, field: this.overlapField };
    }
    return { expand: this.value };
  }

  /** The fields as typed: whole numbers within the limits are taken, anything else is left for the check on Generate. */
  private readFields(): void {
    const next = { ...this.marginsValue };
    for (const side of EXPAND_SIDES) {
      const v = numberValue(this.fields.get(side)!);
      if (v !== undefined && Number.isInteger(v) && v >= LIMITS.outpaintMargin.min && v <= LIMITS.outpaintMargin.max) next[side] = v;
    }
    const overlap = numberValue(this.overlapField);
    const changed = !sameMargins(next, this.marginsValue) || (overlap !== undefined && Number.isInteger(overlap) && overlap !== this.overlapValue);
    this.marginsValue = next;
    if (overlap !== undefined && Number.isInteger(overlap) && overlap >= LIMITS.outpaintOverlap.min && overlap <= LIMITS.outpaintOverlap.max) {
      this.overlapValue = overlap;
    }
    this.renderNote();
    if (changed) this.actions.changed(this.value);
  }

  private render(): void {
    for (const side of EXPAND_SIDES) this.fields.get(side)!.value = String(this.marginsValue[side]);
    this.overlapField.value = String(this.overlapValue);
    this.renderNote();
  }

  private renderNote(): void {
    const head = 'Generate paints the new area around the image from the prompt (and blends it over the overlap); the mask is not used.';
    if (!this.imageSize) {
      this.note.textContent = head;
      return;
    }
    const { width, height } = this.imageSize;
    const size = expandedSize(width, height, this.marginsValue);
    this.note.textContent = `${head} ${width}×${height} → ${size.width}×${size.height}.`;
  }
}
