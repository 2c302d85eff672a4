// Playwright helpers for Local Diffusion's UI in code-server's workbench: the Generate Image panel, the inpaint
// editor's canvas and prompt bar, and the workbench's quick input (input boxes and quick picks). Shared by the UI
// scenarios (uiScenarios.ts) and the browser steps of the extension-host tests (browserSteps.ts).
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { EXPAND_SIDES, expandedSize, type ExpandMargins } from '../../../src/common/outpaint/expandMargins';

/** Image pixels, [x, y]; pixel i covers [i, i + 1). */
export type ImagePoint = readonly [number, number];

/**
 * The content of the shown webview that holds `selector` (the Generate panel's #prompt, the inpaint editor's
 * #canvas, …). VS Code nests each webview in an iframe and an inner #active-frame, and other webviews (the image
 * preview, hidden editors) may be in the page at the same time.
 */
export async function webviewWith(page: Page, selector: string, timeoutMs = 30_000): Promise<FrameLocator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = page.locator('iframe.webview.ready:visible');
    const count = await frames.count();
    for (let i = count - 1; i >= 0; i--) {
      const content = frames.nth(i).contentFrame().locator('#active-frame').contentFrame();
      if ((await content.locator(selector).count().catch(() => 0)) > 0) return content;
    }
    if (Date.now() > deadline) throw new Error(`no shown webview holds ${selector} (${count} shown) within ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}

// ─── Generate Image panel ──────────────────────────────────────────────────────────────────────────

export interface PanelGeneration {
  prompt: string;
  seed: number;
  steps: number;
}

/** One denoising step as the panel showed it: its "step x/N" text and how far its preview moved from the previous one. */
export interface PreviewSample {
  step: string;
  width: number;
  height: number;
  /** Mean absolute difference (0–255) of the RGB bytes from the previous step's preview; -1 for the first one. */
  meanAbsDiff: number;
}

export interface PanelGenerationResult {
  previews: PreviewSample[];
  /** The status line when the job ended ("Done", "Cancelled", "Failed"; the failure's message is under the form). */
  stage: string;
  /** data-result-id of the new (first) result card. */
  resultId: string;
}

/** Fills the form (fixed seed), presses Generate, records every preview, and waits for the result card. */
export async function generateInPanel(page: Page, request: PanelGeneration, timeoutMs = 120_000): Promise<PanelGenerationResult> {
  const frame = await webviewWith(page, 'canvas.preview-canvas');
  await frame.locator('#prompt').waitFor({ state: 'visible', timeout: 30_000 });
  // The model row says "native W×H" once the engine has reported on the model: the form is complete then.
  await frame.locator('.model-note').filter({ hasText: /native \d+×\d+/ }).waitFor({ timeout: 60_000 });
  await frame.locator('#prompt').fill(request.prompt);
  await frame.locator('#steps').fill(String(request.steps));
  await frame.locator('#seed-mode').selectOption('fixed');
  await frame.locator('#seed').fill(String(request.seed));
  const cards = frame.locator('figure.result');
  const before = await cards.count();
  await recordPreviews(frame.locator('canvas.preview-canvas'));
  const stage = frame.locator('.preview-stage');
  await frame.locator('#generate').click();
  // A new result card, or the job's failure (then say why instead of waiting for the timeout). Promise.any: the
  // wait that loses still times out later, and must not become an unhandled rejection then.
  const failed = stage.filter({ hasText: /^Failed/ });
  await Promise.any([cards.nth(before).waitFor({ state: 'attached', timeout: timeoutMs }), failed.waitFor({ timeout: timeoutMs })]);
  if ((await failed.count()) > 0) throw new Error(`the Generate panel says: ${await frame.locator('.form-message').textContent()}`);
  await stage.filter({ hasText: /^(Done|Cancelled|Failed)/ }).waitFor({ timeout: 30_000 });
  const previews = await frame.locator('canvas.preview-canvas').evaluate(() => (globalThis as unknown as RecorderWindow).__e2ePreviews ?? []);
  const resultId = (await cards.first().getAttribute('data-result-id')) ?? '';
  return { previews, stage: (await stage.textContent()) ?? '', resultId };
}

/** What the recorder uses in the page (this project's tsconfig has no DOM lib: narrow shapes instead). */
interface PageCanvas {
  width: number;
  height: number;
  hidden: boolean;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

interface RecorderWindow {
  __e2ePreviews?: PreviewSample[];
  document: { querySelector(selector: string): { textContent: string | null } | null };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
}

/**
 * Watches the panel's "step x/N" text; at each change (the preview is drawn in the same message handler, so it is
 * on the canvas by then) compares the canvas with the previous step's pixels.
 */
async function recordPreviews(canvas: Locator): Promise<void> {
  await canvas.evaluate((element) => {
    const page = globalThis as unknown as RecorderWindow;
    const samples: PreviewSample[] = [];
    page.__e2ePreviews = samples;
    const step = page.document.querySelector('.preview-step');
    const preview = element as unknown as PageCanvas;
    if (!step) throw new Error('no .preview-step in the Generate panel');
    let previous: Uint8ClampedArray | undefined;
    new page.MutationObserver(() => {
      const text = step.textContent ?? '';
      if (!/^step \d+\/\d+$/.test(text) || samples.some((s) => s.step === text)) return;
      const ctx = preview.getContext('2d');
      if (!ctx || preview.hidden) return;
      const data = ctx.getImageData(0, 0, preview.width, preview.height).data;
      let meanAbsDiff = -1;
      if (previous && previous.length === data.length) {
        let sum = 0;
        for (let i = 0; i < data.length; i += 4) sum += Math.abs(data[i]! - previous[i]!) + Math.abs(data[i + 1]! - previous[i + 1]!) + Math.abs(data[i + 2]! - previous[i + 2]!);
        meanAbsDiff = sum / ((data.length / 4) * 3);
      }
      previous = new Uint8ClampedArray(data);
      samples.push({ step: text, width: preview.width, height: preview.height, meanAbsDiff });
    }).observe(step, { childList: true, characterData: true, subtree: true });
  });
}

/** How many steps moved the preview visibly (more than float rounding: mean difference above 0.5 of 255). */
export function previewChanges(previews: readonly PreviewSample[]): number {
  return previews.filter((p) => p.meanAbsDiff > 0.5).length;
}

/** Presses "Save" on a result card; resolves with the workspace-relative path the card then shows. */
export async function saveResult(page: Page, resultId: string): Promise<string> {
  const card = (await webviewWith(page, 'canvas.preview-canvas')).locator(`figure.result[data-result-id="${resultId}"]`);
  await card.locator('button[data-action="saveToWorkspace"]').click();
  const saved = card.locator('.result-saved').filter({ hasText: /^Saved: / });
  await saved.waitFor({ timeout: 30_000 });
  return ((await saved.textContent()) ?? '').replace(/^Saved: /, '');
}

/** Presses a result card's button (data-action, e.g. saveAsAsset). */
export async function clickResultAction(page: Page, resultId: string, action: string): Promise<void> {
  const card = (await webviewWith(page, 'canvas.preview-canvas')).locator(`figure.result[data-result-id="${resultId}"]`);
  await card.locator(`button[data-action="${action}"]`).click();
}

/** What the Generate panel shows: its form's main fields and its result cards. */
export interface PanelReading {
  prompt: string;
  negativePrompt: string;
  steps: string;
  seedMode: string;
  seed: string;
  message: string;
  cards: { resultId: string; prompt: string; saved: string }[];
}

/** Reads the Generate panel once its prompt reads `until.prompt` (when given) and it shows `until.cards` cards or more. */
export async function readPanel(page: Page, until: { prompt?: string; cards?: number } = {}, timeoutMs = 60_000): Promise<PanelReading> {
  const frame = await webviewWith(page, 'canvas.preview-canvas', timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cards = await frame.locator('figure.result').evaluateAll((figures) =>
      figures.map((f) => {
        const e = f as unknown as { getAttribute(n: string): string | null; querySelector(s: string): { textContent: string | null } | null };
        return { resultId: e.getAttribute('data-result-id') ?? '', prompt: e.querySelector('.result-prompt')?.textContent ?? '', saved: e.querySelector('.result-saved')?.textContent ?? '' };
      }),
    );
    const reading: PanelReading = {
      prompt: await frame.locator('#prompt').inputValue(),
      negativePrompt: await frame.locator('#negative-prompt').inputValue(),
      steps: await frame.locator('#steps').inputValue(),
      seedMode: await frame.locator('#seed-mode').inputValue(),
      seed: await frame.locator('#seed').inputValue(),
      message: (await frame.locator('.form-message').textContent()) ?? '',
      cards,
    };
    const ready = (until.prompt === undefined || reading.prompt === until.prompt) && cards.length >= (until.cards ?? 0);
    if (ready) return reading;
    if (Date.now() > deadline) throw new Error(`the Generate panel did not get there: ${JSON.stringify(reading)}`);
    await page.waitForTimeout(200);
  }
}

// ─── Inpaint editor ────────────────────────────────────────────────────────────────────────────────

/** Waits until the inpaint editor shows its document ("W×H · PNG · …" in the status line). */
export async function waitForInpaintEditor(page: Page, width: number, height: number): Promise<FrameLocator> {
  const frame = await webviewWith(page, '#canvas', 60_000);
  await waitForInpaintSize(frame, width, height, 60_000);
  await frame.locator('#canvas').waitFor({ state: 'visible', timeout: 10_000 });
  return frame;
}

/** Waits until the status line starts with the document's size W×H (not the "Expand canvas to W×H" it may also show). */
async function waitForInpaintSize(frame: ElementScope, width: number, height: number, timeoutMs: number): Promise<void> {
  await frame.locator('#statusLine').filter({ hasText: new RegExp(`^${width}×${height} · `) }).waitFor({ timeout: timeoutMs });
}

/** Where the editor's elements are: a webview's frame in the workbench, or the page itself when it runs alone. */
export interface ElementScope {
  locator(selector: string): Locator;
  getByRole(role: 'button' | 'radio', options: { name: string; exact: boolean }): Locator;
}

export interface Stroke {
  tool: 'Brush' | 'Eraser';
  /** Brush diameter in image pixels. */
  size: number;
  /** Image pixels; the pointer goes down at the first and up at the last. */
  points: readonly ImagePoint[];
}

/**
 * Paints a stroke with the real pointer: 100 % zoom (the image centred in the canvas, so image pixel (x, y) is at
 * canvas CSS pixel (offset + x, offset + y)), the tool and size from the tool bar, then a drag through the points.
 */
export async function paintStroke(page: Page, frame: ElementScope, stroke: Stroke, image: { width: number; height: number }): Promise<void> {
  // Results of an earlier run may be on show (one is shown over the image at once), which locks the mask.
  await discardCandidates(frame);
  await frame.getByRole('button', { name: 'Actual size', exact: true }).click();
  await frame.getByRole('radio', { name: stroke.tool, exact: true }).click();
  const size = frame.locator('#brushSizeValue');
  await size.fill(String(stroke.size));
  await size.dispatchEvent('change');
  const box = await frame.locator('#canvas').boundingBox();
  if (!box) throw new Error('the inpaint canvas has no layout');
  // viewTransform.ts actualSize(): scale 1, offset = round((view − image) / 2).
  const offsetX = Math.round((box.width - image.width) / 2);
  const offsetY = Math.round((box.height - image.height) / 2);
  const toPage = ([x, y]: ImagePoint): [number, number] => [box.x + offsetX + x, box.y + offsetY + y];
  const [first, ...rest] = stroke.points;
  if (!first) throw new Error('a stroke needs points');
  await page.mouse.move(...toPage(first));
  await page.mouse.down();
  for (const point of rest) await page.mouse.move(...toPage(point), { steps: 8 });
  await page.mouse.up();
}

export interface InpaintRun {
  prompt: string;
  steps: number;
  seed: number;
  /** Candidates to generate (default 1). */
  batchCount?: number;
  /** Which candidate to apply, from 0 (default 0). */
  choose?: number;
}

/** Presses "Discard" when results of an earlier run are offered, and waits until they are gone. */
export async function discardCandidates(frame: ElementScope): Promise<void> {
  const offered = frame.locator('#candidates:not(.hidden)');
  if ((await offered.count()) === 0) return;
  await frame.locator('#discardCandidates').click();
  await offered.waitFor({ state: 'detached', timeout: 10_000 });
}

/** Types the prompt bar, presses Generate, waits for this run's candidates, chooses one and applies it. */
export async function inpaintAndApply(frame: FrameLocator, run: InpaintRun, timeoutMs = 120_000): Promise<{ candidate: string }> {
  await discardCandidates(frame);
  const batchCount = run.batchCount ?? 1;
  const choose = run.choose ?? 0;
  await frame.locator('#prompt').fill(run.prompt);
  await frame.locator('#steps').fill(String(run.steps));
  const random = frame.locator('#randomSeed');
  if (await random.isChecked()) await random.uncheck();
  await frame.locator('#seed').fill(String(run.seed));
  await frame.locator('#batchCount').fill(String(batchCount));
  await frame.locator('#generate').click();
  const candidates = frame.locator('#candidates button.candidate');
  // The candidates, or the job's failure (then say why instead of waiting for the timeout); see generateInPanel.
  const failed = frame.locator('#progress').filter({ hasText: /^Failed/ });
  await Promise.any([candidates.nth(batchCount - 1).waitFor({ state: 'visible', timeout: timeoutMs }), failed.waitFor({ timeout: timeoutMs })]);
  if ((await failed.count()) > 0) throw new Error(`the inpaint editor says: ${await failed.textContent()}`);
  const candidate = candidates.nth(choose);
  const label = (await candidate.getAttribute('aria-label')) ?? '';
  // A single result is selected at once (Apply is one click); otherwise choose it (a second click would unselect).
  if ((await candidate.getAttribute('aria-selected')) !== 'true') await candidate.click();
  await frame.locator('#applyCandidate:not([disabled])').click({ timeout: 10_000 });
  return { candidate: label };
}

export interface ExpandCanvas {
  margins: ExpandMargins;
  /** Typed into the panel's Overlap field when given (else the panel's default stays). */
  overlap?: number;
}

/**
 * The Expand canvas tool: chooses it, types the margins (and the overlap) into its panel, and waits until the status
 * line says the size they make. `image` is the document's size now.
 */
export async function chooseExpandCanvas(frame: ElementScope, expand: ExpandCanvas, image: { width: number; height: number }): Promise<void> {
  // Results on show hide the frame (and would be applied instead of a new run's).
  await discardCandidates(frame);
  await frame.getByRole('radio', { name: 'Expand canvas', exact: true }).click();
  await frame.locator('#expandPanel').waitFor({ state: 'visible', timeout: 10_000 });
  for (const side of EXPAND_SIDES) await frame.locator(`#expand-${side}`).fill(String(expand.margins[side]));
  if (expand.overlap !== undefined) await frame.locator('#expandOverlap').fill(String(expand.overlap));
  const size = expandedSize(image.width, image.height, expand.margins);
  await frame.locator('#statusLine').filter({ hasText: `Expand canvas to ${size.width}×${size.height}` }).waitFor({ timeout: 10_000 });
}

