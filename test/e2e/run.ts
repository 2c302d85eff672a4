// npm run test:e2e  →  node out/test/e2e/run.js [--suite NAME]... [--list] [--setup-only]
//
// Sets up what it needs (setup.ts: apt packages when root, code-server 4.100.3 in .cache/code-server),
// launches one Debian Chromium, and runs the suites below in order. Each suite ends with a plain line
// "N passed, N failed"; the process exits 1 when any suite has a failure. Screenshots: out/e2e-artifacts/.
//
// Suites come in three kinds (each file documents its options):
//   extensionHostSuite  mocha (out/test/vscode/index.js) inside code-server's extension host;
//   uiScenarioSuite     Playwright scenarios in the workbench (palette, clicks, webviews, screenshots);
//   webviewPageSuite    webview pages alone in Chromium with a stand-in acquireVsCodeApi (no code-server).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser } from './browser';
import type { E2eContext, E2eSuite, SuiteResult } from './e2eSuite';
import { fixtureSuites } from './fixtures/fixtureSuites';
import { extensionHostTestsSuite } from './suites/extensionHostTests';
import { uiScenariosSuite } from './suites/uiScenarios';
import { webviewPagesSuite } from './suites/webviewPages';
import { ensureE2ePrerequisites } from './setup';
import { vsixInstallSuite } from './suites/vsixInstall';

/** out/test/e2e/run.js → the repository root. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Every suite, in run order; those with optIn run only when named with --suite. */
function allSuites(repoRoot: string): E2eSuite[] {
  return [
    // The harness's own proof on a tiny fixture extension (test/e2e/fixtures/): only its fast page suite runs
    // by default; the code-server ones run when named (--suite fixture-host, fixture-ui, fixture-host-failing).
    ...fixtureSuites(repoRoot).map((suite) => (suite.name === 'fixture-webview-page' ? suite : { ...suite, optIn: true })),
    // The extension's suites (test/e2e/suites/): (3) its webview pages alone (seconds), (1) mocha in the extension
    // host, (2) UI scenarios.
    webviewPagesSuite(repoRoot),
    extensionHostTestsSuite(repoRoot),
    uiScenariosSuite(repoRoot),
    // Last (it packs a production build, then rebuilds dist/ for development): the host's VSIX installed with
    // `code-server --install-extension`, then Generate Image → Save as a user would (issue 8).
    vsixInstallSuite(),
  ];
}

interface Arguments {
  suites: string[];
  list: boolean;
  setupOnly: boolean;
}

function parseArguments(argv: string[]): Arguments {
  const parsed: Arguments = { suites: [], list: false, setupOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--suite' && argv[i + 1]) parsed.suites.push(argv[++i]);
    else if (arg.startsWith('--suite=')) parsed.suites.push(arg.slice('--suite='.length));
    else if (arg === '--list') parsed.list = true;
    else if (arg === '--setup-only') parsed.setupOnly = true;
    else throw new Error(`unknown argument ${arg} (use --suite NAME, --list, --setup-only)`);
  }
  return parsed;
}

async function main(): Promise<number> {
  const started = Date.now();
  const args = parseArguments(process.argv.slice(2));
  const known = allSuites(REPO_ROOT);
  if (args.list) {
    for (const suite of known) console.log(`${suite.name}${suite.optIn ? ' (opt-in)' : ''}`);
    return 0;
  }
  const unknown = args.suites.filter((name) => !known.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown suite(s): ${unknown.join(', ')} (known: ${known.map((s) => s.name).join(', ')})`);
  const selected = args.suites.length > 0 ? known.filter((s) => args.suites.includes(s.name)) : known.filter((s) => !s.optIn);

  const setup = await ensureE2ePrerequisites({ repoRoot: REPO_ROOT });
  if (args.setupOnly) return 0;

  const artifactsDir = path.join(REPO_ROOT, 'out', 'e2e-artifacts');
  fs.rmSync(artifactsDir, { recursive: true, force: true });
  fs.mkdirSync(artifactsDir, { recursive: true });

  const browser = await Browser.launch({ executablePath: setup.chromiumPath });
  const context: E2eContext = { repoRoot: REPO_ROOT, setup, browser, artifactsDir, log: (line) => console.log(line) };
  const total: SuiteResult = { passed: 0, failed: 0 };
  try {
    for (const suite of selected) {
      const suiteStarted = Date.now();
      console.log(`\n[e2e] suite ${suite.name}`);
      let result: SuiteResult;
      try {
        result = await suite.run(context);
      } catch (err) {
        console.log(`[e2e] suite ${suite.name} crashed: ${(err as Error).stack ?? String(err)}`);
        result = { passed: 0, failed: 1 };
      }
      total.passed += result.passed;
      total.failed += result.failed;
      console.log(`[e2e] suite ${suite.name} took ${seconds(suiteStarted)} s`);
      console.log(`${result.passed} passed, ${result.failed} failed`);
    }
  } finally {
    await browser.close();
  }
  const shots = fs.readdirSync(artifactsDir).length;
  console.log(`\n[e2e] ${selected.length} suite(s) in ${seconds(started)} s (setup ${setup.seconds} s); ${shots} screenshot(s) in ${path.relative(REPO_ROOT, artifactsDir)}/`);
  console.log(`[e2e] total: ${total.passed} passed, ${total.failed} failed`);
  return total.failed > 0 || selected.length === 0 ? 1 : 0;
}

function seconds(started: number): string {
  return ((Date.now() - started) / 1000).toFixed(1);
}

// Ctrl+C / CI cancellation: exit normally so each CodeServer's exit hook ends its process group.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[e2e] ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
