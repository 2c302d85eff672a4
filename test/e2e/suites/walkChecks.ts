// What the UI walks (ui suite) share: the two colour themes and two window widths of issue 19's walk, the palette
// command that opens a quick input of its own, and the checks that a quick input is inside the window, its title and
// placeholder are whole and its rows say nothing raw.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { focusWorkbench } from '../browser';

export const WALK_THEMES = [
  { name: 'Light Modern', css: '.monaco-workbench.vs', slug: 'light-modern' },
  { name: 'Dark Modern', css: '.monaco-workbench.vs-dark', slug: 'dark-modern' },
] as const;

/** Half-width and wide windows (as the Generate panel and inpaint editor walks). */
export const WALK_WIDTHS = [500, 1400] as const;
export const WALK_HEIGHT = 900;

export type WalkTheme = (typeof WALK_THEMES)[number];

/** Text a user must never meet in a picker: notes outside the repository, unfilled values, raw Node errors. */
export const RAW_TEXT = /facts\.md|round2\.md|§|\bundefined\b|\bnull\b|\[object |ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo|\bat \S+ \([^)]*:\d+:\d+\)|\.[jt]s:\d+/;

/**
 * Switches the colour theme with Preferences: Color Theme, clicking the theme's own row: Enter on a list not yet
 * filtered can take "Browse Additional Color Themes…" instead (the Extensions view then replaces the Explorer).
 */
export async function chooseWalkTheme(page: Page, theme: WalkTheme): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input.input');
  await focusWorkbench(page);
  await page.keyboard.press('F1');
  await input.fill('>Preferences: Color Theme');
  await widget.locator('.monaco-list-row').filter({ hasText: 'Preferences: Color Theme' }).first().click();
  await widget.locator('input[aria-label^="Select Color Theme"]').waitFor({ timeout: 10_000 });
  await input.fill(theme.name);
  await widget.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${theme.name}\\s*$`) }) }).first().click();
  await page.locator(theme.css).waitFor({ timeout: 10_000 });
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Sets the window size and lets the workbench lay out again. */
export async function setWalkWidth(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: WALK_HEIGHT });
  await page.waitForTimeout(500);
}

/**
 * Runs a palette command that opens a quick input of its own, and waits for that one (titled `title`).
 * runPaletteCommand waits for the palette to close, which it never does then. Retries: the palette lacks an
 * extension's commands until the extension host has registered them.
 */
export async function runPaletteCommandToQuickInput(page: Page, command: string, title: string, timeoutMs = 60_000): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input.input');
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: command }).first();
  const opened = page.locator('.quick-input-widget .quick-input-title').filter({ hasText: title });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await focusWorkbench(page);
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 3_000 });
      await input.fill(`>${command}`);
      await row.click({ timeout: 3_000 });
      await opened.waitFor({ state: 'visible', timeout: 10_000 });
      return;
    } catch (error) {
      lastError = error;
      await page.keyboard.press('Escape').catch(() => undefined);
      await page.waitForTimeout(300);
    }
  }
  throw new Error(`palette: "${command}" did not open "${title}" (${(lastError as Error | undefined)?.message ?? 'timeout'})`);
}

/** A quick input row as the user reads it. */
export interface QuickInputRow {
  /** The first label (without its icon); '' on a separator. */
  label: string;
  /** All the row's text: label, description, detail, a separator's heading. */
  text: string;
}

/**
 * Asserts the quick input titled `title` is wholly inside the window, its title is not cut off, and its rows are
 * inside it; returns its rows (those drawn: the list is virtual).
 */
export async function expectQuickInputInside(page: Page, title: string, what: string): Promise<QuickInputRow[]> {
  const widget = page.locator('.quick-input-widget');
  const titleElement = widget.locator('.quick-input-title').filter({ hasText: title });
  await titleElement.waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForTimeout(200); // the widget's width follows the window on the next frame
  const viewport = page.viewportSize();
  const box = await widget.boundingBox();
  assert.ok(viewport && box, `${what}: the quick input has a layout`);
  const inside = box.x >= -0.5 && box.y >= -0.5 && box.x + box.width <= viewport.width + 0.5 && box.y + box.height <= viewport.height + 0.5;
  assert.ok(inside, `${what}: the quick input ${JSON.stringify(box)} is inside the ${viewport.width}×${viewport.height} window`);
  const titleOverflow = await titleElement.evaluate((el) => {
    const e = el as unknown as { scrollWidth: number; clientWidth: number };
    return e.scrollWidth - e.clientWidth;
  });
  assert.ok(titleOverflow <= 1, `${what}: the title "${await titleElement.textContent()}" is cut off by ${titleOverflow} px`);
  // The placeholder (the picker's one line of explanation) whole: measured with the input's own font, against the
  // input's width less its padding and the "N Selected" badge drawn over it.
  const placeholder = await widget.locator('.quick-input-box input.input').evaluate((el) => {
    interface Input { placeholder: string; clientWidth: number; parentElement: { querySelector(s: string): { getBoundingClientRect(): { width: number }; offsetParent: unknown } | null } | null }
    const view = globalThis as unknown as {
      getComputedStyle(e: unknown): { font: string; paddingLeft: string; paddingRight: string };
      document: { createElement(tag: 'canvas'): { getContext(kind: '2d'): { font: string; measureText(t: string): { width: number } } } };
    };
    const input = el as unknown as Input;
    const style = view.getComputedStyle(input);
    const ctx = view.document.createElement('canvas').getContext('2d');
    ctx.font = style.font;
    const badge = input.parentElement?.querySelector('.quick-input-count') ?? null;
    const badgeWidth = badge && badge.offsetParent !== null ? badge.getBoundingClientRect().width : 0;
    const available = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - badgeWidth;
    return { text: input.placeholder, width: ctx.measureText(input.placeholder).width, available };
  });
  assert.ok(placeholder.width <= placeholder.available + 1, `${what}: the placeholder "${placeholder.text}" (${Math.ceil(placeholder.width)} px) is cut off at ${Math.floor(placeholder.available)} px`);
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  const read: QuickInputRow[] = [];
  const count = await rows.count();
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    if (!(await row.isVisible())) continue;
    const rowBox = await row.boundingBox();
    assert.ok(rowBox && rowBox.x >= box.x - 0.5 && rowBox.x + rowBox.width <= box.x + box.width + 0.5, `${what}: row ${i} ${JSON.stringify(rowBox)} is inside the quick input`);
    const text = async (selector: string): Promise<string> => {
      const found = row.locator(selector).first();
      return (await found.count()) > 0 ? ((await found.textContent()) ?? '').trim() : '';
    };
    // The row's name wholly visible (a description may end in "…"; a long separator label drawn on this row must not
    // squeeze the name itself).
    const labelName = row.locator('.label-name').first();
    if ((await labelName.count()) > 0) {
      const cut = await labelName.evaluate((el) => {
        interface Box { right: number }
        interface El { getBoundingClientRect(): Box; closest(s: string): El | null; scrollWidth: number; clientWidth: number }
        const name = el as unknown as El;
        const container = name.closest('.monaco-icon-label-container') ?? name.closest('.monaco-icon-label');
        const right = name.getBoundingClientRect().right;
        return container ? right - container.getBoundingClientRect().right : 0;
      });
      assert.ok(cut <= 1, `${what}: row ${i}'s name "${await labelName.textContent()}" is cut off by ${Math.ceil(cut)} px`);
    }
    read.push({ label: await text('.label-name'), text: ((await row.textContent()) ?? '').replace(/\s+/g, ' ').trim() });
  }
  return read;
}

