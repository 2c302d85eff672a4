// A webview's page alone in Chromium (no code-server): its HTML and scripts are served from files on disk
// at a stand-in origin, and a stand-in acquireVsCodeApi() records what the page posts to the extension.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

/** Where the page is served; also what {{cspSource}} becomes (VS Code gives webview.cspSource there). */
export const WEBVIEW_ORIGIN = 'https://webview.e2e';

export interface WebviewPageOptions {
  /** The page's HTML file (a template with {{placeholders}} is fine: see replacements)... */
  htmlFile?: string;
  /** ...or its HTML as a string (e.g. what the extension's own HTML builder returns); then give root. */
  html?: string;
  /** Folder served at WEBVIEW_ORIGIN/ (default: the HTML file's folder): scripts, styles, images. */
  root?: string;
  /** {{name}} → value in the HTML. cspSource and nonce have defaults; give script URIs as WEBVIEW_ORIGIN/… or relative. */
  replacements?: Record<string, string>;
  /** What getState() returns before the page calls setState(). */
  state?: unknown;
}

/** Browser-side record kept by the stand-in: window.__e2eVsCodeApi. */
interface StandInRecord {
  posted: unknown[];
  state: unknown;
  acquired: number;
}

const STAND_IN_NONCE = 'e2e-stand-in-nonce';
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

/** Installs the stand-in API and opens the page at WEBVIEW_ORIGIN/<html file name> (index.html for html). */
export async function openWebviewPage(page: Page, options: WebviewPageOptions): Promise<void> {
  if ((options.htmlFile === undefined) === (options.html === undefined)) throw new Error('openWebviewPage: give htmlFile or html');
  const rootOption = options.root ?? (options.htmlFile && path.dirname(options.htmlFile));
  if (!rootOption) throw new Error('openWebviewPage: html needs root (the folder its scripts load from)');
  const root = path.resolve(rootOption);
  const htmlName = options.htmlFile ? path.basename(options.htmlFile) : 'index.html';
  const replacements: Record<string, string> = { cspSource: WEBVIEW_ORIGIN, nonce: STAND_IN_NONCE, ...options.replacements };
  const template = options.html ?? fs.readFileSync(options.htmlFile ?? '', 'utf8');
  const html = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => replacements[name] ?? whole);

  await page.addInitScript((initial: { state?: unknown }) => {
    // No saved state reads as undefined, as in VS Code.
    const record: StandInRecord = { posted: [], state: initial.state, acquired: 0 };
    const target = globalThis as unknown as { __e2eVsCodeApi: StandInRecord; acquireVsCodeApi: () => unknown };
    target.__e2eVsCodeApi = record;
    // Like VS Code's: one instance per page, postMessage clones its argument.
    target.acquireVsCodeApi = () => {
      if (record.acquired++ > 0) throw new Error('An instance of the VS Code API has already been acquired');
      return Object.freeze({
        postMessage: (message: unknown) => record.posted.push(structuredClone(message)),
        getState: () => record.state,
        setState: (state: unknown) => {
          record.state = state;
          return state;
        },
      });
    };
  }, { state: options.state });

  await page.route(`${WEBVIEW_ORIGIN}/**`, async (route) => {
    const requested = decodeURIComponent(new URL(route.request().url()).pathname).replace(/^\/+/, '');
    if (requested === htmlName) {
      await route.fulfill({ status: 200, contentType: 'text/html', body: html });
      return;
    }
    const file = path.resolve(root, requested);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      await route.fulfill({ status: 404, body: `not found: ${requested}` });
      return;
    }
    await route.fulfill({ status: 200, contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body: fs.readFileSync(file) });
  });
  await page.goto(`${WEBVIEW_ORIGIN}/${htmlName}`);
}

/** Everything the page passed to vscode.postMessage, in order. */
export function postedMessages(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (globalThis as unknown as { __e2eVsCodeApi: StandInRecord }).__e2eVsCodeApi.posted);
}

/** What the page last passed to vscode.setState (or the initial state). */
export function webviewState(page: Page): Promise<unknown> {
  return page.evaluate(() => (globalThis as unknown as { __e2eVsCodeApi: StandInRecord }).__e2eVsCodeApi.state);
}

/** Delivers a message as the extension's webview.postMessage would: a 'message' event on window. */
export async function sendToWebview(page: Page, message: unknown): Promise<void> {
  await page.evaluate((data) => {
    // Runs in the page (this project's tsconfig has no DOM lib, hence the narrow cast).
    const page = globalThis as unknown as { dispatchEvent(event: unknown): boolean; MessageEvent: new (type: string, init: { data: unknown }) => unknown };
    page.dispatchEvent(new page.MessageEvent('message', { data }));
  }, message);
}
