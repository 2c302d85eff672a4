// The running job: stage, step x/N and elapsed time, a progress bar, and the live denoising preview
// (RGBA from the engine; in "only masked" mode it shows the generated crop, at the model's size).
import type { InpaintJobProgress } from '../../src/common/protocol/inpaintEditorProtocol';
import type { JobOutcome } from '../../src/common/protocol/schemaParts';
import { describeProgress } from './describeProgress';
import { h } from '../common/dom';

const IDLE_TEXT = 'Paint a mask, describe what goes there, and Generate.';

export class JobView {
  readonly element: HTMLElement;
  private readonly status = h('div', { id: 'progress', class: 'status-text', role: 'status', 'aria-live': 'polite' }, IDLE_TEXT);
  private readonly bar = h('progress', { id: 'progressBar', max: 1, 'aria-label': 'Generation progress' });
  private readonly preview = h('canvas', { id: 'preview', 'aria-label': 'Live preview' });
  private readonly previewBox = h('figure', { class: 'preview hidden' }, this.preview, h('figcaption', {}, 'Live preview (the generated area)'));
  private jobId: number | undefined;

  constructor() {
    this.bar.classList.add('hidden');
    this.element = h('section', { class: 'job', 'aria-label': 'Generation progress' }, this.status, this.bar, this.previewBox);
  }

  get runningJob(): number | undefined {
    return this.jobId;
  }

  started(jobId: number): void {
    this.jobId = jobId;
    this.status.textContent = 'Starting…';
    this.bar.classList.remove('hidden');
    this.bar.removeAttribute('value');
    this.previewBox.classList.add('hidden');
  }

  progress(jobId: number, p: InpaintJobProgress): void {
    if (jobId !== this.jobId) return;
    const { text, fraction } = describeProgress(p);
    this.status.textContent = text;
    if (fraction === undefined) this.bar.removeAttribute('value');
    else this.bar.value = Math.min(1, Math.max(0, fraction));
  }

  showPreview(jobId: number, width: number, height: number, rgba: Uint8Array): void {
    if (jobId !== this.jobId) return;
    if (this.preview.width !== width || this.preview.height !== height) {
      this.preview.width = width;
      this.preview.height = height;
    }
    const ctx = this.preview.getContext('2d');
    if (!ctx) return;
    const data = new ImageData(new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.byteLength), width, height);
    ctx.putImageData(data, 0, 0);
    this.previewBox.classList.remove('hidden');
  }

  /** Back to the idle hint once the outcome is no longer true (a result applied, discarded or reverted). */
  clearOutcome(): void {
    if (this.jobId !== undefined) return;
    this.status.textContent = IDLE_TEXT;
    this.status.classList.remove('error-text');
  }

  ended(jobId: number, outcome: JobOutcome, message?: string): void {
    if (jobId !== this.jobId) return;
    this.jobId = undefined;
    this.bar.classList.add('hidden');
    const texts: Record<JobOutcome, string> = {
      done: 'Done: pick a result below and Apply it (Ctrl+Z undoes it).',
      cancelled: 'Cancelled.',
      failed: `Failed: ${message ?? 'unknown error'}`,
    };
    this.status.textContent = outcome === 'done' && message ? `${texts.done} ${message}` : texts[outcome];
    // The results replace the preview.
    if (outcome === 'done') this.previewBox.classList.add('hidden');
    this.status.classList.toggle('error-text', outcome === 'failed');
  }
}
