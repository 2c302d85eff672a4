// Suite (2): what a user does, with Playwright in code-server's workbench (no test code in the extension host):
//   generate-image  palette → "Local Diffusion: Generate Image" → prompt → live previews → Save → the file in the
//                   Explorer and on disk (PNG with the parameters chunk);
//   history-view    (historyUiScenario.ts) an unsaved result survives a window reload and the panel's closing;
//                   the Generation History view lists it; Reuse Parameters fills the panel;
//   generate-walk-themes  (generateWalkScenario.ts) the Generate panel at 500 and 1400 px in Light and Dark Modern:
//                   the prompt focused on open, nothing overflows, the form's buttons inside it;
//   generate-here-walk-themes  (generateHereWalkScenario.ts) Generate Image Here on a folder at 500 and 1400 px in
//                   Light and Dark Modern: its five questions and the preview inside the window, the preview naming
//                   the files, the files in the Explorer after Write;
//   model-pick-walk-themes  (modelPickWalkScenario.ts) Select Model and Download Model at both widths and themes:
//                   readable entries, the built-in model chosen, Download offline failing fast and plainly;
//   inpaint-image   right-click a PNG in the Explorer → "Inpaint Image" → a brush stroke on #canvas → Generate two
//                   candidates → choose the second → Apply → File: Save → every pixel outside the stroke's mask is
//                   unchanged on disk, and the file is the chosen candidate;
//   image-assets    a local-diffusion.json in the workspace → the Image Assets view lists its entries missing →
//                   Build Stale → fresh, with the images as thumbnails → an edit on disk makes one stale → its
//                   CodeLens Build rebuilds it (the spec's own lens counts what is stale).
// Screenshots of each final state go to out/e2e-artifacts/ (ui-<scenario>-final.png).
//
// The preview check needs a model whose previews change while it denoises: the built-in sample model
// (models/tiny-shapes, a trained diffusion model) does; LOCAL_DIFFUSION_E2E_MODEL (a model folder) replaces it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { parseA1111Parameters } from '../../../src/common/metadata/a1111Parameters';
import { readPngTextChunks } from '../../../src/node/image/pngTextChunks';
import { writeAnalyticModel } from '../../../tools/analytic/analyticModel';
import { runPaletteCommand } from '../browser';
import type { E2eSuite } from '../e2eSuite';
import { uiScenarioSuite } from '../uiScenarioSuite';
import { EXTENSION_TEST_SETTINGS } from './extensionHostTests';
import { generateHereWalkScenario } from './generateHereWalkScenario';
import { generateWalkScenario } from './generateWalkScenario';
import { historyViewScenario } from './historyUiScenario';
import { modelPickWalkScenario } from './modelPickWalkScenario';
import {
  explorerContextCommand,
  generateInPanel,
  inpaintAndApply,
  paintStroke,
  previewChanges,
  saveResult,
  waitForExplorerItem,
  waitForInpaintEditor,
  webviewWith,
} from './localDiffusionUi';

/** Side of the inpaint scenario's image (written before the workspace opens). */
const INPAINT_SIZE = 256;

/** Steps whose preview must differ visibly from the one before. */
const MIN_PREVIEW_CHANGES = 3;

/** The model for the Generate Image scenario: an explicit folder, else '' (the built-in trained sample model). */
export function previewModel(): { setting: string; label: string } {
  const explicit = process.env.LOCAL_DIFFUSION_E2E_MODEL;
  if (explicit) return { setting: path.resolve(explicit), label: explicit };
  return { setting: '', label: 'the built-in sample model (tiny-shapes)' };
}

/** A 256×256 PNG with a gradient and a checker pattern (no model makes this). */
async function patternPng(size: number): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      data[i] = Math.round((x * 255) / (size - 1));
      data[i + 1] = Math.round((y * 255) / (size - 1));
      data[i + 2] = ((x >> 3) + (y >> 3)) % 2 === 0 ? 168 : 128;
    }
  }
  return sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

async function rgba(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes).ensureAlpha().raw().toBuffer();
}

