// The live preview: the engine's raw RGBA previews go straight into an ImageData on a canvas at every progress
// message, with the stage, "step x/N" and the elapsed time; the final image replaces the last preview.
import type { GenerateProgress, PreviewImage } from '../../src/common/protocol/engineProtocol';
import type { JobOutcome, PanelJob } from '../../src/common/protocol/generatePanelProtocol';
import { formatSeconds, h, ownBytes } from '../common/dom';

const ELAPSED_TICK_MS = 100;

export class PreviewView {
  readonly element: HTMLElement;
  private readonly canvas = h('canvas', { class: 'preview-canvas', width: 1, height: 1, 'aria-label': 'Preview' });
  private readonly placeholder = h('div', { class: 'preview-placeholder' }, 'The image appears here while it is generated.');
  private readonly stage = h('span', { class: 'preview-stage' });
  private readonly step = h('span', { class: 'preview-step' });
  private readonly elapsed = h('span', { class: 'preview-elapsed' });
  private readonly bar = h('progress', { class: 'preview-bar', max: 1, value: 0 });
  private jobId: number | undefined;
  private localStart = 0;
  private timer: number | undefined;
  /** Bumped whenever something newer is drawn, so a slow image decode never overwrites it. */
  private drawGeneration = 0;

  constructor() {
    this.element = h(
      'section',
      { class: 'preview', 'aria-live': 'polite' },
      h('div', { class: 'preview-frame' }, this.canvas, this.placeholder),
      this.bar,
      h('div', { class: 'preview-status' }, this.stage, this.step, this.elapsed),
    );
    this.canvas.hidden = true;
    this.bar.hidden = true;
  }

  get currentJob(): number | undefined {
    return this.jobId;
  }

  /** A job started (or is already running when the page loads: its latest progress is shown at once). */
  start(job: PanelJob): void {
    this.jobId = job.jobId;
    const alreadyElapsed = job.progress?.stage === 'denoising' ? job.progress.elapsedMs : 0;
    this.localStart = Date.now() - alreadyElapsed;
    this.stage.textContent = 'Starting…';
    this.step.textContent = '';
    this.bar.hidden = false;
    this.bar.value = 0;
    this.stopTimer();
    this.timer = window.setInterval(() => this.tick(), ELAPSED_TICK_MS);
    this.tick();
    if (job.progress) this.progress(job.jobId, job.progress);
  }

  progress(jobId: number, progress: GenerateProgress): void {
    if (jobId !== this.jobId) return;
    switch (progress.stage) {
      case 'loading':
        this.stage.textContent = `Loading ${progress.component}…`;
        this.step.textContent = `${progress.index + 1}/${progress.total}`;
        break;
      case 'encodingPrompt':
        this.stage.textContent = 'Encoding the prompt…';
        break;
      case 'encodingImage':
        this.stage.textContent = 'Encoding the init image…';
        break;
      case 'denoising': {
        // The engine counts images from 1.
        this.stage.textContent = progress.images > 1 ? `Image ${progress.image}/${progress.images}` : 'Denoising';
        this.step.textContent = `step ${progress.step}/${progress.steps}`;
        const total = progress.steps * progress.images;
        this.bar.value = total > 0 ? ((progress.image - 1) * progress.steps + progress.step) / total : 0;
        if (progress.preview) this.drawPreview(progress.preview);
        break;
      }
      case 'decoding':
        this.stage.textContent = 'Decoding…';
        break;
    }
  }

  /** The final image replaces the preview. */
  async showImage(png: Uint8Array): Promise<void> {
    const generation = ++this.drawGeneration;
    const bitmap = await createImageBitmap(new Blob([ownBytes(png)], { type: 'image/png' }));
    if (generation !== this.drawGeneration) return;
    this.canvas.width = bitmap.width;
    this.canvas.height = bitmap.height;
    this.canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    bitmap.close();
    this.reveal();
  }

  end(jobId: number, outcome: JobOutcome, elapsedMs: number): void {
    if (jobId !== this.jobId) return;
    this.stopTimer();
    this.jobId = undefined;
    this.bar.hidden = true;
    this.elapsed.textContent = formatSeconds(elapsedMs);
    this.step.textContent = '';
    this.stage.textContent =
      outcome === 'done' ? 'Done' : outcome === 'cancelled' ? 'Cancelled' : 'Failed';
    this.stage.classList.toggle('error', outcome === 'failed');
  }

  private drawPreview(preview: PreviewImage): void {
    this.drawGeneration++;
    if (this.canvas.width !== preview.width || this.canvas.height !== preview.height) {
      this.canvas.width = preview.width;
      this.canvas.height = preview.height;
    }
    const pixels = new Uint8ClampedArray(ownBytes(preview.rgba).buffer);
    this.canvas.getContext('2d')?.putImageData(new ImageData(pixels, preview.width, preview.height), 0, 0);
    this.reveal();
  }

  private reveal(): void {
    this.canvas.hidden = false;
    this.placeholder.hidden = true;
    this.stage.classList.remove('error');
  }

  private tick(): void {
    this.elapsed.textContent = formatSeconds(Date.now() - this.localStart);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }
}
