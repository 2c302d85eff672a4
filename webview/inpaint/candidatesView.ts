// The results of the last job side by side. Selecting one shows it on the canvas in place of the image
// (compare); Apply makes it the document image as one undoable edit (done by the host), Discard drops them.
import type { InpaintCandidate } from '../../src/common/protocol/inpaintEditorProtocol';
import type { SeedText } from '../../src/common/seed';
import { h } from '../common/dom';

export interface CandidatesActions {
  /** Show a candidate on the canvas (undefined: the document image again). */
  preview(bitmap: ImageBitmap | undefined): void;
  apply(jobId: number, index: number): void;
  discard(jobId: number): void;
  useSeed(seed: SeedText): void;
  error(message: string): void;
}

interface Entry {
  candidate: InpaintCandidate;
  url: string;
  button: HTMLButtonElement;
  bitmap?: Promise<ImageBitmap>;
}

export class CandidatesView {
  readonly element: HTMLElement;
  private readonly list = h('div', { class: 'candidate-list', role: 'listbox', 'aria-label': 'Results' });
  private readonly applyButton = h('button', { id: 'applyCandidate', type: 'button', class: 'primary', disabled: true }, 'Apply');
  private readonly seedButton = h('button', { id: 'useSeed', type: 'button', disabled: true, title: 'Use this result\'s seed for the next run' }, 'Use seed');
  private readonly discardButton = h('button', { id: 'discardCandidates', type: 'button' }, 'Discard');
  private entries: Entry[] = [];
  private jobId: number | null = null;
  private selected: Entry | undefined;
  /** Bumped on every selection, so a slow decode of an older choice is ignored. */
  private selection = 0;

  constructor(private readonly actions: CandidatesActions) {
    this.applyButton.addEventListener('click', () => {
      if (this.selected && this.jobId !== null) this.actions.apply(this.jobId, this.selected.candidate.index);
    });
    this.seedButton.addEventListener('click', () => {
      if (this.selected) this.actions.useSeed(this.selected.candidate.seed);
    });
    this.discardButton.addEventListener('click', () => {
      if (this.jobId !== null) this.actions.discard(this.jobId);
    });
    this.element = h(
      'section',
      { id: 'candidates', class: 'candidates hidden', 'aria-label': 'Results' },
      h('div', { class: 'section-title' }, 'Results'),
      this.list,
      h('div', { class: 'buttons' }, this.applyButton, this.seedButton, this.discardButton),
    );
  }

  get isPreviewing(): boolean {
    return this.selected !== undefined;
  }

  show(jobId: number | null, candidates: InpaintCandidate[]): void {
    this.clear();
    this.jobId = jobId;
    this.element.classList.toggle('hidden', candidates.length === 0);
    for (const candidate of candidates) {
      const url = URL.createObjectURL(new Blob([candidate.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
      const label = `Result ${candidate.index + 1}, seed ${candidate.seed}`;
      const button = h(
        'button',
        { type: 'button', class: 'candidate', role: 'option', 'aria-selected': 'false', 'aria-label': label, title: `${label}\n${candidate.parameters}` },
        h('img', { src: url, alt: label }),
        h('span', { class: 'caption' }, `#${candidate.index + 1} · ${candidate.seed}`),
      );
      const entry: Entry = { candidate, url, button };
      button.addEventListener('click', () => this.select(this.selected === entry ? undefined : entry));
      button.addEventListener('dblclick', () => {
        if (this.jobId !== null) this.actions.apply(this.jobId, candidate.index);
      });
      this.entries.push(entry);
      this.list.append(button);
    }
    // One result: select it at once, so Apply is one click.
    if (this.entries.length === 1) this.select(this.entries[0]);
  }

  /** Back to the document image (after Apply, or when the image changed). */
  unselect(): void {
    this.select(undefined);
  }

  private select(entry: Entry | undefined): void {
    const token = ++this.selection;
    this.selected = entry;
    for (const e of this.entries) {
      e.button.classList.toggle('selected', e === entry);
      e.button.setAttribute('aria-selected', String(e === entry));
    }
    this.applyButton.disabled = !entry;
    this.seedButton.disabled = !entry;
    if (!entry) {
      this.actions.preview(undefined);
      return;
    }
    entry.bitmap ??= createImageBitmap(new Blob([entry.candidate.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
    entry.bitmap.then(
      (bitmap) => {
        if (token === this.selection) this.actions.preview(bitmap);
      },
      (error: unknown) => this.actions.error(`Cannot show result ${entry.candidate.index + 1}: ${String(error)}`),
    );
  }

  private clear(): void {
    this.select(undefined);
    for (const e of this.entries) {
      URL.revokeObjectURL(e.url);
      void e.bitmap?.then((b) => b.close(), () => undefined);
    }
    this.entries = [];
    this.list.replaceChildren();
  }
}
