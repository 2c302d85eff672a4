// Webview-page scenario (webviews suite, webviewPages.ts) of the inpaint editor's mask tint (issue 19: "hidden while
// a candidate is previewed and after Apply"): a masked pixel of #canvas is tinted while the mask is painted, shows the
// candidate's own colour while a result is previewed (the tint would turn an applied yellow orange), stays untinted
// once the applied image arrives, and is tinted again when the mask is painted. Read back from the canvas's pixels.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEFAULT_INPAINT_SETTINGS } from '../../../src/common/protocol/inpaintEditorProtocol';
import { openWebviewPage, postedMessages, sendToWebview } from '../webviewPage';
import type { WebviewPageScenario } from '../webviewPageSuite';
import { paintStroke } from './localDiffusionUi';
import { extensionPageHtml, solidPng, waitForPosted } from './webviewPages';

const SIZE = { width: 96, height: 64 };
/** The mask the host sends: a block fully masked, the rest not. */
const BLOCK = { x: 20, y: 10, width: 30, height: 30 };
const IMAGE_RGB: [number, number, number] = [0, 0, 0];
/** The candidate (and then applied image): yellow, the colour the issue saw turn orange under the tint. */
const CANDIDATE_RGB: [number, number, number] = [230, 220, 0];

type Rgb = [number, number, number];