export function uiScenariosSuite(repoRoot: string): E2eSuite {
  const model = previewModel();
  return uiScenarioSuite({
    name: 'ui',
    extensionDevelopmentPath: repoRoot,
    settings: { ...EXTENSION_TEST_SETTINGS, 'localDiffusion.model': model.setting },
    scenarios: [
      {
        name: 'generate-image',
        timeoutMs: 3 * 60_000,
        async run({ page, workspace, screenshot, log }) {
          const prompt = 'a red circle on the left';
          const steps = 8;
          await runPaletteCommand(page, 'Local Diffusion: Generate Image', { timeoutMs: 60_000 });
          const run = await generateInPanel(page, { prompt, seed: 1234, steps });
          assert.equal(run.stage, 'Done');
          assert.deepEqual(
            run.previews.map((p) => p.step),
            Array.from({ length: steps }, (_, i) => `step ${i + 1}/${steps}`),
            'a preview at every step',
          );
          const changes = previewChanges(run.previews);
          log(`previews (${model.label}): mean change per step ${run.previews.map((p) => p.meanAbsDiff.toFixed(2)).join(', ')}`);
          assert.ok(changes >= MIN_PREVIEW_CHANGES, `the preview changed at ${changes} step(s), expected at least ${MIN_PREVIEW_CHANGES}`);
          // The token counter, counted by the engine with the model's own tokenizer (A1111's used/limit).
          const counter = (await webviewWith(page, 'canvas.preview-canvas')).locator('#prompt-token-count');
          await counter.filter({ hasText: /^[1-9]\d*\/75$/ }).waitFor({ timeout: 15_000 });
          log(`token counter for "${prompt}": ${await counter.textContent()}`);

          const savedPath = await saveResult(page, run.resultId);
          const name = path.posix.basename(savedPath);
          assert.match(savedPath, /^generated\/a-red-circle-on-the-left-1234(-\d+)?\.png$/);
          // The new folder shows in the Explorer; open it and find the file.
          await waitForExplorerItem(page, 'generated');
          await page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.getByText('generated', { exact: true }) }).click();
          await waitForExplorerItem(page, name);

          const png = fs.readFileSync(path.join(workspace, savedPath));
          const parameters = readPngTextChunks(png).find((c) => c.keyword === 'parameters');
          assert.ok(parameters, 'the saved PNG carries the parameters chunk');
          const parsed = parseA1111Parameters(parameters.text);
          assert.deepEqual([parsed.prompt, parsed.seed, parsed.steps], [prompt, 1234, steps]);
          await screenshot('final');
        },
      },
      historyViewScenario,
      generateWalkScenario,
      generateHereWalkScenario,
      modelPickWalkScenario,
      {
        name: 'inpaint-image',
        timeoutMs: 3 * 60_000,
        async prepare(workspace) {
          fs.writeFileSync(path.join(workspace, 'photo.png'), await patternPng(INPAINT_SIZE));
        },
        async run({ page, workspace, screenshot }) {
          const size = INPAINT_SIZE;
          const file = path.join(workspace, 'photo.png');
          const original = fs.readFileSync(file);
          await waitForExplorerItem(page, 'photo.png');
          await explorerContextCommand(page, 'photo.png', 'Inpaint Image', 60_000);
          const frame = await waitForInpaintEditor(page, size, size);

          // A diagonal stroke, brush 20 px; the engine feathers the mask by its default blur (sigma 4).
          const stroke = { tool: 'Brush' as const, size: 20, points: [[70, 80], [130, 120], [180, 150]] as [number, number][] };
          await paintStroke(page, frame, stroke, { width: size, height: size });
          // Two candidates (seeds 99 and 100); the second is chosen.
          const chosen = await inpaintAndApply(frame, { prompt: 'a blue square', steps: 6, seed: 99, batchCount: 2, choose: 1 });
          assert.equal(chosen.candidate, 'Result 2, seed 100');
          await runPaletteCommand(page, 'File: Save');

          const saved = await newPng(page, file, original);
          const [before, after] = await Promise.all([rgba(original), rgba(saved)]);
          // Within reach of the mask: the brush radius plus the blur kernel's half-width (int(2.5·4 + 0.5) = 10) + 1.
          const reach = stroke.size / 2 + 10 + 1;
          let inside = 0;
          const outside: string[] = [];
          for (let y = 0; y < size; y++) {
            for (let x = 0; x < size; x++) {
              const o = (y * size + x) * 4;
              if (before.readUInt32BE(o) === after.readUInt32BE(o)) continue;
              if (distanceToPolyline(x + 0.5, y + 0.5, stroke.points) <= reach) inside++;
              else outside.push(`${x},${y}`);
            }
          }
          assert.ok(inside > 100, `the inpaint changed the masked area (${inside} pixels)`);
          assert.deepEqual(outside.slice(0, 10), [], `${outside.length} pixel(s) changed outside the stroke's mask`);
          const parameters = readPngTextChunks(saved).find((c) => c.keyword === 'parameters');
          assert.ok(parameters, 'the saved PNG carries the parameters chunk');
          assert.equal(parseA1111Parameters(parameters.text).seed, 100, 'the chosen candidate was applied');
          await screenshot('final');
        },
      },
      {
        name: 'inpaint-walk-themes',
        timeoutMs: 3 * 60_000,
        async prepare(workspace) {
          fs.writeFileSync(path.join(workspace, 'walk.png'), await patternPng(INPAINT_SIZE));
        },
        async run({ page, screenshot }) {
          await waitForExplorerItem(page, 'walk.png');
          await explorerContextCommand(page, 'walk.png', 'Inpaint Image', 60_000);
          const frame = await waitForInpaintEditor(page, INPAINT_SIZE, INPAINT_SIZE);
          await paintStroke(page, frame, { tool: 'Brush', size: 20, points: [[60, 60], [160, 120]] }, { width: INPAINT_SIZE, height: INPAINT_SIZE });
          for (const theme of [{ name: 'Light Modern', css: '.monaco-workbench.vs' }, { name: 'Dark Modern', css: '.monaco-workbench.vs-dark' }]) {
            // The command opens a picker of its own (runPaletteCommand waits for the palette to close).
            const input = page.locator('.quick-input-widget .quick-input-box input.input');
            await page.keyboard.press('F1');
            await input.fill('>Preferences: Color Theme');
            await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Preferences: Color Theme' }).first().click();
            await page.locator('.quick-input-widget input[aria-label^="Select Color Theme"]').waitFor({ timeout: 10_000 });
            await input.fill(theme.name);
            await input.press('Enter');
            await page.locator(theme.css).waitFor({ timeout: 10_000 });
            for (const width of [500, 1400]) {
              await page.setViewportSize({ width, height: 900 });
              await page.waitForTimeout(500); // the editor re-lays out and fits the image
              // Nothing clipped: the Generate button is inside the window.
              const box = await frame.locator('#generate, button:has-text("Generate")').first().boundingBox();
              assert.ok(box && box.x >= 0 && box.x + box.width <= width + 1, `Generate is visible at ${width} px (${JSON.stringify(box)})`);
              await screenshot(`${theme.name.replace(/\s+/g, '-').toLowerCase()}-${width}`);
            }
          }
        },
      },
      {
        // Images as code: the Image Assets view (status, thumbnails, Build Stale) and the CodeLens of a spec.
        name: 'image-assets',
        timeoutMs: 3 * 60_000,
        async prepare(workspace) {
          await writeAnalyticModel(path.join(workspace, 'models', 'analytic'), {});
          fs.writeFileSync(path.join(workspace, 'local-diffusion.json'), assetSpecText('a red circle'));
        },
        async run({ page, workspace, screenshot, log }) {
          const view = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: 'Image Assets' }) });
          const row = (output: string, status: string) => view.locator('.monaco-list-row').filter({ hasText: output }).filter({ hasText: status });
          await runPaletteCommand(page, 'Explorer: Focus on Image Assets View', { timeoutMs: 60_000 });
          await row('media/a.png', 'missing').waitFor({ timeout: 60_000 });
          await row('media/b.webp', 'missing').waitFor({ timeout: 10_000 });
          await view.locator('.monaco-list-row').filter({ hasText: 'local-diffusion.json' }).filter({ hasText: '2 missing' }).waitFor({ timeout: 10_000 });

          await runPaletteCommand(page, 'Local Diffusion: Build Stale Image Assets');
          await row('media/a.png', 'fresh').waitFor({ timeout: 90_000 });
          await row('media/b.webp', 'fresh').waitFor({ timeout: 30_000 });
          assert.ok(fs.existsSync(path.join(workspace, 'media', 'a.png')) && fs.existsSync(path.join(workspace, 'media', 'b.webp')));
          // The entry's icon is the image itself.
          const icon = await row('media/a.png', 'fresh').locator('.custom-view-tree-node-item-icon').evaluate((el) => (el as unknown as { style: { backgroundImage: string } }).style.backgroundImage);
          assert.match(icon, /a\.png/, `the thumbnail of media/a.png (${icon})`);
          await screenshot('built');

          // Editing an entry on disk makes it stale (and only it).
          fs.writeFileSync(path.join(workspace, 'local-diffusion.json'), assetSpecText('a blue circle'));
          await row('media/a.png', 'stale').waitFor({ timeout: 30_000 });
          await row('media/b.webp', 'fresh').waitFor({ timeout: 5_000 });

          // The spec's CodeLens: status, Build and Open on each entry; Build rebuilds that entry.
          await page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.getByText('local-diffusion.json', { exact: true }) }).click();
          const lenses = page.locator('.monaco-editor .codelens-decoration');
          await lenses.filter({ hasText: /stale/ }).first().waitFor({ timeout: 30_000 });
          // Playwright's string filters ignore case: the regexes tell the entry's "stale" from "Build Stale".
          await lenses.filter({ hasText: /Build Stale \(1\)/ }).waitFor({ timeout: 10_000 });
          const texts = await lenses.allTextContents();
          log(`CodeLens: ${texts.map((t) => t.replace(/\s+/g, ' ').trim()).join(' | ')}`);
          assert.equal(texts.filter((t) => /Build/.test(t) && /Open/.test(t)).length, 2, 'Build and Open on each of the two entries');
          // The CodeLens runs its command on the editor's mouse down over the link (vs/editor/contrib/codelens
          // codelensController.ts), so press on the link itself.
          // The lenses are drawn again whenever the workspace's assets change: read the link's box once it stays.
          const link = lenses.filter({ hasText: /stale/ }).first().locator('a', { hasText: 'Build' });
          let box: { x: number; y: number; width: number; height: number } | null = null;
          for (let attempt = 0; attempt < 20 && !box; attempt++) {
            await link.waitFor({ state: 'visible', timeout: 10_000 });
            box = await link.boundingBox();
            if (!box) await page.waitForTimeout(250);
          }
          assert.ok(box, 'the Build lens is on screen');
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
          await page.mouse.down();
          await page.mouse.up();
          await row('media/a.png', 'fresh').waitFor({ timeout: 90_000 });
          await lenses.filter({ hasText: /stale/ }).waitFor({ state: 'detached', timeout: 30_000 });
          await lenses.filter({ hasText: /Build Stale \(0\)/ }).waitFor({ timeout: 10_000 });
          await screenshot('final');
        },
      },
    ],
  });
}