/**
 * Expand canvas from the prompt bar: the tool and margins (chooseExpandCanvas), then Generate and apply a result
 * (inpaintAndApply); waits until the editor shows the document at the grown size → {candidate, width, height}.
 */
export async function expandAndApply(
  frame: FrameLocator,
  expand: ExpandCanvas,
  run: InpaintRun,
  image: { width: number; height: number },
  timeoutMs = 120_000,
): Promise<{ candidate: string; width: number; height: number }> {
  await chooseExpandCanvas(frame, expand, image);
  const applied = await inpaintAndApply(frame, run, timeoutMs);
  const grown = expandedSize(image.width, image.height, expand.margins);
  await waitForInpaintSize(frame, grown.width, grown.height, 10_000);
  return { ...applied, ...grown };
}

// ─── Workbench quick input ────────────────────────────────────────────────────────────────────────

export interface QuickInputAnswer {
  /** Waits for a quick input whose title contains this. */
  title: string;
  /** An input box: type this and press Enter. */
  value?: string;
  /** A single-choice quick pick: choose the row with this label. */
  pick?: string;
  /** A multi-choice quick pick: exactly these rows checked, then OK. */
  pickMany?: string[];
  /** A single-choice quick pick: type this as the filter and accept the first row left (labels with icons). */
  pickFirst?: string;
}

