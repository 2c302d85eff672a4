// Debian's Chromium driven by playwright-core, and helpers for code-server's workbench (issue 6).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { DEFAULT_CHROMIUM_PATH } from './setup';

/** Flags from issue 6; the user data dir is launchPersistentContext's first argument, not a flag. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const VIEWPORT = { width: 1280, height: 800 };

export interface BrowserOptions {
  executablePath?: string;
}

export class Browser {
  private constructor(
    readonly context: BrowserContext,
    /** Fresh per launch: the profile and a HOME for Chromium. */
    private readonly root: string,
  ) {}

  static async launch(options: BrowserOptions = {}): Promise<Browser> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-chromium-'));
    const userDataDir = path.join(root, 'profile');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: options.executablePath ?? DEFAULT_CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      viewport: VIEWPORT,
      // Chromium keeps its crash database under ~/.config/chromium whatever the profile: a HOME of its own.
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
    });
    return new Browser(context, root);
  }

  /** A new tab; the persistent context's initial blank tab is reused once. */
  async newPage(): Promise<Page> {
    const blank = this.context.pages().find((p) => p.url() === 'about:blank');
    return blank ?? this.context.newPage();
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    fs.rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}

export interface WorkbenchTarget {
  /** http://127.0.0.1:PORT of the code-server. */
  origin: string;
  /** Absolute local path of the folder to open. */
  folder: string;
  /** Absolute local path of the extension under development. */
  extensionDevelopmentPath?: string;
  /** Absolute local path of the built mocha index (with or without .js): runs the suite instead of a UI session. */
  extensionTestsPath?: string;
}

/**
 * code-server rejects --extensionDevelopmentPath; the workbench reads it from its URL instead:
 * ?folder=/abs/ws&payload=[["extensionDevelopmentPath","vscode-remote://HOST/abs/ext"],["extensionTestsPath",".../index"]].
 */
export function workbenchUrl(target: WorkbenchTarget): string {
  const host = new URL(target.origin).host;
  const remote = (p: string): string => `vscode-remote://${host}${path.resolve(p)}`;
  const payload: [string, string][] = [];
  if (target.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(target.extensionDevelopmentPath)]);
  if (target.extensionTestsPath) payload.push(['extensionTestsPath', remote(target.extensionTestsPath.replace(/\.js$/, ''))]);
  let url = `${target.origin}/?folder=${encodeURIComponent(path.resolve(target.folder))}`;
  if (payload.length > 0) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/** Opens the workbench and waits until it is laid out (the status bar is drawn last). */
export async function openWorkbench(page: Page, target: WorkbenchTarget, timeoutMs = 90_000): Promise<void> {
  await page.goto(workbenchUrl(target), { timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
}

export interface PaletteOptions {
  /** Overall time to find the command. */
  timeoutMs?: number;
  /** Time per try before the palette is closed, reopened and retyped. */
  attemptMs?: number;
}

/**
 * Runs a command from the palette by its title as shown there ("Category: Title"). The palette does
 * not refresh when commands register late (an extension still activating), so each try is short:
 * open, type, look for the row, and otherwise close and start again.
 */
export async function runPaletteCommand(page: Page, title: string, options: PaletteOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const attemptMs = options.attemptMs ?? 3_000;
  const input = page.locator('.quick-input-widget input.input');
  const row = page.locator(`.quick-input-widget .monaco-list-row[aria-label="${cssString(title)}"], .quick-input-widget .monaco-list-row[aria-label^="${cssString(title)},"]`).first();
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await focusWorkbench(page);
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: attemptMs });
      await input.fill(`>${title}`);
      await row.waitFor({ state: 'visible', timeout: attemptMs });
      await row.click({ timeout: attemptMs });
      await input.waitFor({ state: 'hidden', timeout: attemptMs });
      return;
    } catch (err) {
      lastError = err;
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  }
  throw new Error(`palette: no command titled ${JSON.stringify(title)} (${(lastError as Error | undefined)?.message ?? 'timeout'})`);
}

/**
 * Keyboard shortcuts go to whatever has focus; inside a webview they never reach the workbench.
 * A click on the status bar's empty middle gives focus back without triggering anything.
 */
export async function focusWorkbench(page: Page): Promise<void> {
  const statusbar = page.locator('.monaco-workbench .part.statusbar');
  const box = await statusbar.boundingBox();
  if (box) await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** The content of the active webview: VS Code nests it in an outer iframe and an inner #active-frame. */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Saves a full-page PNG as <artifactsDir>/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, artifactsDir: string, name: string): Promise<string> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function cssString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
