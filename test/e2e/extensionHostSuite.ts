// Runs a built mocha index (test/vscode/index.ts → out/test/vscode/index.js) inside code-server's
// extension host, the way @vscode/test-web does for the web worker host:
//   1. before navigating, the page exposes codeAutomationLog(type, args) — the suite's console output
//      arrives there — and codeAutomationExit(code) — the run's result (0 passed, 1 a test failed);
//   2. the workbench URL carries the payload [["extensionDevelopmentPath", vscode-remote://…],
//      ["extensionTestsPath", vscode-remote://…/index]] (code-server rejects the CLI flags);
//   3. a timeout (default 5 min) ends a run whose extension host crashed or hung, printing code-server's logs.
//
// Browser steps (a test hands a step to this driver, e.g. a real click inside a webview):
//   - the test calls browserStep(NAME, args) from test/vscode/browserStep.ts, which logs one console line
//     `[[e2e:step NAME {"args":…,"reply":"/tmp/e2e-step-….json"}]]` and then polls for the reply file;
//   - the line arrives here through codeAutomationLog; the driver runs steps[NAME]({page, args}) and writes
//     {"ok":true,"result":…} or {"ok":false,"error":"…"} to reply (temp file + rename, so the test never
//     reads half a file). code-server runs on this machine, so both sides see the same os.tmpdir();
//   - the test then checks through the vscode API what the click did.
//   code-server gets LOCAL_DIFFUSION_E2E_BROWSER_STEPS=1 in its environment (the extension host inherits
//   it); browserStepsAvailable() lets a test skip its browser steps under desktop test-electron.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import type { Page } from 'playwright-core';
import { parseBrowserStepLine, type BrowserStepReply } from '../vscode/browserStep';
import { openWorkbench, saveScreenshot } from './browser';
import { CodeServer } from './codeServer';
import type { E2eContext, E2eSuite, SuiteResult } from './e2eSuite';
import { freshWorkspace } from './freshWorkspace';

export const DEFAULT_EXTENSION_HOST_TIMEOUT_MS = 5 * 60_000;

/** Workbench start-up chatter that arrives through codeAutomationLog too: kept in lines, not printed. */
const WORKBENCH_NOISE = [
  /^Ignoring fetching additional builtin extensions from gallery/,
  /^Updating additional builtin extensions cache/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(/,
  /^\[Service Worker\] registered/,
  /^ChatSessionStore: /,
];

export interface BrowserStepContext {
  page: Page;
  args: unknown;
}

/** Runs in the driver when a test asks for step NAME; what it returns goes back to the test as JSON. */
export type BrowserStepHandler = (context: BrowserStepContext) => Promise<unknown>;

export interface ExtensionHostRunOptions {
  /** code-server started with LOCAL_DIFFUSION_E2E_BROWSER_STEPS=1 (and the suite's test selection) in its env. */
  server: CodeServer;
  /** A fresh page (its exposed functions stay for the page's life). */
  page: Page;
  /** Absolute path of the extension folder (its package.json). */
  extensionDevelopmentPath: string;
  /** Absolute path of the built mocha index, e.g. out/test/vscode/index.js (".js" is dropped for the URL). */
  extensionTestsPath: string;
  /** Absolute path of the folder the workbench opens. */
  workspace: string;
  steps?: Record<string, BrowserStepHandler>;
  timeoutMs?: number;
  /** Each console line of the suite (default: stdout). */
  log?: (line: string) => void;
}

export interface ExtensionHostRun {
  exitCode: number;
  /** Every console line of the suite, in order. */
  lines: string[];
}

/** Loads the workbench in test mode and resolves with the extension host's exit code. */
export async function runExtensionHostTests(options: ExtensionHostRunOptions): Promise<ExtensionHostRun> {
  const log = options.log ?? ((line: string) => console.log(line));
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXTENSION_HOST_TIMEOUT_MS;
  const page = options.page;
  const lines: string[] = [];
  const stepFailures: string[] = [];

  let finish: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (finish = resolve));

  const runStep = async (line: string): Promise<void> => {
    const step = parseBrowserStepLine(line);
    if (!step) return;
    const handler = options.steps?.[step.name];
    let reply: BrowserStepReply;
    try {
      if (!handler) throw new Error(`no browser step handler named ${step.name} (known: ${Object.keys(options.steps ?? {}).join(', ') || 'none'})`);
      reply = { ok: true, result: (await handler({ page, args: step.request.args })) ?? null };
    } catch (err) {
      reply = { ok: false, error: (err as Error).stack ?? String(err) };
      stepFailures.push(`${step.name}: ${(err as Error).message}`);
    }
    const temp = `${step.request.reply}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(reply));
    fs.renameSync(temp, step.request.reply);
  };

  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    // The host forwards console.log's raw arguments ('%s', …): format them as Node's console would.
    const text = util.format(...(Array.isArray(args) ? args : [args]));
    for (const line of text.split('\n')) {
      lines.push(line);
      if (!WORKBENCH_NOISE.some((noise) => noise.test(line))) log(type === 'error' || type === 'warn' ? `[${type}] ${line}` : line);
      if (line.includes('[[e2e:step ')) runStep(line).catch((err: unknown) => stepFailures.push(`${line}: ${String(err)}`));
    }
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`extension host suite did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([
      openWorkbench(page, {
        origin: options.server.origin,
        folder: options.workspace,
        extensionDevelopmentPath: options.extensionDevelopmentPath,
        extensionTestsPath: options.extensionTestsPath,
      }),
      timedOut,
    ]);
    const exitCode = await Promise.race([exited, timedOut]);
    if (stepFailures.length > 0) log(`[e2e] browser step failures: ${stepFailures.join('; ')}`);
    return { exitCode, lines };
  } finally {
    clearTimeout(timer);
  }
}

