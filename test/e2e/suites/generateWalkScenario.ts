// UI scenario (ui suite, uiScenarios.ts): the Generate panel in the real workbench at half and full width, in
// VS Code's Light Modern and Dark Modern themes: the prompt has the focus when the panel opens, nothing overflows
// the panel sideways, Generate, Choose… and Clear are inside it; screenshots of the four states.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runPaletteCommand } from '../browser';
import type { UiScenario } from '../uiScenarioSuite';
import { webviewWith } from './localDiffusionUi';

async function chooseTheme(page: Page, name: string, css: string): Promise<void> {
  // The command opens a picker of its own (runPaletteCommand waits for the palette to close).
  const input = page.locator('.quick-input-widget .quick-input-box input.input');
  await page.keyboard.press('F1');
  await input.fill('>Preferences: Color Theme');
  await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Preferences: Color Theme' }).first().click();
  await page.locator('.quick-input-widget input[aria-label^="Select Color Theme"]').waitFor({ timeout: 10_000 });
  await input.fill(name);
  await input.press('Enter');
  await page.locator(css).waitFor({ timeout: 10_000 });
}

export const generateWalkScenario: UiScenario = {
  name: 'generate-walk-themes',
  timeoutMs: 3 * 60_000,
  async run({ page, screenshot }) {
    await runPaletteCommand(page, 'Local Diffusion: Generate Image', { timeoutMs: 60_000 });
    const frame = await webviewWith(page, 'canvas.preview-canvas', 60_000);
    await frame.locator('#prompt').waitFor({ state: 'visible', timeout: 30_000 });
    // Typing at once lands in the prompt (the page focuses it; the webview has the focus once it is shown).
    await frame.locator('#prompt:focus').waitFor({ timeout: 15_000 });
    await page.keyboard.type('a red circle');
    assert.equal(await frame.locator('#prompt').inputValue(), 'a red circle');
    for (const theme of [{ name: 'Light Modern', css: '.monaco-workbench.vs' }, { name: 'Dark Modern', css: '.monaco-workbench.vs-dark' }]) {
      await chooseTheme(page, theme.name, theme.css);
      for (const width of [500, 1400]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(500); // the workbench lays out again
        const content = await webviewWith(page, 'canvas.preview-canvas');
        const overflow = await content.locator('body').evaluate((body) => {
          const root = (body as unknown as { ownerDocument: { documentElement: { scrollWidth: number; clientWidth: number } } }).ownerDocument.documentElement;
          return root.scrollWidth - root.clientWidth;
        });
        assert.ok(overflow <= 0, `${theme.name} at ${width} px: the panel overflows sideways by ${overflow} px`);
        const form = await content.locator('form.generate-form').boundingBox();
        for (const id of ['generate', 'choose-init', 'clear-init']) {
          const box = await content.locator(`#${id}`).boundingBox();
          assert.ok(form && box && box.x >= form.x - 0.5 && box.x + box.width <= form.x + form.width + 0.5, `${theme.name} at ${width} px: #${id} is inside the form (${JSON.stringify(box)})`);
        }
        await screenshot(`${theme.name.replace(/\s+/g, '-').toLowerCase()}-${width}`);
      }
    }
  },
};
