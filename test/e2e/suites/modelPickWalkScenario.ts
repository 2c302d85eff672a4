// UI scenario (ui suite, uiScenarios.ts): Select Model and Download Model walked at 500 and 1400 px in Light and Dark
// Modern (issue 19's walk): each quick pick inside the window, the built-in model and the catalog's entries listed
// with descriptions a user can read (no notes outside the repository, no bare ids, no "undefined"); the built-in model
// chosen; Download with no network (the e2e machine has none) fails fast (well under the 28 s the issue saw) with a
// plain message (no ENOTFOUND, no stack) and downloads nothing. Screenshots of every step in out/e2e-artifacts/
// (ui-model-pick-walk-themes-<theme>-<width>-<step>.png).
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { UiScenario } from '../uiScenarioSuite';
import { answerQuickInput } from './localDiffusionUi';
import { RAW_TEXT, WALK_HEIGHT, chooseWalkTheme, WALK_THEMES, WALK_WIDTHS, clearNotifications, expectQuickInputInside, runPaletteCommandToQuickInput, setWalkWidth, expectToastWhole, type QuickInputRow } from './walkChecks';

const SELECT_TITLE = 'Local Diffusion: Select Model';
const DOWNLOAD_TITLE = 'Local Diffusion: Download Model';
const BUILT_IN = 'Built-in sample model';
/** The catalog entry Download is asked for (models/catalog.json); nothing is downloaded: there is no network. */
const CATALOG_MODEL = 'SD-Turbo';
/** Issue 19: "Offline, Download spins 28 s … before its good message: fail fast when the host cannot be resolved." */
const FAIL_FAST_MS = 10_000;

/** An id-like bare word ("sd-turbo"), the only text a raw entry would show. */
const BARE_ID = /^[a-z0-9][a-z0-9._-]*$/;

function expectReadableRows(rows: readonly QuickInputRow[], where: string): void {
  for (const row of rows) {
    assert.doesNotMatch(row.text, RAW_TEXT, `${where}: a raw row: ${row.text}`);
    assert.doesNotMatch(row.text, /non-commercial.*non-commercial/i, `${where}: said twice: ${row.text}`);
    if (row.label === '') continue; // a separator
    assert.doesNotMatch(row.label, BARE_ID, `${where}: a bare id as the label: ${row.text}`);
    assert.ok(row.text.length > row.label.length + 3, `${where}: "${row.label}" says nothing more (${row.text})`);
  }
}

async function openPicker(page: Page, command: string, title: string): Promise<void> {
  await runPaletteCommandToQuickInput(page, command, title);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 10_000 });
}

export const modelPickWalkScenario: UiScenario = {
  name: 'model-pick-walk-themes',
  timeoutMs: 5 * 60_000,
  async run({ page, screenshot, log }) {
    for (const theme of WALK_THEMES) {
      await chooseWalkTheme(page, theme);
      for (const width of WALK_WIDTHS) {
        await setWalkWidth(page, width);
        const where = `${theme.name} at ${width} px`;
        const shot = (step: string) => screenshot(`${theme.slug}-${width}-${step}`);

        // Select Model: the built-in model first, the catalog's diffusion models to download, the actions.
        await openPicker(page, 'Local Diffusion: Select Model…', SELECT_TITLE);
        const selectRows = await expectQuickInputInside(page, SELECT_TITLE, `${where}, Select Model`);
        expectReadableRows(selectRows, `${where}, Select Model`);
        assert.equal(selectRows[0]?.label, BUILT_IN, `${where}: the built-in model comes first (${selectRows.map((r) => r.label).join(' | ')})`);
        assert.ok(selectRows.some((r) => r.label === CATALOG_MODEL), `${where}: Select Model offers ${CATALOG_MODEL} (${selectRows.map((r) => r.label).join(' | ')})`);
        await page.mouse.move(width - 20, WALK_HEIGHT - 120);
        await shot('1-select-model');
        await answerQuickInput(page, { title: SELECT_TITLE, pickFirst: BUILT_IN });
        await page.mouse.move(width - 20, 200); // a toast under the pointer expands: see it as it first shows
        await expectToastWhole(page, /Now using the built-in sample model/, `${where}, Select Model`);
        await shot('2-built-in-chosen');
        await clearNotifications(page);

        // Download Model: every catalog entry with its licence and what it is; one asked for with no network.
        await openPicker(page, 'Local Diffusion: Download Model…', DOWNLOAD_TITLE);
        const downloadRows = await expectQuickInputInside(page, DOWNLOAD_TITLE, `${where}, Download Model`);
        expectReadableRows(downloadRows, `${where}, Download Model`);
        assert.ok(downloadRows.some((r) => r.label === CATALOG_MODEL), `${where}: Download Model offers ${CATALOG_MODEL}`);
        await page.mouse.move(width - 20, WALK_HEIGHT - 120);
        await shot('3-download-model');
        const asked = Date.now();
        await answerQuickInput(page, { title: DOWNLOAD_TITLE, pickFirst: CATALOG_MODEL });
        const failure = page.locator('.notifications-toasts .notification-toast').filter({ has: page.locator('.codicon-error') }).first();
        await failure.waitFor({ state: 'visible', timeout: FAIL_FAST_MS });
        const tookMs = Date.now() - asked;
        const message = await expectToastWhole(page, /huggingface/, `${where}, Download offline`);
        log(`${where}: Download offline failed after ${tookMs} ms: ${message}`);
        assert.ok(message.length > 0, `${where}: the failure says something`);
        assert.doesNotMatch(message, RAW_TEXT, `${where}: the offline failure is plain`);
        assert.match(message, /huggingface\.co/, `${where}: the failure names the host it could not reach`);
        // The look-up's progress is gone, and no download started.
        await page.locator('.notifications-toasts .notification-toast').filter({ hasText: /Looking up/ }).waitFor({ state: 'detached', timeout: 5_000 });
        assert.equal(await page.locator('.notifications-toasts .notification-toast').filter({ hasText: /^Downloading/ }).count(), 0, `${where}: nothing downloads`);
        await shot('4-download-offline');
        await clearNotifications(page);
      }
    }
  },
};
