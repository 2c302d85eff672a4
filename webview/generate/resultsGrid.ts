// The results grid: one card per generated image, newest first, with its prompt, its seed and size, every file it
// was saved to, and its actions (save to workspace, Save As…, open, copy a Markdown link, use as init image, open in
// the inpaint editor, discard); *Save all* above saves every result not saved yet.
import {
  MAX_PANEL_RESULTS,
  type KnownResult,
  type PanelResult,
  type ResultAction,
} from '../../src/common/protocol/generatePanelProtocol';
import { tilingOfInfotext } from '../../src/common/tilingMode';
import { h, pngUrl } from '../common/dom';
import { tiledPreview } from './tiledPreview';

interface Card {
  result: PanelResult;
  element: HTMLElement;
  url: string;
  saved: HTMLElement;
  saveButton: HTMLButtonElement;
}

const ACTION_LABELS: ReadonlyArray<{ action: ResultAction; label: string; title: string }> = [
  { action: 'saveToWorkspace', label: 'Save', title: 'Save into the workspace output folder (never overwrites)' },
  { action: 'saveAs', label: 'Save As…', title: 'Choose where to save (PNG, WebP or JPEG)' },
  { action: 'open', label: 'Open', title: 'Open the image in an editor' },
  { action: 'copyMarkdownLink', label: 'Copy Markdown', title: 'Save, then copy a Markdown image link' },
  { action: 'useAsInitImage', label: 'Use as init', title: 'Use as the init image (img2img)' },
  { action: 'openInInpaintEditor', label: 'Inpaint', title: 'Save, then open in the inpaint editor' },
  { action: 'saveAsAsset', label: 'Save as Asset', title: 'Save, then add it to the nearest local-diffusion.json with its exact parameters and seed' },
  { action: 'discard', label: '✕', title: 'Remove from this list (a saved file stays)' },
];

export class ResultsGrid {
  readonly element: HTMLElement;
  private readonly list = h('div', { class: 'results-list' });
  private readonly empty = h('p', { class: 'results-empty' }, 'Generated images appear here.');
  private readonly cards = new Map<string, Card>();
  private canSaveToWorkspace = true;
  private readonly saveAllButton = h(
    'button',
    { type: 'button', class: 'secondary', id: 'save-all', title: 'Save every result not saved yet into the workspace output folder (never overwrites)' },
    'Save all',
  );

  constructor(
    private readonly onAction: (action: ResultAction, resultId: string) => void,
    onSaveAll: () => void,
  ) {
    this.saveAllButton.addEventListener('click', () => onSaveAll());
    this.element = h('section', { class: 'results' }, h('div', { class: 'results-header' }, h('h2', {}, 'Results'), this.saveAllButton), this.empty, this.list);
    this.updateSaveAll();
  }

  /** Replaces every card (the host's `init` holds all results it still has). */
  setResults(results: PanelResult[], canSaveToWorkspace: boolean): void {
    this.canSaveToWorkspace = canSaveToWorkspace;
    for (const id of [...this.cards.keys()]) this.remove(id);
    this.add(results);
  }

  /** Adds new results in front, keeping at most MAX_PANEL_RESULTS. */
  add(results: PanelResult[]): void {
    for (const result of results) {
      if (this.cards.has(result.resultId)) continue;
      const card = this.createCard(result);
      this.cards.set(result.resultId, card);
      this.list.prepend(card.element);
    }
    const excess = [...this.cards.keys()].slice(0, Math.max(0, this.cards.size - MAX_PANEL_RESULTS));
    for (const id of excess) this.remove(id);
    this.empty.hidden = this.cards.size > 0;
    this.updateSaveAll();
  }

