// The Generate panel's page (webview pages suite, see webviewPages.ts): what a new user meets first.
//   generate-prompt-focused    the prompt has the focus when the page opens: typing at once lands in it;
//   generate-layout            at 500 and 1400 px wide, light and dark theme variables: nothing overflows the page,
//                              a long init-image name leaves Choose… and Clear inside the form and clickable, a long
//                              error and the preview's "Done" overlap nothing, colours are the theme's;
//   generate-restore-and-parameters  a fresh page takes the host's copy of the last form; applyParameters fills
//                              the form (fixed seed, size, sampler); "Model's default" names the sampler it runs;
//   generate-result-cards      batch cards show their prompt; Save all posts once and is disabled when all are
//                              saved; a card lists every path it was saved to (PNG and JPEG).
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { GenerateFormValues } from '../../../src/common/protocol/generatePanelProtocol';
import { openWebviewPage, postedMessages, sendToWebview } from '../webviewPage';
import type { WebviewPageScenario } from '../webviewPageSuite';
import { extensionPageHtml, solidPng, waitForPosted } from './webviewPages';

/** A subset of VS Code's theme variables (Light+ and Dark+ defaults), as the workbench sets them on the webview's <html>. */
const THEMES: Record<'light' | 'dark', Record<string, string>> = {
  light: {
    '--vscode-foreground': '#616161',
    '--vscode-editor-background': '#ffffff',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-errorForeground': '#a1260d',
    '--vscode-input-background': '#ffffff',
    '--vscode-input-foreground': '#616161',
    '--vscode-input-border': '#cecece',
    '--vscode-dropdown-background': '#ffffff',
    '--vscode-dropdown-foreground': '#616161',
    '--vscode-button-background': '#007acc',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-secondaryBackground': '#5f6a79',
    '--vscode-button-secondaryForeground': '#ffffff',
    '--vscode-editorWidget-background': '#f3f3f3',
    '--vscode-widget-border': '#d4d4d4',
    '--vscode-font-family': 'system-ui, sans-serif',
    '--vscode-font-size': '13px',
  },
  dark: {
    '--vscode-foreground': '#cccccc',
    '--vscode-editor-background': '#1e1e1e',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-errorForeground': '#f48771',
    '--vscode-input-background': '#3c3c3c',
    '--vscode-input-foreground': '#cccccc',
    '--vscode-input-border': '#3c3c3c',
    '--vscode-dropdown-background': '#3c3c3c',
    '--vscode-dropdown-foreground': '#f0f0f0',
    '--vscode-button-background': '#0e639c',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-secondaryBackground': '#3a3d41',
    '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-editorWidget-background': '#252526',
    '--vscode-widget-border': '#454545',
    '--vscode-font-family': 'system-ui, sans-serif',
    '--vscode-font-size': '13px',
  },
};

const MODEL = { name: 'analytic-shapes', builtIn: true, nativeWidth: 64, nativeHeight: 64, sizeMultiple: 8, inpainting: false };

function init(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'init',
    defaults: { steps: 20, guidanceScale: 7.5, scheduler: 'default', width: 0, height: 0 },
    model: MODEL,
    results: [],
    job: null,
    initImage: null,
    canSaveToWorkspace: true,
    ...extra,
  };
}

/** Sets the theme as the workbench does: variables on <html>, vscode-light / vscode-dark on <body>. */
async function applyTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.evaluate(
    ({ vars, theme }) => {
      const d = (globalThis as unknown as { document: { documentElement: { style: { setProperty(n: string, v: string): void } }; body: { classList: { remove(...c: string[]): void; add(c: string): void } } } }).document;
      for (const [name, value] of Object.entries(vars)) d.documentElement.style.setProperty(name, value);
      d.body.classList.remove('vscode-light', 'vscode-dark');
      d.body.classList.add(`vscode-${theme}`);
    },
    { vars: THEMES[theme], theme },
  );
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function box(locator: Locator, what: string): Promise<Box> {
  const b = await locator.boundingBox();
  if (!b) throw new Error(`${what} has no layout`);
  return b;
}