/** Answers the quick input (input box or quick pick) that a command has opened. */
export async function answerQuickInput(page: Page, answer: QuickInputAnswer, timeoutMs = 30_000): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title').filter({ hasText: answer.title }).waitFor({ state: 'visible', timeout: timeoutMs });
  const input = widget.locator('.quick-input-box input.input');
  if (answer.value !== undefined) {
    await input.fill(answer.value);
    await input.press('Enter');
  } else if (answer.pick !== undefined) {
    await input.fill(answer.pick);
    await quickPickRow(page, answer.pick).click();
  } else if (answer.pickFirst !== undefined) {
    await input.fill(answer.pickFirst);
    await widget.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 5_000 });
    await input.press('Enter');
  } else if (answer.pickMany !== undefined) {
    await input.fill('');
    const rows = widget.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 5_000 });
    const count = await rows.count();
    for (let i = 0; i < count; i++) {
      const row = rows.nth(i);
      // Rows carry their label as aria-label (", description" appended when there is one) and their state as aria-checked.
      const label = ((await row.getAttribute('aria-label')) ?? '').split(', ')[0]!;
      const checked = (await row.getAttribute('aria-checked')) === 'true';
      if (checked !== answer.pickMany.includes(label)) await row.locator('.monaco-checkbox[role="checkbox"]').click({ timeout: 5_000 });
    }
    await input.press('Enter');
  }
  await widget.locator('.quick-input-title').filter({ hasText: answer.title }).waitFor({ state: 'hidden', timeout: 10_000 });
}