  /** `savedPaths`: every file it was saved to so far; the card lists them all. */
  markSaved(resultId: string, savedPath: string, savedUri: string, savedPaths?: string[]): void {
    const card = this.cards.get(resultId);
    if (!card) return;
    const paths = savedPaths ?? [...(card.result.savedPaths ?? []), savedPath];
    const isPng = /\.png$/i.test(savedUri);
    // Save, Copy Markdown and Inpaint reuse the saved PNG (the exact bytes); a JPEG or WebP copy is only listed.
    card.result = { ...card.result, savedPaths: paths, ...(isPng ? { savedPath, savedUri } : {}) };
    card.saved.textContent = savedText(paths);
    card.saveButton.disabled = card.result.savedUri !== undefined;
    this.updateSaveAll();
  }

  private updateSaveAll(): void {
    this.saveAllButton.disabled = ![...this.cards.values()].some((c) => c.result.savedUri === undefined);
  }

  remove(resultId: string): void {
    const card = this.cards.get(resultId);
    if (!card) return;
    URL.revokeObjectURL(card.url);
    card.element.remove();
    this.cards.delete(resultId);
    this.empty.hidden = this.cards.size > 0;
    this.updateSaveAll();
  }

  /** What the page's saved state remembers about the results (no pixels). */
  known(): KnownResult[] {
    return [...this.cards.values()].map(({ result }) => {
      const known: KnownResult = { resultId: result.resultId, prompt: result.prompt, seed: result.seed };
      if (result.savedUri) known.savedUri = result.savedUri;
      return known;
    });
  }

  newest(): PanelResult | undefined {
    return [...this.cards.values()].at(-1)?.result;
  }

  private createCard(result: PanelResult): Card {
    const url = pngUrl(result.png);
    const image = h('img', {
      class: 'result-image',
      src: url,
      alt: result.prompt,
      title: result.parameters || result.prompt,
      width: result.width,
      height: result.height,
    });
    const saved = h('div', { class: 'result-saved' }, savedText(result.savedPaths ?? (result.savedPath ? [result.savedPath] : [])));
    const buttons = ACTION_LABELS.map(({ action, label, title }) => {
      const button = h(
        'button',
        { type: 'button', class: action === 'discard' ? 'icon' : 'secondary', title, 'data-action': action },
        action === 'saveToWorkspace' && !this.canSaveToWorkspace ? 'Save…' : label,
      );
      button.addEventListener('click', () => {
        if (action === 'discard') this.remove(result.resultId);
        this.onAction(action, result.resultId);
      });
      return button;
    });
    const saveButton = buttons[0]!;
    saveButton.disabled = result.savedUri !== undefined;
    // A seamless result shows tiled (its infotext says `Tiling: True`); a toggle switches to the single image.
    const tiling = tilingOfInfotext(result.parameters);
    const tiled = tiling ? tiledPreview(url, tiling, result.prompt) : undefined;
    if (tiled) {
      image.hidden = true;
      const toggle = h('button', { type: 'button', class: 'secondary', 'data-action': 'toggleTiled', 'aria-pressed': 'true', title: 'Show the image repeated, or once' }, 'Tiled');
      toggle.addEventListener('click', () => {
        const showTiled = tiled.hidden;
        tiled.hidden = !showTiled;
        image.hidden = showTiled;
        toggle.setAttribute('aria-pressed', String(showTiled));
      });
      buttons.splice(buttons.length - 1, 0, toggle);
    }
    const element = h(
      'figure',
      { class: 'result', 'data-result-id': result.resultId },
      image,
      ...(tiled ? [tiled] : []),
      h(
        'figcaption',
        {},
        h('div', { class: 'result-prompt', title: result.prompt }, result.prompt),
        h('div', { class: 'result-meta' }, `seed ${result.seed} · ${result.width}×${result.height}`),
        saved,
        h('div', { class: 'result-actions' }, ...buttons),
      ),
    );
    return { result, element, url, saved, saveButton };
  }
}

function savedText(paths: readonly string[]): string {
  return paths.length > 0 ? `Saved: ${paths.join(', ')}` : '';
}
