// UI scenario (ui suite, uiScenarios.ts) of the generation history: a Generate panel result nobody saved survives
// a window reload (the panel's serializer, its cards from the history) and the panel's closing; the Generation
// History view (Explorer) lists it with its thumbnail; Reuse Parameters fills the panel's form with its prompt, seed
// and steps.
import * as assert from 'node:assert/strict';
import { runPaletteCommand } from '../browser';
import type { UiScenario } from '../uiScenarioSuite';
import { generateInPanel, historyContextCommand, historyRow, webviewWith } from './localDiffusionUi';

export const historyViewScenario: UiScenario = {
  name: 'history-view',
  timeoutMs: 3 * 60_000,
  async run({ page, screenshot }) {
    const prompt = 'a yellow star in a blue sky';
    await runPaletteCommand(page, 'Local Diffusion: Generate Image', { timeoutMs: 60_000 });
    const run = await generateInPanel(page, { prompt, seed: 4321, steps: 3 });
    assert.equal(run.stage, 'Done');
    // Nothing saved. A window reload brings the panel back (its serializer) with the result card.
    await runPaletteCommand(page, 'Developer: Reload Window', { timeoutMs: 60_000 });
    const revived = await webviewWith(page, `figure.result[data-result-id="${run.resultId}"]`, 90_000);
    assert.equal(await revived.locator('#prompt').inputValue(), prompt, 'the form came back too');
    await screenshot('reloaded');
    // Closed: the Generation History view still has it.
    await runPaletteCommand(page, 'View: Close All Editors', { timeoutMs: 60_000 });
    const row = await historyRow(page, prompt, 60_000);
    assert.match((await row.textContent()) ?? '', /seed 4321/);
    const icon = await row.locator('.custom-view-tree-node-item-icon').first().getAttribute('style');
    assert.match(icon ?? '', /thumb\.png/, 'the row shows the stored thumbnail');
    await screenshot('view');
    await historyContextCommand(page, row, 'Reuse Parameters');
    const frame = await webviewWith(page, 'canvas.preview-canvas', 60_000);
    await frame.locator('.form-message').filter({ hasText: /Parameters from the history/ }).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('#prompt').inputValue(), prompt);
    assert.deepEqual([await frame.locator('#seed-mode').inputValue(), await frame.locator('#seed').inputValue(), await frame.locator('#steps').inputValue()], ['fixed', '4321', '3']);
    await screenshot('final');
  },
};