function quickPickRow(page: Page, label: string): Locator {
  const css = label.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return page.locator(`.quick-input-widget .monaco-list-row[aria-label="${css}"], .quick-input-widget .monaco-list-row[aria-label^="${css},"]`).first();
}

// ─── Explorer ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Right-clicks `name` in the Explorer and runs `label` from its context menu. Like the palette, the menu lacks
 * an extension's items until the extension host has registered the extension: retry with short attempts.
 */
export async function explorerContextCommand(page: Page, name: string, label: string, timeoutMs = 30_000): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.getByText(name, { exact: true }) });
  await contextMenuCommand(page, row, label, timeoutMs, (reason) => `Explorer: no "${label}" in the context menu of ${name} (${reason})`);
}

/**
 * Right-clicks `target` and runs `label` from its context menu, retrying with short attempts until `timeoutMs`;
 * then throws `failure(the last attempt's error message, or 'timeout')`.
 */
async function contextMenuCommand(page: Page, target: Locator, label: string, timeoutMs: number, failure: (reason: string) => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const item = page.locator('.monaco-menu .action-item').filter({ has: page.getByText(label, { exact: true }) });
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await target.click({ button: 'right', timeout: 5_000 });
      // A menu ignores a click that comes right after it opened (the right button's own mouseup): hover first.
      await item.hover({ timeout: 2_000 });
      await page.waitForTimeout(300);
      await item.click({ timeout: 2_000 });
      await item.waitFor({ state: 'hidden', timeout: 2_000 });
      return;
    } catch (error) {
      lastError = error;
      await page.keyboard.press('Escape').catch(() => undefined);
      await page.waitForTimeout(500);
    }
  }
  throw new Error(failure((lastError as Error | undefined)?.message ?? 'timeout'));
}