function inside(inner: Box, outer: Box): boolean {
  const e = 0.5;
  return inner.x >= outer.x - e && inner.y >= outer.y - e && inner.x + inner.width <= outer.x + outer.width + e && inner.y + inner.height <= outer.y + outer.height + e;
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The element at the centre of `locator` is the element itself (nothing covers it: a click reaches it). */
async function reachable(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const r = (element as unknown as { getBoundingClientRect(): Box }).getBoundingClientRect();
    const d = (globalThis as unknown as { document: { elementFromPoint(x: number, y: number): unknown } }).document;
    let hit = d.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) as { parentElement: unknown } | null;
    while (hit && hit !== element) hit = hit.parentElement as { parentElement: unknown } | null;
    return hit === element;
  });
}

/** "#rrggbb" → "rgb(r, g, b)" as getComputedStyle writes it. */
function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

async function computed(locator: Locator, property: string): Promise<string> {
  return locator.evaluate((element, p) => (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(element)[p]!, property);
}

export function generatePanelScenarios(repoRoot: string): WebviewPageScenario[] {
  const open = async (page: Page, state?: unknown): Promise<void> => {
    await openWebviewPage(page, { html: extensionPageHtml('generate', 'Generate Image'), root: repoRoot, ...(state === undefined ? {} : { state }) });
    await waitForPosted(page, (m) => m.type === 'ready', 'ready');
  };
  return [
    {
      name: 'generate-prompt-focused',
      async run({ page }) {
        await open(page);
        await sendToWebview(page, init());
        // Typing at once, without clicking anywhere first.
        await page.keyboard.type('a red circle');
        assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id), 'prompt');
        assert.equal(await page.locator('#prompt').inputValue(), 'a red circle', 'the first keys land in the prompt');
      },
    },
    {
      name: 'generate-layout',
      async run({ page, screenshot }) {
        const longName = `assets/${'a-very-long-init-image-name-from-a-deep-folder-'.repeat(4)}final.png`;
        const initPng = await solidPng(48, 32, [200, 40, 40]);
        for (const width of [500, 1400]) {
          for (const theme of ['light', 'dark'] as const) {
            const what = `${width} px, ${theme}`;
            await page.setViewportSize({ width, height: 900 });
            await open(page);
            await applyTheme(page, theme);
            await sendToWebview(page, init());
            await sendToWebview(page, { type: 'initImage', image: { png: initPng, width: 48, height: 32, label: longName } });
            // A job that ends in a long failure: the form's message line and the preview's stage are both filled.
            await sendToWebview(page, { type: 'jobStarted', job: { jobId: 1, startedAt: Date.now(), images: 1, steps: 3, progress: null } });
            await sendToWebview(page, {
              type: 'jobEnded',
              jobId: 1,
              outcome: 'failed',
              message: `The model could not run this size: ${'a long explanation of what went wrong and what to do about it, '.repeat(3)}`,
              elapsedMs: 10,
              warnings: [],
            });
            await page.locator('.form-message').filter({ hasText: 'could not run' }).waitFor({ timeout: 5_000 });

            const overflow = await page.evaluate(() => {
              const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
              return d.documentElement.scrollWidth - d.documentElement.clientWidth;
            });
            assert.ok(overflow <= 0, `${what}: the page overflows sideways by ${overflow} px`);

            const form = await box(page.locator('form.generate-form'), 'the form');
            const preview = await box(page.locator('.preview-frame'), 'the preview');
            for (const id of ['choose-init', 'clear-init', 'generate', 'cancel', 'change-model']) {
              const button = page.locator(`#${id}`);
              const b = await box(button, `#${id}`);
              assert.ok(inside(b, form), `${what}: #${id} ${JSON.stringify(b)} lies outside the form ${JSON.stringify(form)}`);
              assert.ok(!overlap(b, preview), `${what}: #${id} is under the preview`);
              assert.ok(await reachable(button), `${what}: #${id} is covered by something else`);
            }
            for (const control of await page.locator('form.generate-form input, form.generate-form select, form.generate-form textarea').all()) {
              const b = await control.boundingBox();
              if (b && b.width > 0) assert.ok(inside(b, form), `${what}: ${await control.getAttribute('id')} sticks out of the form`);
            }
            const message = await box(page.locator('.form-message'), 'the message');
            const initRow = await box(page.locator('fieldset.init-image'), 'the init image box');
            const status = await box(page.locator('.preview-status'), 'the preview status');
            assert.ok(!overlap(message, initRow), `${what}: the error text overlaps the init image box`);
            assert.ok(!overlap(status, initRow) && !overlap(status, message), `${what}: the preview's status overlaps the form`);
            assert.ok(inside(message, form), `${what}: the error text leaves the form`);

            // Colours are the theme's, not the page's own.
            const vars = THEMES[theme];
            assert.equal(await computed(page.locator('body'), 'color'), rgb(vars['--vscode-foreground']!), `${what}: text colour`);
            assert.equal(await computed(page.locator('body'), 'backgroundColor'), rgb(vars['--vscode-editor-background']!), `${what}: background`);
            assert.equal(await computed(page.locator('#generate'), 'backgroundColor'), rgb(vars['--vscode-button-background']!), `${what}: button`);
            assert.equal(await computed(page.locator('#choose-init'), 'backgroundColor'), rgb(vars['--vscode-button-secondaryBackground']!), `${what}: secondary button`);
            assert.equal(await computed(page.locator('#prompt'), 'backgroundColor'), rgb(vars['--vscode-input-background']!), `${what}: input`);
            assert.equal(await computed(page.locator('.form-message'), 'color'), rgb(vars['--vscode-errorForeground']!), `${what}: error text`);
            await screenshot(`${width}-${theme}`);
          }
        }
      },
    },
    {
      name: 'generate-restore-and-parameters',
      async run({ page, screenshot }) {
        // A panel opened again after it was closed: no page state, the host's copy of the form comes with init.
        await open(page);
        const form = { prompt: 'a lighthouse at dusk', negativePrompt: 'text', sizePreset: 'custom', width: 96, height: 64, steps: 9, guidanceScale: 4, seedMode: 'fixed', fixedSeed: '4242', scheduler: 'euler-a', batchCount: 3, useInitImage: false, strength: 0.75, hires: false, hiresScale: 2, hiresStrength: 0.7, hiresSteps: 0 };
        await sendToWebview(page, init({ form }));
        assert.equal(await page.locator('#prompt').inputValue(), 'a lighthouse at dusk');
        assert.deepEqual(
          [await page.locator('#negative-prompt').inputValue(), await page.locator('#steps').inputValue(), await page.locator('#seed').inputValue(), await page.locator('#batch-count').inputValue(), await page.locator('#scheduler').inputValue()],
          ['text', '9', '4242', '3', 'euler-a'],
          'the settings defaults (steps 20) did not replace the restored form',
        );
        // The page keeps it in its own state too.
        const state = (await page.evaluate(() => (globalThis as unknown as { __e2eVsCodeApi: { state: { form: { prompt: string } } } }).__e2eVsCodeApi.state)).form;
        assert.equal(state.prompt, 'a lighthouse at dusk');
        // And tells the host as the user types (debounced), so the next panel gets it.
        await page.locator('#prompt').fill('a lighthouse at night');
        await waitForPosted(page, (m) => m.type === 'formState' && (m as { form: { prompt?: string } }).form.prompt === 'a lighthouse at night', 'formState');

        // "Model's default" says which sampler it is.
        await sendToWebview(page, { type: 'model', model: { ...MODEL, defaultSampler: 'PLMS' } });
        assert.equal(await page.locator('#scheduler option[value="default"]').textContent(), "Model's default (PLMS)");

        // Reuse parameters / Open Parameters from Image…: the form takes the image's values.
        await sendToWebview(page, {
          type: 'applyParameters',
          parameters: { prompt: 'a red fox', negativePrompt: 'blurry', steps: 12, guidanceScale: 6.5, scheduler: 'dpmpp-2m-karras', seed: '18446744073709551615', width: 640, height: 384, from: 'fox.png' },
        });
        assert.deepEqual(
          [
            await page.locator('#prompt').inputValue(),
            await page.locator('#negative-prompt').inputValue(),
            await page.locator('#steps').inputValue(),
            await page.locator('#guidance').inputValue(),
            await page.locator('#scheduler').inputValue(),
            await page.locator('#seed-mode').inputValue(),
            await page.locator('#seed').inputValue(),
            await page.locator('#width').inputValue(),
            await page.locator('#height').inputValue(),
          ],
          ['a red fox', 'blurry', '12', '6.5', 'dpmpp-2m-karras', 'fixed', '18446744073709551615', '640', '384'],
        );
        assert.match((await page.locator('.form-message').textContent()) ?? '', /Parameters from fox\.png/);
        await page.locator('#generate').click();
        const posted = await waitForPosted(page, (m) => m.type === 'generate', `generate (the form says "${await page.locator('.form-message').textContent()}")`);
        const sent = (posted.find((m) => m.type === 'generate') as { form: GenerateFormValues }).form;
        assert.deepEqual([sent.prompt, sent.seed, sent.width, sent.height, sent.scheduler], ['a red fox', '18446744073709551615', 640, 384, 'dpmpp-2m-karras']);
        // The host gets the form that made the results at once (a window reload may come before any debounce).
        const at = posted.findIndex((m) => m.type === 'generate');
        assert.deepEqual([posted[at - 1]?.type, (posted[at - 1] as { form?: { prompt?: string } }).form?.prompt], ['formState', 'a red fox']);
        await screenshot('applied');
      },
    },
    {
      name: 'generate-result-cards',
      async run({ page, screenshot }) {
        await open(page);
        await sendToWebview(page, init());
        const results = await Promise.all(
          ['a red circle', 'a blue square'].map(async (prompt, i) => ({
            resultId: `r-${i}`,
            png: await solidPng(16, 16, [i * 200, 40, 40]),
            width: 16,
            height: 16,
            seed: String(10 + i),
            prompt,
            parameters: `${prompt}\nSteps: 3`,
          })),
        );
        await sendToWebview(page, { type: 'results', jobId: 1, results });
        for (const r of results) {
          assert.equal(await page.locator(`figure.result[data-result-id="${r.resultId}"] .result-prompt`).textContent(), r.prompt, 'the card shows its prompt');
        }
        await page.locator('figure.result[data-result-id="r-1"] button[data-action="saveAsAsset"]').click();
        assert.deepEqual(
          ((await postedMessages(page)) as { type: string; action?: string }[]).filter((m) => m.type === 'resultAction'),
          [{ type: 'resultAction', action: 'saveAsAsset', resultId: 'r-1' }],
          'Save as Asset goes to the host (which saves, then runs localDiffusion.saveAsAsset on the file)',
        );
        const saveAll = page.locator('#save-all');
        assert.equal(await saveAll.isDisabled(), false);
        await saveAll.click();
        assert.deepEqual(((await postedMessages(page)) as { type: string }[]).filter((m) => m.type === 'saveAll'), [{ type: 'saveAll' }]);
        // Save As… .jpg first: the card lists it; then the PNG (Save all) joins it, and every result is saved.
        await sendToWebview(page, { type: 'resultSaved', resultId: 'r-0', savedPath: 'generated/a-red-circle-10.jpg', savedUri: 'file:///w/generated/a-red-circle-10.jpg', savedPaths: ['generated/a-red-circle-10.jpg'] });
        const card = page.locator('figure.result[data-result-id="r-0"]');
        assert.equal(await card.locator('.result-saved').textContent(), 'Saved: generated/a-red-circle-10.jpg');
        assert.equal(await card.locator('button[data-action="saveToWorkspace"]').isDisabled(), false, 'a JPEG copy is not the exact PNG: Save stays');
        await sendToWebview(page, {
          type: 'resultSaved',
          resultId: 'r-0',
          savedPath: 'generated/a-red-circle-10.png',
          savedUri: 'file:///w/generated/a-red-circle-10.png',
          savedPaths: ['generated/a-red-circle-10.jpg', 'generated/a-red-circle-10.png'],
        });
        assert.equal(await card.locator('.result-saved').textContent(), 'Saved: generated/a-red-circle-10.jpg, generated/a-red-circle-10.png');
        assert.equal(await card.locator('button[data-action="saveToWorkspace"]').isDisabled(), true);
        assert.equal(await saveAll.isDisabled(), false, 'one result is still unsaved');
        await sendToWebview(page, { type: 'resultSaved', resultId: 'r-1', savedPath: 'generated/b.png', savedUri: 'file:///w/generated/b.png', savedPaths: ['generated/b.png'] });
        assert.equal(await saveAll.isDisabled(), true, 'nothing left to save');
        await screenshot('cards');
      },
    },
  ];
}