/** The RGB of image pixel (x, y) on #canvas at 100 % (actualSize: the image centred in the canvas). */
async function pixelAt(page: Page, x: number, y: number): Promise<Rgb> {
  const canvas = page.locator('#canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('#canvas has no layout');
  const cx = Math.round((box.width - SIZE.width) / 2) + x;
  const cy = Math.round((box.height - SIZE.height) / 2) + y;
  return canvas.evaluate(
    (element, p) => {
      const c = element as unknown as { width: number; clientWidth: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      const dpr = c.width / c.clientWidth;
      const d = c.getContext('2d').getImageData(Math.floor(p.cx * dpr), Math.floor(p.cy * dpr), 1, 1).data;
      return [d[0]!, d[1]!, d[2]!] as [number, number, number];
    },
    { cx, cy },
  );
}

function distance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/** Waits until image pixel (x, y) is `rgb` (tinted: false) or clearly not (tinted: true); the canvas draws on the next frame. */
async function expectPixel(page: Page, at: [number, number], rgb: Rgb, tinted: boolean, what: string): Promise<Rgb> {
  const deadline = Date.now() + 5_000;
  let shown: Rgb = [0, 0, 0];
  for (;;) {
    shown = await pixelAt(page, at[0], at[1]);
    const d = distance(shown, rgb);
    if (tinted ? d > 40 : d <= 2) return shown;
    if (Date.now() > deadline) break;
    await page.waitForTimeout(100);
  }
  throw new Error(`${what}: pixel (${at.join(',')}) shows rgb(${shown.join(',')}), expected ${tinted ? 'a tint over' : 'exactly'} rgb(${rgb.join(',')})`);
}

export function inpaintMaskTintScenario(repoRoot: string): WebviewPageScenario {
  return {
    name: 'inpaint-mask-tint-hidden-on-preview-and-apply',
    async run({ page, screenshot }) {
      await openWebviewPage(page, { html: extensionPageHtml('inpaint', 'Inpaint'), root: repoRoot });
      await waitForPosted(page, (m) => m.type === 'ready', 'ready');
      const { width, height } = SIZE;
      await sendToWebview(page, {
        type: 'init',
        document: { fileName: 'black.png', format: 'png', width, height, readonly: false, lossy: false, warnings: [] },
        settings: { ...DEFAULT_INPAINT_SETTINGS },
      });
      await sendToWebview(page, { type: 'image', revision: 1, bytes: await solidPng(width, height, IMAGE_RGB), mimeType: 'image/png', width, height });
      const data = new Uint8Array(width * height);
      for (let y = BLOCK.y; y < BLOCK.y + BLOCK.height; y++) data.fill(255, y * width + BLOCK.x, y * width + BLOCK.x + BLOCK.width);
      await sendToWebview(page, { type: 'mask', revision: 0, baseRevision: null, region: { x: 0, y: 0, width, height, data } });
      await page.locator('#statusLine').filter({ hasText: `${width}×${height}` }).waitFor({ timeout: 5_000 });
      await page.getByRole('button', { name: 'Actual size', exact: true }).click();
      await page.mouse.move(1, 1); // no brush outline on the canvas while it is read
      const inBlock: [number, number] = [BLOCK.x + 10, BLOCK.y + 10];
      const outside: [number, number] = [80, 55];

      // The mask is tinted over the image; outside it the image shows as it is.
      const tint = await expectPixel(page, inBlock, IMAGE_RGB, true, 'the painted mask');
      await expectPixel(page, outside, IMAGE_RGB, false, 'outside the mask');
      await screenshot('mask');

      // A job's one result: selected at once, shown in place of the image, with no tint over it.
      await sendToWebview(page, { type: 'jobStarted', jobId: 1, batchCount: 1, steps: 2 });
      await sendToWebview(page, { type: 'jobEnded', jobId: 1, outcome: 'done' });
      const candidatePng = await solidPng(width, height, CANDIDATE_RGB);
      await sendToWebview(page, { type: 'candidates', jobId: 1, width, height, candidates: [{ index: 0, png: candidatePng, seed: '7', parameters: 'a yellow square\nSeed: 7' }] });
      const candidate = page.locator('#candidates button.candidate').first();
      await candidate.waitFor({ state: 'visible', timeout: 5_000 });
      await page.locator('#statusLine').filter({ hasText: 'showing a result' }).waitFor({ timeout: 5_000 });
      await expectPixel(page, inBlock, CANDIDATE_RGB, false, 'a previewed candidate over the mask');
      await screenshot('previewing');

      // Clicked again: back to the image, and the mask tinted again (the mask still applies to the next run).
      await candidate.click();
      await page.mouse.move(1, 1);
      await page.locator('#statusLine').filter({ hasNotText: 'showing a result' }).waitFor({ timeout: 5_000 });
      await expectPixel(page, inBlock, IMAGE_RGB, true, 'back to the image before Apply');

      // Chosen and applied: the page asks the host, which sends the new document image and clears the results.
      await candidate.click();
      await expectPixel(page, inBlock, CANDIDATE_RGB, false, 'the candidate chosen again');
      await page.locator('#applyCandidate:not([disabled])').click();
      await page.mouse.move(1, 1);
      const applied = (await waitForPosted(page, (m) => m.type === 'applyCandidate', 'applyCandidate')).find((m) => m.type === 'applyCandidate');
      assert.deepEqual(applied, { type: 'applyCandidate', jobId: 1, index: 0 });
      await sendToWebview(page, { type: 'image', revision: 2, bytes: candidatePng, mimeType: 'image/png', width, height });
      await sendToWebview(page, { type: 'candidates', jobId: null, width, height, candidates: [] });
      await page.locator('#candidates.hidden').waitFor({ state: 'attached', timeout: 5_000 });
      await page.locator('#statusLine').filter({ hasNotText: 'showing a result' }).waitFor({ timeout: 5_000 });
      // The applied yellow, exactly (not orange); give a late frame the chance to tint it before the last look.
      await expectPixel(page, inBlock, CANDIDATE_RGB, false, 'the applied image');
      await page.waitForTimeout(300);
      await expectPixel(page, inBlock, CANDIDATE_RGB, false, 'the applied image, a moment later');
      await screenshot('applied');

      // Painting again: the mask (the old block and the new stroke) is tinted again.
      await paintStroke(page, page, { tool: 'Brush', size: 6, points: [[70, 20], [85, 20]] }, SIZE);
      await page.mouse.move(1, 1);
      const again = await expectPixel(page, inBlock, CANDIDATE_RGB, true, 'the mask after painting again');
      await expectPixel(page, [78, 20], CANDIDATE_RGB, true, 'the new stroke');
      await expectPixel(page, outside, CANDIDATE_RGB, false, 'outside the mask after painting again');
      await screenshot('painted-again');
      const errors = ((await postedMessages(page)) as { type: string }[]).filter((m) => m.type === 'error');
      assert.deepEqual(errors, [], 'the page reported no error');
      assert.ok(distance(tint, IMAGE_RGB) > 40 && distance(again, CANDIDATE_RGB) > 40, `tinted rgb(${tint.join(',')}) over black, rgb(${again.join(',')}) over yellow`);
    },
  };
}