/** Waits until the Explorer shows `name` (under expanded folders). */
export async function waitForExplorerItem(page: Page, name: string, timeoutMs = 30_000): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.getByText(name, { exact: true }) }).waitFor({ state: 'visible', timeout: timeoutMs });
}

// ─── Generation History view ───────────────────────────────────────────────────────────────────────

/** The Generation History view's row whose label holds `text`, with the view expanded in the Explorer. */
export async function historyRow(page: Page, text: string, timeoutMs = 30_000): Promise<Locator> {
  const header = page.locator('.pane-header').filter({ hasText: 'Generation History' }).first();
  await header.waitFor({ state: 'visible', timeout: timeoutMs });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const row = page.locator('.monaco-list-row').filter({ has: page.locator('.custom-view-tree-node-item') }).filter({ hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  return row;
}

/** Right-clicks a history row and runs `label` from its context menu. */
export async function historyContextCommand(page: Page, row: Locator, label: string, timeoutMs = 30_000): Promise<void> {
  await contextMenuCommand(page, row, label, timeoutMs, (reason) => `Generation History: no "${label}" in the context menu (${reason})`);
}

// ─── Notifications ─────────────────────────────────────────────────────────────────────────────────

/** Waits until a notification toast (e.g. a job's withProgress notification) shows text matching `pattern`. */
export async function waitForNotification(page: Page, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: pattern }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return ((await toast.textContent()) ?? '').trim();
}
