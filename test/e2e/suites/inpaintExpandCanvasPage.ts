// Webview-page scenario (webviews suite, webviewPages.ts) of the inpaint editor's Expand canvas tool (issue 16 §2):
// the tool shows its panel and the frame; Generate with all margins 0 says what to do and posts nothing; dragging the
// frame's right edge sets the right margin snapped to the model's size multiple; a typed left margin is taken as
// typed; Generate posts the margins and the overlap; an expanded result previews at its size (its new area shows
// left of the image); after Apply, documentResized starts the page over at the new size with the margins back to 0.
// Every wait polls the page's state.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEFAULT_INPAINT_SETTINGS } from '../../../src/common/protocol/inpaintEditorProtocol';
import { OUTPAINT_DEFAULT_OVERLAP } from '../../../src/common/outpaint/outpaintOverlap';
import { ViewTransform } from '../../../webview/inpaint/viewTransform';
import { openWebviewPage, postedMessages, sendToWebview } from '../webviewPage';
import type { WebviewPageScenario } from '../webviewPageSuite';
import { extensionPageHtml, solidPng, waitForPosted } from './webviewPages';

const SIZE = { width: 96, height: 64 };
const SIZE_MULTIPLE = 8;
const IMAGE_RGB: [number, number, number] = [20, 40, 200];
const RESULT_RGB: [number, number, number] = [40, 200, 60];

function documentInfo(width: number, height: number): Record<string, unknown> {
  return { fileName: 'beach.png', format: 'png', width, height, readonly: false, lossy: false, warnings: [] };
}

/** The transform the page uses while the frame shows (canvasView.ts fit: the frame plus a quarter of the longer side around it). */
async function frameTransform(page: Page, margins: { left: number; top: number; right: number; bottom: number }): Promise<{ t: ViewTransform; x: number; y: number }> {
  const box = await page.locator('#canvas').boundingBox();
  if (!box) throw new Error('#canvas has no layout');
  const room = Math.round(Math.max(SIZE.width, SIZE.height) / 4);
  const t = new ViewTransform();
  t.fitRect(
    { x: -margins.left - room, y: -margins.top - room, width: SIZE.width + margins.left + margins.right + 2 * room, height: SIZE.height + margins.top + margins.bottom + 2 * room },
    Math.floor(box.width),
    Math.floor(box.height),
  );
  return { t, x: box.x, y: box.y };
}

