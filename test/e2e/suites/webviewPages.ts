// Suite (3): the extension's webview pages alone in Chromium (no code-server, seconds): dist/webview/<page>.js with
// media/<page>.css in the HTML that src/host/util/webviewHtml.ts builds (same CSP), a stand-in VS Code API recording
// what the page posts, and the test playing the extension host's part with real protocol messages.
//   generate-preview   the Generate page posts the typed form; progress messages with RGBA previews land on the
//                      preview canvas pixel for pixel; the final PNG replaces them; Save posts its action;
//   generate-before-native-size  Generate clicked before the engine has reported the model's size: the request
//                      goes out (no size: the engine uses the model's own), no stale "size not known" error;
//   token-counter       the Generate panel and the inpaint prompt bar show the host's `used/limit` counts beside
//                      both prompt boxes; a burst of typing makes one request; a stale answer is dropped;
//   lora-picker         "LoRA…" asks the host for the LoRA folders' files, lists names and trigger words, inserts
//                       `<lora:name:1>` (and a trigger word) into the prompt, says where to set folders when none;
//   generate-hires      the Hires fix option (real checkbox and inputs) goes out as form.hires; a scale that would
//                      pass the size limit is refused on the page;
//   generate-seamless   the Seamless option goes out as form.tiling; a result whose infotext says Tiling is shown
//                      repeated 3×3 (xy) or 3 across (x), the Tiled button switching to the single image and back;
//   generate-seed-range a fixed seed of 2^64 − 1 goes out as its decimal string; 2^64 is refused on the page;
//   generate-size-snap-and-one-error  the header says the model's size multiple; a 1200×630 init image and a typed
//                      size snap to sizes it takes; a failure shows its message once (the form), not in the preview;
//   inpaint-messages-never-stale  the brush starts sized from the image; "Paint a mask first…" goes when a stroke
//                      is painted; "Done: pick a result…" goes when the next image (Apply, Revert) arrives;
//   generate-*          (generatePanelPages.ts) prompt focused on open; layout at 500 and 1400 px, light and dark;
//                      the form restored from the host; parameters applied; batch cards, Save all, saved paths;
//   inpaint-mask-tools the inpaint page's brush, eraser and invert (real pointer, real buttons) against the mask the
//                      host computes from the posted ops (src/common/mask/maskOps.ts), read back from #canvas pixel
//                      by pixel; undo as the host sends it (a region on top of a revision); no resync requested;
//   inpaint-mask-tint-hidden-on-preview-and-apply  (inpaintMaskTintPage.ts) the mask tint is off while a result is
//                      previewed and once the applied image arrives, and on again when the mask is painted.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import type { GenerateFormValues, PanelModel } from '../../../src/common/protocol/generatePanelProtocol';
import { DEFAULT_INPAINT_SETTINGS, type MaskOp } from '../../../src/common/protocol/inpaintEditorProtocol';
import { webviewDocument } from '../../../src/host/util/webviewDocument';
import { applyMaskOp, maskOpBounds } from '../../../src/common/mask/maskOps';
import { createMask, maskRegionHash, type Mask } from '../../../src/common/mask/maskRect';
import type { E2eSuite } from '../e2eSuite';
import { WEBVIEW_ORIGIN, openWebviewPage, postedMessages, sendToWebview } from '../webviewPage';
import { webviewPageSuite } from '../webviewPageSuite';
import { TOKEN_COUNT_DEBOUNCE_MS } from '../../../src/common/protocol/tokenCountMessages';
import { paintStroke } from './localDiffusionUi';
import { generatePanelScenarios } from './generatePanelPages';
import { inpaintMaskTintScenario } from './inpaintMaskTintPage';
import { inpaintExpandCanvasScenario } from './inpaintExpandCanvasPage';

/** The page as the extension builds it (src/host/util/webviewDocument.ts; {{cspSource}} and {{nonce}} filled by openWebviewPage). */
export function extensionPageHtml(script: 'generate' | 'inpaint', title: string): string {
  return webviewDocument({
    cspSource: '{{cspSource}}',
    nonce: '{{nonce}}',
    styleHrefs: [`${WEBVIEW_ORIGIN}/media/${script}.css`],
    scriptSrc: `${WEBVIEW_ORIGIN}/dist/webview/${script}.js`,
    title,
  });
}

/** Opens the Generate panel's page and sends what the host sends first: the settings' defaults and this model. */
async function openGeneratePage(page: Page, repoRoot: string, model: PanelModel): Promise<void> {
  await openWebviewPage(page, { html: extensionPageHtml('generate', 'Generate Image'), root: repoRoot });
  await waitForPosted(page, (m) => m.type === 'ready', 'ready');
  await sendToWebview(page, {
    type: 'init',
    defaults: { steps: 20, guidanceScale: 7.5, scheduler: 'default', width: 0, height: 0 },
    model,
    results: [],
    job: null,
    initImage: null,
    canSaveToWorkspace: true,
  });
}