/** The texts in `row` cut off with an ellipsis (wider than their box). */
export async function truncatedTexts(row: Locator): Promise<string[]> {
  return row.evaluate((element) => {
    interface El { scrollWidth: number; clientWidth: number; textContent: string | null; querySelectorAll(s: string): ArrayLike<El> }
    const view = globalThis as unknown as { getComputedStyle(e: El): { textOverflow: string } };
    const all = Array.from((element as unknown as El).querySelectorAll('*'));
    return all.filter((e) => e.scrollWidth > e.clientWidth + 1 && view.getComputedStyle(e).textOverflow === 'ellipsis').map((e) => (e.textContent ?? '').trim());
  });
}

/** Waits for the toast whose message matches `pattern`; asserts it is inside the window and not cut off; its message. */
export async function expectToastWhole(page: Page, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: pattern }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.waitForTimeout(200); // laid out
  const message = ((await toast.locator('.notification-list-item-message').first().textContent()) ?? '').trim();
  const box = await toast.boundingBox();
  const viewport = page.viewportSize();
  assert.ok(box && viewport && box.x >= -0.5 && box.x + box.width <= viewport.width + 0.5, `${what}: the toast "${message}" ${JSON.stringify(box)} is inside the window`);
  assert.deepEqual(await truncatedTexts(toast), [], `${what}: the toast "${message}" is cut off`);
  assert.doesNotMatch(message, RAW_TEXT, `${what}: the toast is plain`);
  return message;
}

/** Dismisses every notification (they would cover the next step's screenshot). */
export async function clearNotifications(page: Page): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input.input');
  await focusWorkbench(page);
  await page.keyboard.press('F1');
  await input.fill('>Notifications: Clear All Notifications');
  await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Notifications: Clear All Notifications' }).first().click();
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
}