/** The bounding box (canvas pixels) of what #canvas shows in colour `rgb`, or null when nothing is. */
async function colourBox(page: Page, rgb: [number, number, number]): Promise<{ width: number; height: number } | null> {
  return page.locator('#canvas').evaluate(
    (element, want) => {
      const c = element as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let x0 = Infinity;
      let y0 = Infinity;
      let x1 = -1;
      let y1 = -1;
      for (let y = 0; y < c.height; y++) {
        for (let x = 0; x < c.width; x++) {
          const i = (y * c.width + x) * 4;
          if (Math.abs(d[i]! - want[0]) <= 2 && Math.abs(d[i + 1]! - want[1]) <= 2 && Math.abs(d[i + 2]! - want[2]) <= 2) {
            x0 = Math.min(x0, x);
            y0 = Math.min(y0, y);
            x1 = Math.max(x1, x);
            y1 = Math.max(y1, y);
          }
        }
      }
      return x1 < 0 ? null : { width: x1 - x0 + 1, height: y1 - y0 + 1 };
    },
    rgb,
  );
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function inpaintExpandCanvasScenario(repoRoot: string): WebviewPageScenario {
  return {
    name: 'inpaint-expand-canvas',
    async run({ page, screenshot }) {
      await openWebviewPage(page, { html: extensionPageHtml('inpaint', 'Inpaint'), root: repoRoot });
      await waitForPosted(page, (m) => m.type === 'ready', 'ready');
      const { width, height } = SIZE;
      await sendToWebview(page, { type: 'init', document: documentInfo(width, height), settings: { ...DEFAULT_INPAINT_SETTINGS, prompt: 'a wide beach' } });
      await sendToWebview(page, { type: 'image', revision: 1, bytes: await solidPng(width, height, IMAGE_RGB), mimeType: 'image/png', width, height });
      await sendToWebview(page, { type: 'mask', revision: 0, baseRevision: null, region: { x: 0, y: 0, width, height, data: new Uint8Array(width * height) } });
      await sendToWebview(page, {
        type: 'model',
        model: { name: 'tiny', nativeWidth: 64, nativeHeight: 64, vaeScaleFactor: 4, sizeMultiple: SIZE_MULTIPLE, inpainting: false },
      });
      await page.locator('#statusLine').filter({ hasText: `${width}×${height}` }).waitFor({ timeout: 5_000 });

      // The tool: its panel (the mask is not used, says the note) and the status line.
      await page.getByRole('radio', { name: 'Expand canvas', exact: true }).click();
      await page.locator('#expandPanel').waitFor({ state: 'visible', timeout: 5_000 });
      await page.locator('#expandNote').filter({ hasText: 'the mask is not used' }).waitFor({ timeout: 5_000 });
      await page.locator('#statusLine').filter({ hasText: `Expand canvas to ${width}×${height}` }).waitFor({ timeout: 5_000 });
      assert.equal(await page.locator('#expandOverlap').inputValue(), String(OUTPAINT_DEFAULT_OVERLAP));

      // All margins 0: Generate says what to do and posts nothing.
      await page.locator('#generate').click();
      await page.locator('#notices').filter({ hasText: 'drag the frame outward, or type a margin above 0' }).waitFor({ timeout: 5_000 });
      assert.ok(!((await postedMessages(page)) as { type?: string }[]).some((m) => m.type === 'generate'), 'no generate posted');
      await screenshot('expand-tool');

      // Drag the right edge outward by 21 image pixels: the right margin snaps to 24 (the size multiple is 8). The
      // view refits when the notice changes the layout: hover until the page shows the edge's resize cursor.
      let frame = await frameTransform(page, { left: 0, top: 0, right: 0, bottom: 0 });
      let edge = frame.t.toScreen(width, height / 2);
      await until('the resize cursor on the right edge', async () => {
        frame = await frameTransform(page, { left: 0, top: 0, right: 0, bottom: 0 });
        edge = frame.t.toScreen(width, height / 2);
        await page.mouse.move(frame.x + edge.x, frame.y + edge.y);
        return (await page.locator('#canvas').getAttribute('data-cursor')) === 'ew-resize';
      });
      const { t, x, y } = frame;
      await page.mouse.down();
      await page.mouse.move(x + edge.x + 10 * t.scale, y + edge.y, { steps: 3 });
      await page.mouse.move(x + edge.x + 21 * t.scale, y + edge.y, { steps: 3 });
      await page.mouse.up();
      await until('the right margin field at 24', async () => (await page.locator('#expand-right').inputValue()) === '24');
      assert.equal(await page.locator('#expand-left').inputValue(), '0');

      // A typed margin is taken as typed; the status line says the size they make.
      await page.locator('#expand-left').fill('10');
      await page.locator('#statusLine').filter({ hasText: `Expand canvas to ${width + 34}×${height}` }).waitFor({ timeout: 5_000 });
      await screenshot('frame-dragged');

      // Generate posts the margins and the overlap with the settings.
      await page.locator('#generate').click();
      const posted = (await waitForPosted(page, (m) => m.type === 'generate', 'generate')).find((m) => m.type === 'generate') as {
        settings: { prompt: string };
        expand?: unknown;
      };
      assert.equal(posted.settings.prompt, 'a wide beach');
      assert.deepEqual(posted.expand, { margins: { left: 10, top: 0, right: 24, bottom: 0 }, overlap: OUTPAINT_DEFAULT_OVERLAP });

      // One expanded result: selected at once and drawn at its own size around the image (its aspect is the grown
      // canvas's, 130:64, not the image's 96:64, whatever the zoom).
      const grown = { width: width + 34, height };
      const resultPng = await solidPng(grown.width, grown.height, RESULT_RGB);
      await sendToWebview(page, { type: 'jobStarted', jobId: 1, batchCount: 1, steps: 2 });
      await sendToWebview(page, { type: 'jobEnded', jobId: 1, outcome: 'done' });
      await sendToWebview(page, {
        type: 'candidates',
        jobId: 1,
        ...grown,
        candidates: [{ index: 0, png: resultPng, seed: '7', parameters: 'a wide beach\nSeed: 7' }],
        expand: { left: 10, top: 0, right: 24, bottom: 0 },
      });
      await page.locator('#statusLine').filter({ hasText: 'showing a result' }).waitFor({ timeout: 5_000 });
      await page.mouse.move(1, 1);
      let shown: { width: number; height: number } | null = null;
      await until('the result drawn at the grown size', async () => {
        shown = await colourBox(page, RESULT_RGB);
        return shown !== null && Math.abs(shown.width / shown.height - grown.width / grown.height) < 0.05;
      });
      await screenshot('expanded-result');

      // Apply; the host answers with the new size, the image and the whole mask: the page starts over at that size.
      await page.locator('#applyCandidate:not([disabled])').click();
      const applied = (await waitForPosted(page, (m) => m.type === 'applyCandidate', 'applyCandidate')).find((m) => m.type === 'applyCandidate');
      assert.deepEqual(applied, { type: 'applyCandidate', jobId: 1, index: 0 });
      await sendToWebview(page, { type: 'documentResized', document: documentInfo(grown.width, grown.height) });
      await sendToWebview(page, { type: 'image', revision: 2, bytes: resultPng, mimeType: 'image/png', ...grown });
      await sendToWebview(page, { type: 'mask', revision: 1, baseRevision: null, region: { x: 0, y: 0, ...grown, data: new Uint8Array(grown.width * grown.height) } });
      await page.locator('#statusLine').filter({ hasText: `${grown.width}×${grown.height} · PNG` }).waitFor({ timeout: 5_000 });
      await page.locator('#statusLine').filter({ hasText: `Expand canvas to ${grown.width}×${grown.height}` }).waitFor({ timeout: 5_000 });
      await until('the margins back to 0', async () => (await page.locator('#expand-left').inputValue()) === '0' && (await page.locator('#expand-right').inputValue()) === '0');
      await screenshot('resized');

      // Back to the brush: the panel hides.
      await page.getByRole('radio', { name: 'Brush', exact: true }).click();
      await page.locator('#expandPanel').waitFor({ state: 'hidden', timeout: 5_000 });
      const errors = ((await postedMessages(page)) as { type: string }[]).filter((m) => m.type === 'error');
      assert.deepEqual(errors, [], 'the page reported no error');
    },
  };
}
