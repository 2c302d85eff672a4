// UI scenario (ui suite, uiScenarios.ts): "Generate Image Here" walked at 500 and 1400 px in Light and Dark Modern
// (issue 19's walk): right-click a folder in the Explorer, its five questions (prompt, sizes, format, file name,
// seed), the preview (an editor tab with the image, a quick pick naming the files), Write; each quick input inside
// the window with its title whole, nothing raw in its rows, and the files in the Explorer and on disk afterwards.
// Screenshots of every step in out/e2e-artifacts/ (ui-generate-here-walk-themes-<theme>-<width>-<step>.png).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPaletteCommand } from '../browser';
import type { UiScenario } from '../uiScenarioSuite';
import { answerQuickInput, explorerContextCommand, waitForExplorerItem, webviewWith, type QuickInputAnswer } from './localDiffusionUi';
import { RAW_TEXT, WALK_HEIGHT, chooseWalkTheme, WALK_THEMES, WALK_WIDTHS, clearNotifications, expectQuickInputInside, setWalkWidth, truncatedTexts, expectToastWhole } from './walkChecks';

const FOLDER = 'assets';
const TITLE = 'Generate Image Here';
/** Two sizes of one aspect ratio: one generation, two files, both named in the preview. */
const SIZES = ['Icon 32×32', 'Icon 64×64'];

export const generateHereWalkScenario: UiScenario = {
  name: 'generate-here-walk-themes',
  timeoutMs: 6 * 60_000,
  async prepare(workspace) {
    fs.mkdirSync(path.join(workspace, FOLDER));
  },
  async run({ page, workspace, screenshot, log }) {
    await waitForExplorerItem(page, FOLDER);
    for (const theme of WALK_THEMES) {
      await chooseWalkTheme(page, theme);
      await runPaletteCommand(page, 'View: Show Explorer');
      for (const width of WALK_WIDTHS) {
        await setWalkWidth(page, width);
        const where = `${theme.name} at ${width} px`;
        const shot = (step: string) => screenshot(`${theme.slug}-${width}-${step}`);
        // A name as a user gives one (short): the preview's line naming both files must fit at 500 px.
        const name = `${theme.slug.split('-')[0]}-${width}`;
        await explorerContextCommand(page, FOLDER, `${TITLE}…`, 60_000);
        const questions: [string, string, QuickInputAnswer][] = [
          ['1-prompt', `${TITLE} (1/5)`, { title: `${TITLE} (1/5)`, value: 'a red circle' }],
          ['2-sizes', `${TITLE} (2/5)`, { title: `${TITLE} (2/5)`, pickMany: SIZES }],
          ['3-format', `${TITLE} (3/5)`, { title: `${TITLE} (3/5)`, pick: 'PNG' }],
          ['3b-background', `${TITLE}: Background`, { title: `${TITLE}: Background`, pick: 'Keep the Background' }],
          ['4-file-name', `${TITLE} (4/5)`, { title: `${TITLE} (4/5)`, value: name }],
          ['5-seed', `${TITLE} (5/5)`, { title: `${TITLE} (5/5)`, value: '5' }],
        ];
        for (const [step, title, answer] of questions) {
          const rows = await expectQuickInputInside(page, title, `${where}, ${step}`);
          for (const row of rows) assert.doesNotMatch(row.text, RAW_TEXT, `${where}, ${step}: a raw row`);
          if (step === '2-sizes') for (const size of SIZES) assert.ok(rows.some((r) => r.label === size), `${where}: the sizes offer ${size} (${rows.map((r) => r.label).join(' | ')})`);
          if (step === '3-format') assert.ok(rows.every((r) => r.text.length > r.label.length), `${where}: every format says what it is for`);
          await page.mouse.move(width - 20, WALK_HEIGHT - 120); // no hover over the rows in the screenshot
          await shot(step);
          await answerQuickInput(page, answer);
        }

        // The preview: the image in an editor tab (from a temporary folder) and the question naming the files.
        const previewTitle = `${TITLE}: Preview`;
        const rows = await expectQuickInputInside(page, previewTitle, `${where}, preview`);
        const files = SIZES.map((s) => `${name}-${s.replace(/^Icon /, '').replace('×', 'x')}.png`);
        const write = rows.find((r) => r.label === 'Write 2 Files');
        assert.ok(write, `${where}: the preview offers Write 2 Files (${rows.map((r) => r.text).join(' | ')})`);
        for (const file of files) assert.ok(write.text.includes(file), `${where}: the preview names ${file} (${write.text})`);
        for (const row of rows) assert.doesNotMatch(row.text, RAW_TEXT, `${where}, preview: a raw row`);
        const writeRow = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'Write 2 Files' });
        assert.deepEqual(await truncatedTexts(writeRow), [], `${where}: the preview's file names are cut off`);
        const tab = page.locator('.tabs-container .tab').filter({ hasText: `${name}-64x64.png` });
        await tab.waitFor({ state: 'visible', timeout: 10_000 });
        const tabBox = await tab.boundingBox();
        assert.ok(tabBox && tabBox.x >= 0 && tabBox.x + tabBox.width <= width + 0.5, `${where}: the preview tab is inside the window (${JSON.stringify(tabBox)})`);
        assert.deepEqual(fs.readdirSync(path.join(workspace, FOLDER)).filter((f) => f.startsWith(name)), [], `${where}: nothing written before Write`);
        // The image itself in the preview editor (VS Code's image preview, a webview).
        const preview = await webviewWith(page, 'img', 15_000);
        await preview.locator('img').first().evaluate((img) => {
          const image = img as unknown as { complete: boolean; naturalWidth: number; decode(): Promise<void> };
          return image.complete && image.naturalWidth > 0 ? undefined : image.decode();
        });
        await page.mouse.move(width - 20, WALK_HEIGHT - 120);
        await shot('6-preview');
        await answerQuickInput(page, { title: previewTitle, pick: 'Write 2 Files' }, 120_000);

        // Written: both files in the Explorer (revealed) and on disk; the preview tab gone; the toast names them.
        for (const file of files) await waitForExplorerItem(page, file, 30_000);
        await tab.waitFor({ state: 'detached', timeout: 10_000 });
        const toast = await expectToastWhole(page, /Wrote 2 files/, `${where}, written`);
        for (const file of files) assert.ok(fs.existsSync(path.join(workspace, FOLDER, file)), `${where}: ${file} on disk`);
        log(`${where}: ${toast}`);
        await shot('7-written');
        await clearNotifications(page);
      }
    }
  },
};