/** The image-assets scenario's spec: two entries on the analytic model; the first one's prompt varies. */
function assetSpecText(firstPrompt: string): string {
  const spec = {
    defaults: { model: './models/analytic', steps: 2, width: 64, height: 64 },
    images: [
      { output: 'media/a.png', prompt: firstPrompt, seed: 1 },
      { output: 'media/b.webp', prompt: 'a green square', seed: 2 },
    ],
  };
  return `${JSON.stringify(spec, null, 2)}\n`;
}

const IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

function endsWithIend(png: Buffer): boolean {
  return png.length > IEND.length && png.subarray(png.length - IEND.length).equals(IEND);
}

/** The file once it holds a complete PNG other than `before` (the editor writes in place: wait for IEND). */
async function newPng(page: Page, file: string, before: Buffer, timeoutMs = 30_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  let bytes = fs.readFileSync(file);
  while ((bytes.equals(before) || !endsWithIend(bytes)) && Date.now() < deadline) {
    await page.waitForTimeout(200);
    bytes = fs.readFileSync(file);
  }
  assert.ok(!bytes.equals(before), `File: Save wrote a new image to ${path.basename(file)}`);
  assert.ok(endsWithIend(bytes), 'a complete PNG');
  return bytes;
}

function distanceToPolyline(px: number, py: number, points: readonly (readonly [number, number])[]): number {
  let best = Infinity;
  for (let i = 0; i + 1 < points.length; i++) {
    const [ax, ay] = points[i]!;
    const [bx, by] = points[i + 1]!;
    const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    best = Math.min(best, Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay))));
  }
  return best;
}