export async function waitForPosted(page: Page, accept: (message: { type?: string }) => boolean, what: string): Promise<{ type?: string }[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const posted = (await postedMessages(page)) as { type?: string }[];
    if (posted.some(accept)) return posted;
    if (Date.now() > deadline) throw new Error(`the page did not post ${what}; it posted ${JSON.stringify(posted).slice(0, 500)}`);
    await page.waitForTimeout(50);
  }
}

/** Reads a canvas region as RGBA bytes (in the page: no DOM types here). */
function readCanvas(canvas: Locator, x: number, y: number, width: number, height: number): Promise<number[]> {
  return canvas.evaluate(
    (element, r) => {
      const c = element as unknown as { getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      return Array.from(c.getContext('2d').getImageData(r.x, r.y, r.width, r.height).data);
    },
    { x, y, width, height },
  );
}

export async function solidPng(width: number, height: number, rgb: [number, number, number]): Promise<Uint8Array> {
  const buffer = await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
  return new Uint8Array(buffer);
}

/** An opaque RGBA test preview whose every pixel differs from its neighbours (and from the other `variant`). */
function previewRgba(width: number, height: number, variant: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = (i * 37 + variant * 101) & 0xff;
    rgba[i * 4 + 1] = (i * 11 + variant * 53) & 0xff;
    rgba[i * 4 + 2] = (255 - i * 5 - variant * 29) & 0xff;
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

// ─── Inpaint: the page's mask, read back from the canvas ─────────────────────────────────────────

const INPAINT = { width: 96, height: 64 };

/**
 * The mask as #canvas shows it: the image is black, so each pixel is the mask tint times mask/255 times the
 * overlay's alpha; `full` is the red value of a fully masked pixel. Canvas at 100 %, image centred (actualSize).
 */
async function maskOnCanvas(page: Page, full: number): Promise<Uint8Array> {
  const canvas = page.locator('#canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('#canvas has no layout');
  const offsetX = Math.round((box.width - INPAINT.width) / 2);
  const offsetY = Math.round((box.height - INPAINT.height) / 2);
  const rgba = await readCanvas(canvas, offsetX, offsetY, INPAINT.width, INPAINT.height);
  const mask = new Uint8Array(INPAINT.width * INPAINT.height);
  for (let i = 0; i < mask.length; i++) mask[i] = Math.min(255, Math.round((rgba[i * 4]! * 255) / full));
  return mask;
}

/** Compares the canvas with the expected mask until they agree (the canvas redraws on the next frame). */
async function expectCanvasMask(page: Page, expected: Mask, full: number, what: string): Promise<void> {
  // Two 8-bit roundings (overlay, then compositing at half alpha) scaled back up by 255/full: a few levels.
  const tolerance = 6;
  const deadline = Date.now() + 5_000;
  let bad: string[] = [];
  for (;;) {
    const shown = await maskOnCanvas(page, full);
    bad = [];
    for (let i = 0; i < shown.length; i++) {
      if (Math.abs(shown[i]! - expected.data[i]!) > tolerance) bad.push(`(${i % INPAINT.width},${Math.floor(i / INPAINT.width)}) shows ${shown[i]} expected ${expected.data[i]}`);
    }
    if (bad.length === 0) return;
    if (Date.now() > deadline) break;
    await page.waitForTimeout(100);
  }
  throw new Error(`${what}: ${bad.length} pixel(s) differ, e.g. ${bad.slice(0, 5).join('; ')}`);
}

function maskOps(posted: unknown[]): { op: MaskOp; baseRevision: number }[] {
  return (posted as { type: string; op: MaskOp; baseRevision: number }[]).filter((m) => m.type === 'maskOp');
}

export function webviewPagesSuite(repoRoot: string): E2eSuite {
  return webviewPageSuite({
    name: 'webviews',
    scenarios: [
      // The Generate panel's focus, layout at two widths and two themes, restore, history parameters, result cards.
      ...generatePanelScenarios(repoRoot),
      inpaintMaskTintScenario(repoRoot),
      inpaintExpandCanvasScenario(repoRoot),
      {
        name: 'generate-preview',
        async run({ page, screenshot }) {
          await openGeneratePage(page, repoRoot, { name: 'analytic-shapes', builtIn: true, nativeWidth: 256, nativeHeight: 256, inpainting: false });
          await page.locator('#prompt').fill('a red circle');
          await page.locator('#steps').fill('3');
          await page.locator('#seed-mode').selectOption('fixed');
          await page.locator('#seed').fill('77');
          await page.locator('#generate').click();
          const posted = await waitForPosted(page, (m) => m.type === 'generate', 'generate');
          const form = (posted.find((m) => m.type === 'generate') as { form: GenerateFormValues }).form;
          // "Model size": the engine sizes it (no width/height on the wire).
          assert.deepEqual(
            { prompt: form.prompt, steps: form.steps, seed: form.seed, width: form.width, height: form.height, batchCount: form.batchCount },
            { prompt: 'a red circle', steps: 3, seed: '77', width: undefined, height: undefined, batchCount: 1 },
          );

          // The host's side of a job: started, two denoising steps with previews, the result, done.
          await sendToWebview(page, { type: 'jobStarted', job: { jobId: 1, startedAt: Date.now(), images: 1, steps: 3, progress: null } });
          const preview = page.locator('canvas.preview-canvas');
          const size = { width: 12, height: 8 };
          for (const step of [1, 2]) {
            const rgba = previewRgba(size.width, size.height, step);
            await sendToWebview(page, {
              type: 'progress',
              jobId: 1,
              progress: { stage: 'denoising', image: 1, images: 1, step, steps: 3, elapsedMs: step * 10, preview: { ...size, rgba } },
            });
            await page.locator('.preview-step').filter({ hasText: `step ${step}/3` }).waitFor({ timeout: 5_000 });
            assert.deepEqual([await preview.getAttribute('width'), await preview.getAttribute('height')], ['12', '8']);
            assert.deepEqual(await readCanvas(preview, 0, 0, size.width, size.height), Array.from(rgba), `preview of step ${step}, pixel for pixel`);
          }
          const png = await solidPng(16, 16, [10, 200, 30]);
          await sendToWebview(page, {
            type: 'results',
            jobId: 1,
            results: [{ resultId: 'result-1', png, width: 16, height: 16, seed: '77', prompt: 'a red circle', parameters: 'a red circle\nSteps: 3' }],
          });
          await sendToWebview(page, { type: 'jobEnded', jobId: 1, outcome: 'done', elapsedMs: 30, warnings: [] });
          await page.locator('.preview-stage').filter({ hasText: 'Done' }).waitFor({ timeout: 5_000 });
          // The final image replaces the preview (decoded asynchronously).
          const deadline = Date.now() + 5_000;
          while ((await preview.getAttribute('width')) !== '16' && Date.now() < deadline) await page.waitForTimeout(50);
          const final = await readCanvas(preview, 0, 0, 16, 16);
          assert.deepEqual(final.slice(0, 4), [10, 200, 30, 255], 'the result replaced the preview');
          assert.ok(final.every((v, i) => v === [10, 200, 30, 255][i % 4]), 'every pixel of the result');

          const card = page.locator('figure.result[data-result-id="result-1"]');
          await card.locator('button[data-action="saveToWorkspace"]').click();
          const actions = (await postedMessages(page)) as { type: string; action?: string; resultId?: string }[];
          assert.deepEqual(actions.filter((m) => m.type === 'resultAction'), [{ type: 'resultAction', action: 'saveToWorkspace', resultId: 'result-1' }]);
          await screenshot('final');
        },
      },
      {
        name: 'token-counter',
        async run({ page, screenshot }) {
          type Count = { type: string; requestId: number; prompt: string; negativePrompt: string };
          const requests = async (): Promise<Count[]> => ((await postedMessages(page)) as Count[]).filter((m) => m.type === 'countTokens');
          const answer = async (request: Count, used: number, negativeUsed: number | null): Promise<void> => {
            const count = (n: number) => ({ used: n, limit: Math.max(1, Math.ceil(n / 75)) * 75, chunks: Math.max(1, Math.ceil(n / 75)) });
            await sendToWebview(page, { type: 'tokenCounts', requestId: request.requestId, prompt: count(used), negativePrompt: negativeUsed === null ? null : count(negativeUsed) });
          };
          const counter = (id: string) => page.locator(`#${id}`);
          const shows = async (id: string, text: string): Promise<void> => {
            await page.waitForFunction(
              ([sel, want]) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(sel!)?.textContent === want,
              [`#${id}`, text],
              { timeout: 5_000 },
            );
          };

          // The Generate panel: the init asks at once; typing asks again once, after the keystrokes stop.
          await openGeneratePage(page, repoRoot, { name: 'analytic-shapes', builtIn: true, nativeWidth: 256, nativeHeight: 256, inpainting: false });
          await waitForPosted(page, (m) => m.type === 'countTokens', 'countTokens after init');
          const before = (await requests()).length;
          // A burst of typing: every keystroke's input event, then the negative prompt's, in one go (real keystrokes
          // from Playwright can be further apart than the debounce on a loaded machine, which made this flaky).
          await page.evaluate(() => {
            type Field = { value: string; dispatchEvent(e: unknown): boolean };
            const doc = (globalThis as unknown as { document: { querySelector(s: string): Field } }).document;
            const EventCtor = (globalThis as unknown as { Event: new (type: string, init: { bubbles: boolean }) => unknown }).Event;
            const typeInto = (selector: string, text: string): void => {
              const field = doc.querySelector(selector);
              for (let i = 1; i <= text.length; i++) {
                field.value = text.slice(0, i);
                field.dispatchEvent(new EventCtor('input', { bubbles: true }));
              }
            };
            typeInto('#prompt', 'a red circle');
            typeInto('#negative-prompt', 'blue');
          });
          // The debounce's quiet time, and room for a second (wrong) request to show up.
          await waitForPosted(page, (m) => m.type === 'countTokens' && (m as Count).negativePrompt === 'blue', 'countTokens after typing');
          await page.waitForTimeout(TOKEN_COUNT_DEBOUNCE_MS * 2);
          const typed = (await requests()).slice(before);
          assert.equal(typed.length, 1, `one request for the burst of typing, got ${JSON.stringify(typed)}`);
          assert.deepEqual({ prompt: typed[0]!.prompt, negativePrompt: typed[0]!.negativePrompt }, { prompt: 'a red circle', negativePrompt: 'blue' });
          await answer(typed[0]!, 82, 1);
          await shows('prompt-token-count', '82/150');
          await shows('negative-token-count', '1/75');
          // An answer to an older request does not overwrite the newer one.
          await sendToWebview(page, { type: 'tokenCounts', requestId: typed[0]!.requestId - 1, prompt: { used: 3, limit: 75, chunks: 1 }, negativePrompt: null });
          await page.waitForTimeout(100);
          assert.equal(await counter('prompt-token-count').textContent(), '82/150');
          // No count (no usable model): the counter is empty, not an error.
          await page.locator('#prompt').fill('a red circle (big:1.2)');
          const third = await waitForPosted(page, (m) => m.type === 'countTokens' && (m as Count).prompt.endsWith('(big:1.2)'), 'the third request');
          await sendToWebview(page, { type: 'tokenCounts', requestId: (third.filter((m) => m.type === 'countTokens').pop() as Count).requestId, prompt: null, negativePrompt: null });
          await shows('prompt-token-count', '');
          await screenshot('generate');

          // The inpaint editor's prompt bar: the same counter, asked when the settings arrive.
          await openWebviewPage(page, { html: extensionPageHtml('inpaint', 'Inpaint'), root: repoRoot });
          await waitForPosted(page, (m) => m.type === 'ready', 'ready');
          const { width, height } = INPAINT;
          await sendToWebview(page, {
            type: 'init',
            document: { fileName: 'black.png', format: 'png', width, height, readonly: false, lossy: false, warnings: [] },
            settings: { ...DEFAULT_INPAINT_SETTINGS, prompt: 'a red circle', negativePrompt: '' },
          });
          await waitForPosted(page, (m) => m.type === 'countTokens' && (m as Count).prompt === 'a red circle', 'countTokens after init');
          await page.locator('#prompt').fill(`${'a '.repeat(80)}red`);
          const posted = await waitForPosted(page, (m) => m.type === 'countTokens' && (m as Count).prompt.endsWith('red') && (m as Count).prompt.length > 100, 'countTokens after typing');
          await answer(posted.filter((m) => m.type === 'countTokens').pop() as Count, 81, 0);
          await shows('prompt-token-count', '81/150');
          await shows('negative-token-count', '0/75');
          await screenshot('inpaint');
        },
      },
      {
        name: 'generate-before-native-size',
        async run({ page, screenshot }) {
          // What the host sends first: the selected model as known without the engine (no native size yet).
          await openGeneratePage(page, repoRoot, { name: 'analytic-shapes', builtIn: true });
          await page.locator('.model-note').filter({ hasText: 'checking' }).waitFor({ timeout: 5_000 });
          await page.locator('#prompt').fill('a yellow star');
          await page.locator('#generate').click();
          const posted = await waitForPosted(page, (m) => m.type === 'generate', 'generate');
          const form = (posted.find((m) => m.type === 'generate') as { form: GenerateFormValues }).form;
          assert.deepEqual([form.prompt, form.width, form.height], ['a yellow star', undefined, undefined]);
          assert.equal(await page.locator('#generate').isDisabled(), true, 'the request went out: Generate waits for it');
          // The engine's report arrives while the job runs: the header says it, and no error is shown.
          await sendToWebview(page, { type: 'model', model: { name: 'analytic-shapes', builtIn: true, nativeWidth: 64, nativeHeight: 64, sizeMultiple: 8 } });
          await page.locator('.model-note').filter({ hasText: 'native 64×64' }).waitFor({ timeout: 5_000 });
          assert.equal((await page.locator('.form-message').textContent()) ?? '', '', 'no error under the form');
          await screenshot('final');
        },
      },
      {
        name: 'lora-picker',
        async run({ page, screenshot }) {
          // The Generate panel's "LoRA…": asks the host when opened, lists names with trigger words, inserts the tag.
          await openGeneratePage(page, repoRoot, { name: 'analytic-shapes', builtIn: true, nativeWidth: 256, nativeHeight: 256, inpainting: false });
          const asks = async (): Promise<number> => ((await postedMessages(page)) as { type?: string }[]).filter((m) => m.type === 'listLoras').length;
          await page.locator('#prompt').fill('a red circle');
          await page.locator('#lora-picker-toggle').click();
          await waitForPosted(page, (m) => m.type === 'listLoras', 'listLoras');
          await sendToWebview(page, { type: 'loraList', folders: ['/loras'], loras: [{ name: 'cat_style', triggerWords: ['tail', 'cat ears'] }, { name: 'ink', triggerWords: [] }] });
          await page.locator('.lora-entry .lora-name', { hasText: 'cat_style' }).waitFor({ timeout: 5_000 });
          await screenshot('list');
          await page.locator('.lora-entry .lora-name', { hasText: 'cat_style' }).click();
          assert.equal(await page.locator('#prompt').inputValue(), 'a red circle <lora:cat_style:1>');
          assert.equal(await page.locator('#lora-list').isHidden(), true, 'the list closes after a pick');
          // A trigger word goes in after a comma; the token counter hears about the change.
          await page.locator('#lora-picker-toggle').click();
          const before = await asks();
          assert.equal(before, 2);
          await sendToWebview(page, { type: 'loraList', folders: ['/loras'], loras: [{ name: 'cat_style', triggerWords: ['tail'] }] });
          await page.locator('.lora-trigger', { hasText: 'tail' }).click();
          assert.equal(await page.locator('#prompt').inputValue(), 'a red circle <lora:cat_style:1>, tail');
          await waitForPosted(page, (m) => m.type === 'countTokens' && (m as { prompt?: string }).prompt === 'a red circle <lora:cat_style:1>, tail', 'countTokens for the inserted text');
          // No folder set: the list says where to set one.
          await page.locator('#lora-picker-toggle').click();
          await page.locator('#lora-picker-toggle').click();
          await sendToWebview(page, { type: 'loraList', folders: [], loras: [] });
          await page.locator('.lora-note', { hasText: 'localDiffusion.loraFolders' }).waitFor({ timeout: 5_000 });
        },
      },
      {
        name: 'generate-hires',
        async run({ page, screenshot }) {
          await openGeneratePage(page, repoRoot, { name: 'analytic-shapes', builtIn: true, nativeWidth: 64, nativeHeight: 64, sizeMultiple: 8 });
          await page.locator('#prompt').fill('a red circle');
          assert.equal(await page.locator('#hires-scale').isDisabled(), true, 'the hires inputs wait for the checkbox');
          await page.locator('#hires').check();
          await page.locator('#hires-scale').fill('1.5');
          await page.locator('#hires-strength').fill('0.4');
          await page.locator('#hires-steps').fill('12');
          await screenshot('hires');
          await page.locator('#generate').click();
          const posted = await waitForPosted(page, (m) => m.type === 'generate', 'generate');
          const form = (posted.find((m) => m.type === 'generate') as { form: GenerateFormValues }).form;
          assert.deepEqual(form.hires, { scale: 1.5, strength: 0.4, steps: 12 });
        },
      },
      {
        name: 'generate-seamless',
        async run({ page, screenshot }) {
          await openWebviewPage(page, { html: extensionPageHtml('generate', 'Generate Image'), root: repoRoot });
          await waitForPosted(page, (m) => m.type === 'ready', 'ready');
          const png = await solidPng(16, 16, [200, 120, 30]);
          const infotext = 'a tile\nSteps: 3, Sampler: Euler, CFG scale: 7, Seed: 5, Size: 16x16, RNG: CPU, Tiling: True';
          await sendToWebview(page, {
            type: 'init',
            defaults: { steps: 20, guidanceScale: 7.5, scheduler: 'default', width: 0, height: 0 },
            model: { name: 'analytic-shapes', builtIn: true, nativeWidth: 64, nativeHeight: 64, sizeMultiple: 8 },
            results: [
              { resultId: 'plain', png, width: 16, height: 16, seed: '4', prompt: 'a tile', parameters: 'a tile\nSteps: 3, Sampler: Euler, CFG scale: 7, Seed: 4, Size: 16x16' },
              { resultId: 'tiled-xy', png, width: 16, height: 16, seed: '5', prompt: 'a tile', parameters: infotext },
              { resultId: 'tiled-x', png, width: 16, height: 16, seed: '6', prompt: 'a tile', parameters: `${infotext}, Tiling axes: X` },
            ],
            job: null,
            initImage: null,
            canSaveToWorkspace: true,
          });
          const card = (id: string) => page.locator(`figure.result[data-result-id="${id}"]`);
          await card('tiled-xy').locator('.tiled-preview img.tile').first().waitFor({ timeout: 5_000 });
          assert.equal(await card('tiled-xy').locator('.tiled-preview.tiled-xy img.tile').count(), 9, '3×3 for both axes');
          assert.equal(await card('tiled-x').locator('.tiled-preview.tiled-x img.tile').count(), 3, 'three across for x');
          assert.equal(await card('plain').locator('.tiled-preview').count(), 0, 'an ordinary result is shown once');
          assert.equal(await card('tiled-xy').locator('img.result-image').isVisible(), false);
          // The tiles sit edge to edge: three across fill the card's width.
          const boxes = await card('tiled-xy').locator('img.tile').evaluateAll((tiles) => tiles.slice(0, 3).map((t) => t.getBoundingClientRect()).map((r) => [r.left, r.right, r.top]));
          assert.ok(Math.abs(boxes[0]![1]! - boxes[1]![0]!) < 1 && Math.abs(boxes[1]![1]! - boxes[2]![0]!) < 1 && boxes[0]![2] === boxes[2]![2], `edge to edge: ${JSON.stringify(boxes)}`);
          await screenshot('tiled');
          await card('tiled-xy').locator('button[data-action="toggleTiled"]').click();
          assert.equal(await card('tiled-xy').locator('img.result-image').isVisible(), true, 'Tiled off: the single image');
          assert.equal(await card('tiled-xy').locator('.tiled-preview').isVisible(), false);
          await card('tiled-xy').locator('button[data-action="toggleTiled"]').click();
          assert.equal(await card('tiled-xy').locator('.tiled-preview').isVisible(), true);

          await page.locator('#prompt').fill('mossy cobblestones');
          await page.locator('#seamless').selectOption('xy');
          await page.locator('#generate').click();
          const posted = await waitForPosted(page, (m) => m.type === 'generate', 'generate');
          const form = (posted.find((m) => m.type === 'generate') as { form: GenerateFormValues }).form;
          assert.equal(form.tiling, 'xy');
        },
      },
      {
        name: 'generate-seed-range',
        async run({ page }) {
          await openGeneratePage(page, repoRoot, { name: 'analytic-shapes', builtIn: true, nativeWidth: 64, nativeHeight: 64, sizeMultiple: 8 });
          await page.locator('#prompt').fill('a blue square');
          await page.locator('#seed-mode').selectOption('fixed');
          // One past the largest seed: refused on the page, nothing posted.
          await page.locator('#seed').fill('18446744073709551616');
          await page.locator('#generate').click();
          await page.locator('.form-message').filter({ hasText: '18446744073709551615' }).waitFor({ timeout: 5_000 });
          assert.equal(((await postedMessages(page)) as { type?: string }[]).some((m) => m.type === 'generate'), false);
          // The largest seed goes out exactly, as its decimal string (a JavaScript number would round it).
          await page.locator('#seed').fill('18446744073709551615');
          await page.locator('#generate').click();
          const posted = await waitForPosted(page, (m) => m.type === 'generate', 'generate');
          const form = (posted.find((m) => m.type === 'generate') as { form: GenerateFormValues }).form;
          assert.equal(form.seed, '18446744073709551615');
        },
      },
      {
        name: 'generate-size-snap-and-one-error',
        async run({ page, screenshot }) {
          await openGeneratePage(page, repoRoot, { name: 'analytic-shapes', builtIn: true, nativeWidth: 512, nativeHeight: 512, sizeMultiple: 64 });
          // The header says what sizes the model takes (the UNet's multiple, not the VAE's 8).
          await page.locator('.model-note').filter({ hasText: 'multiples of 64' }).waitFor({ timeout: 5_000 });
          // An init image of 1200×630 becomes a size the model takes.
          await sendToWebview(page, { type: 'initImage', image: { png: await solidPng(12, 6, [200, 10, 10]), width: 1200, height: 630, label: 'card.png' } });
          await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document.querySelector('#width').value === '1216');
          assert.equal(await page.locator('#height').inputValue(), '640');
          // A typed size snaps when committed.
          await page.locator('#width').fill('1000');
          await page.locator('#width').press('Tab');
          assert.equal(await page.locator('#width').inputValue(), '1024');
          await page.locator('#prompt').fill('a red circle');
          await page.locator('#generate').click();
          const posted = await waitForPosted(page, (m) => m.type === 'generate', 'generate');
          const form = (posted.find((m) => m.type === 'generate') as { form: GenerateFormValues }).form;
          assert.deepEqual([form.width, form.height], [1024, 640]);
          // A failure is shown once: in the form's message, the preview only says "Failed".
          const plain = 'The model could not run with these settings.';
          await sendToWebview(page, { type: 'jobStarted', job: { jobId: 1, startedAt: Date.now(), images: 1, steps: 3, progress: null } });
          await sendToWebview(page, { type: 'jobEnded', jobId: 1, outcome: 'failed', message: plain, elapsedMs: 30, warnings: [] });
          await page.locator('.preview-stage').filter({ hasText: 'Failed' }).waitFor({ timeout: 5_000 });
          assert.equal(await page.locator('.preview-stage').textContent(), 'Failed');
          const body = (await page.locator('body').innerText()).split(plain).length - 1;
          assert.equal(body, 1, 'the message appears once on the page');
          await screenshot('final');
        },
      },
      {
        name: 'inpaint-model-size-note',
        async run({ page, screenshot }) {
          await openWebviewPage(page, { html: extensionPageHtml('inpaint', 'Inpaint'), root: repoRoot });
          await waitForPosted(page, (m) => m.type === 'ready', 'ready');
          await sendToWebview(page, {
            type: 'init',
            document: { fileName: 'card.png', format: 'png', width: 1200, height: 630, readonly: false, lossy: false, warnings: [] },
            settings: { ...DEFAULT_INPAINT_SETTINGS, inpaintArea: 'whole' },
          });
          const note = page.locator('#modelNote');
          await note.filter({ hasText: 'Checking the model' }).waitFor({ timeout: 5_000 });
          await sendToWebview(page, {
            type: 'model',
            model: { name: 'sd15', nativeWidth: 512, nativeHeight: 512, vaeScaleFactor: 8, sizeMultiple: 64, inpainting: false },
          });
          await note.filter({ hasText: 'sides in multiples of 64' }).waitFor({ timeout: 5_000 });
          await note.filter({ hasText: 'This 1200×630 image is worked on at 704×384' }).waitFor({ timeout: 5_000 });
          await page.getByLabel('Only masked').check();
          await note.filter({ hasText: 'Only masked: the area around the mask is worked on at 512×512' }).waitFor({ timeout: 5_000 });
          // The model's own defaults fill steps and guidance the user has not changed, and go back for a model without.
          assert.deepEqual([await page.locator('#steps').inputValue(), await page.locator('#guidance').inputValue()], ['20', '7.5']);
          await sendToWebview(page, {
            type: 'model',
            model: { name: 'sdxl-turbo', nativeWidth: 512, nativeHeight: 512, vaeScaleFactor: 8, sizeMultiple: 32, inpainting: false, defaultSteps: 4, defaultGuidanceScale: 0 },
          });
          await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document.querySelector('#steps').value === '4', undefined, { timeout: 5_000 });
          assert.equal(await page.locator('#guidance').inputValue(), '0');
          await page.locator('#steps').fill('9');
          await sendToWebview(page, { type: 'model', model: { name: 'sd15', nativeWidth: 512, nativeHeight: 512, vaeScaleFactor: 8, sizeMultiple: 64, inpainting: false } });
          await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document.querySelector('#guidance').value === '7.5', undefined, { timeout: 5_000 });
          assert.equal(await page.locator('#steps').inputValue(), '9', 'a value the user typed stays');
          await sendToWebview(page, { type: 'model', model: null, error: 'No model is selected.' });
          await page.locator('#modelNote.error').filter({ hasText: 'No model is selected.' }).waitFor({ timeout: 5_000 });
          await screenshot('final');
        },
      },
      {
        name: 'inpaint-messages-never-stale',
        async run({ page, screenshot }) {
          await openWebviewPage(page, { html: extensionPageHtml('inpaint', 'Inpaint'), root: repoRoot });
          await waitForPosted(page, (m) => m.type === 'ready', 'ready');
          const { width, height } = INPAINT;
          await sendToWebview(page, {
            type: 'init',
            document: { fileName: 'black.png', format: 'png', width, height, readonly: false, lossy: false, warnings: ['a file warning stays'] },
            settings: { ...DEFAULT_INPAINT_SETTINGS },
          });
          await sendToWebview(page, { type: 'image', revision: 1, bytes: await solidPng(width, height, [0, 0, 0]), mimeType: 'image/png', width, height });
          await sendToWebview(page, { type: 'mask', revision: 0, baseRevision: null, region: { x: 0, y: 0, width, height, data: new Uint8Array(width * height) } });
          await page.locator('#statusLine').filter({ hasText: `${width}×${height}` }).waitFor({ timeout: 5_000 });
          // Fitted on open, and fitted again when the editor is resized (the user has not zoomed).
          const zoomBefore = await page.locator('#zoomLevel').textContent();
          const viewport = page.viewportSize()!;
          await page.setViewportSize({ width: Math.round(viewport.width / 2), height: viewport.height });
          await page.waitForFunction(
            (before) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } } }).document.querySelector('#zoomLevel').textContent !== before,
            zoomBefore,
            { timeout: 5_000 },
          );
          await page.setViewportSize(viewport);
          // The brush starts sized from the image (96×64: 4 px), not 48 px.
          assert.equal(await page.locator('#brushSize').inputValue().catch(() => 'no #brushSize'), '4');
          // Generate with no mask: the host's notice; painting makes it stale, so it goes.
          await sendToWebview(page, { type: 'notice', level: 'warning', message: 'Paint a mask first: white areas are repainted.' });
          const stale = page.locator('.notice').filter({ hasText: 'Paint a mask first' });
          await stale.waitFor({ timeout: 5_000 });
          await paintStroke(page, page, { tool: 'Brush', size: 9, points: [[10, 20], [60, 24]] }, { width, height });
          await stale.waitFor({ state: 'detached', timeout: 5_000 });
          assert.equal(await page.locator('.notice').filter({ hasText: 'a file warning stays' }).count(), 1, 'the file warning stays');
          // "Done: pick a result…" holds until a new image (Apply, Revert) arrives.
          await sendToWebview(page, { type: 'jobStarted', jobId: 1, batchCount: 1, steps: 2 });
          await sendToWebview(page, { type: 'jobEnded', jobId: 1, outcome: 'done' });
          await page.locator('#progress').filter({ hasText: 'Done: pick a result' }).waitFor({ timeout: 5_000 });
          await sendToWebview(page, { type: 'image', revision: 2, bytes: await solidPng(width, height, [0, 0, 200]), mimeType: 'image/png', width, height });
          await page.locator('#progress').filter({ hasText: 'Paint a mask, describe' }).waitFor({ timeout: 5_000 });
          await screenshot('final');
        },
      },
      {
        name: 'inpaint-mask-tools',
        async run({ page, screenshot }) {
          await openWebviewPage(page, { html: extensionPageHtml('inpaint', 'Inpaint'), root: repoRoot });
          await waitForPosted(page, (m) => m.type === 'ready', 'ready');
          const { width, height } = INPAINT;
          await sendToWebview(page, {
            type: 'init',
            document: { fileName: 'black.png', format: 'png', width, height, readonly: false, lossy: false, warnings: [] },
            settings: { ...DEFAULT_INPAINT_SETTINGS },
          });
          await sendToWebview(page, { type: 'image', revision: 1, bytes: await solidPng(width, height, [0, 0, 0]), mimeType: 'image/png', width, height });
          await sendToWebview(page, { type: 'mask', revision: 0, baseRevision: null, region: { x: 0, y: 0, width, height, data: new Uint8Array(width * height) } });
          await page.locator('#statusLine').filter({ hasText: `${width}×${height}` }).waitFor({ timeout: 5_000 });

          // The host's copy of the mask, and its answer to each op the page sends.
          const host = createMask(width, height);
          let revision = 0;
          let seen = 0;
          const acknowledgeNextOp = async (): Promise<MaskOp> => {
            const deadline = Date.now() + 5_000;
            let ops = maskOps(await postedMessages(page));
            while (ops.length <= seen && Date.now() < deadline) {
              await page.waitForTimeout(50);
              ops = maskOps(await postedMessages(page));
            }
            const message = ops[seen++];
            if (!message) throw new Error('the page sent no mask op');
            assert.equal(message.baseRevision, revision, 'the op is based on the host revision the page has');
            const bounds = maskOpBounds(host, message.op);
            applyMaskOp(host, message.op);
            revision++;
            await sendToWebview(page, { type: 'maskOpApplied', revision, op: message.op, hash: maskRegionHash(host, bounds), fromThisView: true });
            return message.op;
          };
          const image = { width, height };
          const leaveCanvas = () => page.mouse.move(1, 1); // no brush outline on the canvas while it is read

          // Brush: a horizontal stroke.
          await paintStroke(page, page, { tool: 'Brush', size: 9, points: [[10, 20], [60, 24]] }, image);
          await leaveCanvas();
          const brush = await acknowledgeNextOp();
          assert.equal(brush.kind, 'stroke');
          assert.ok(brush.kind === 'stroke' && brush.mode === 'paint' && brush.size === 9, JSON.stringify(brush).slice(0, 200));
          // A fully masked pixel on the stroke gives the tint's strength at mask 255.
          assert.equal(host.data[22 * width + 30], 255, 'the stroke covers its middle');
          const canvas = page.locator('#canvas');
          const box = (await canvas.boundingBox())!;
          const [fx, fy] = [Math.round((box.width - width) / 2) + 30, Math.round((box.height - height) / 2) + 22];
          const full = (await readCanvas(canvas, fx, fy, 1, 1))[0]!;
          assert.ok(full > 60, `a masked pixel is tinted (red ${full})`);
          await expectCanvasMask(page, host, full, 'after the brush stroke');

          // Eraser: a vertical stroke through it.
          await paintStroke(page, page, { tool: 'Eraser', size: 7, points: [[35, 5], [35, 55]] }, image);
          await leaveCanvas();
          const eraser = await acknowledgeNextOp();
          assert.ok(eraser.kind === 'stroke' && eraser.mode === 'erase', JSON.stringify(eraser).slice(0, 200));
          assert.equal(host.data[22 * width + 35], 0, 'the eraser cleared its path');
          await expectCanvasMask(page, host, full, 'after the eraser stroke');
          const beforeInvert = host.data.slice();

          // Invert (a tool bar button).
          await page.getByRole('button', { name: 'Invert mask', exact: true }).click();
          assert.deepEqual(await acknowledgeNextOp(), { kind: 'invert' });
          await expectCanvasMask(page, host, full, 'after invert');

          // Undo, as the host sends it: the region the invert changed, as it was, on top of the current revision.
          host.data.set(beforeInvert);
          await sendToWebview(page, { type: 'mask', revision: revision + 1, baseRevision: revision, region: { x: 0, y: 0, width, height, data: beforeInvert } });
          revision++;
          await expectCanvasMask(page, host, full, 'after undo');

          const requests = ((await postedMessages(page)) as { type: string }[]).filter((m) => m.type === 'requestMask' || m.type === 'error');
          assert.deepEqual(requests, [], 'the page and the host agreed on every op (no resync, no error)');

          // The seed box takes the whole 64-bit range; Generate sends it as its decimal string.
          await page.locator('#randomSeed').uncheck();
          assert.match(await page.locator('#seed').inputValue(), /^\d+$/, 'unticking Random offers a seed');
          await page.locator('#seed').fill('18446744073709551615');
          await page.locator('#prompt').fill('a red fox');
          await page.locator('#generate').click();
          const generate = (await waitForPosted(page, (m) => m.type === 'generate', 'generate')).find((m) => m.type === 'generate') as {
            settings: { seed: unknown; prompt: string };
          };
          assert.deepEqual([generate.settings.prompt, generate.settings.seed], ['a red fox', '18446744073709551615']);
          await screenshot('final');
        },
      },
    ],
  });
}