export interface ExtensionHostSuiteOptions {
  name: string;
  /** Absolute path of the extension folder. */
  extensionDevelopmentPath: string;
  /** Absolute path of the built mocha index (out/test/vscode/index.js). */
  extensionTestsPath: string;
  /** Template copied into a fresh folder under os.tmpdir() for the run (an empty folder when omitted). */
  workspace?: string;
  /** Test files or folders for the index (LOCAL_DIFFUSION_VSCODE_TESTS); default: the index's own folder. */
  tests?: string[];
  /** More environment for code-server and so for the extension host. */
  env?: NodeJS.ProcessEnv;
  /** VS Code user settings for the run. */
  settings?: Record<string, unknown>;
  /** More code-server flags (CodeServerOptions.args). */
  codeServerArgs?: string[];
  steps?: Record<string, BrowserStepHandler>;
  timeoutMs?: number;
  /** Left out of the default run (see E2eSuite.optIn). */
  optIn?: boolean;
}

/** An E2eSuite: fresh code-server and workspace, the mocha suite in its extension host, counts from its last line. */
export function extensionHostSuite(options: ExtensionHostSuiteOptions): E2eSuite {
  return {
    name: options.name,
    optIn: options.optIn,
    async run(context: E2eContext): Promise<SuiteResult> {
      const workspace = freshWorkspace(options.workspace);
      const env: NodeJS.ProcessEnv = { LOCAL_DIFFUSION_E2E_BROWSER_STEPS: '1', ...options.env };
      if (options.tests) env.LOCAL_DIFFUSION_VSCODE_TESTS = options.tests.join(path.delimiter);
      const server = await CodeServer.start({ bin: context.setup.codeServerBin, env, settings: options.settings, args: options.codeServerArgs });
      const page = await context.browser.newPage();
      try {
        const run = await runExtensionHostTests({
          server,
          page,
          extensionDevelopmentPath: options.extensionDevelopmentPath,
          extensionTestsPath: options.extensionTestsPath,
          workspace,
          steps: options.steps,
          timeoutMs: options.timeoutMs,
          log: (line) => context.log(`  ${line}`),
        });
        const counts = lastCounts(run.lines);
        context.log(`[e2e] ${options.name}: extension host exit code ${run.exitCode}`);
        if (run.exitCode !== 0) context.log(`    screenshot: ${await saveScreenshot(page, context.artifactsDir, `${options.name}-failed`)}`);
        // A non-zero exit without a failed test (a crash, no test files, an error outside mocha) still fails,
        // and then code-server's logs (the extension host's among them) say why.
        const failed = counts?.failed ?? 0;
        if (run.exitCode !== 0 && failed === 0) {
          context.log(`--- code-server log ---\n${server.log()}`);
          return { passed: counts?.passed ?? 0, failed: 1 };
        }
        return { passed: counts?.passed ?? 0, failed };
      } catch (err) {
        const shot = await saveScreenshot(page, context.artifactsDir, `${options.name}-error`).catch(() => 'none');
        context.log(`[e2e] ${options.name}: ${(err as Error).message}\n    screenshot: ${shot}\n--- code-server log ---\n${server.log()}`);
        return { passed: 0, failed: 1 };
      } finally {
        await page.close().catch(() => undefined);
        await server.stop();
        fs.rmSync(workspace, { recursive: true, force: true });
      }
    },
  };
}

/** The last "N passed, N failed" line that test/vscode/index.ts prints. */
export function lastCounts(lines: string[]): { passed: number; failed: number } | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /^\s*(\d+) passed, (\d+) failed\s*$/.exec(lines[i]);
    if (match) return { passed: Number(match[1]), failed: Number(match[2]) };
  }
  return undefined;
}
