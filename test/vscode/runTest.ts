// npm run test:vscode  →  node out/test/vscode/runTest.js [--extension DIR] [--tests DIR]... [--workspace DIR]
//
// Runs the extension-host mocha suite (out/test/vscode/index.js, the same loader npm run test:e2e uses
// in code-server) in desktop VS Code with @vscode/test-electron. It downloads VS Code into
// .cache/vscode-test/ (git-ignored), so it needs https://update.code.visualstudio.com; where that cannot be
// reached it stops with a clear message (use npm run test:e2e there). On Linux without a display:
//   xvfb-run -a npm run test:vscode
// Environment: LOCAL_DIFFUSION_VSCODE_VERSION (default 1.100.3, like code-server 4.100.3; or 'stable'),
// VSCODE_EXECUTABLE_PATH (an installed VS Code: no download), LOCAL_DIFFUSION_VSCODE_GREP (mocha grep).
// The harness's fixture suite runs the same way:
//   node out/test/vscode/runTest.js --extension test/e2e/fixtures/minimal-extension --tests out/test/e2e/fixtures/hostSuite
import * as fs from 'node:fs';
import * as path from 'node:path';
import { download, runTests } from '@vscode/test-electron';
import { freshWorkspace } from '../e2e/freshWorkspace';

/** out/test/vscode/runTest.js → the repository root. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_VSCODE_VERSION = '1.100.3';
const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;

interface Arguments {
  extension: string;
  tests: string[];
  workspace?: string;
}

function parseArguments(argv: string[]): Arguments {
  const parsed: Arguments = { extension: REPO_ROOT, tests: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], argv[i + 1]];
    if (!argv[i].includes('=')) i++;
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--extension') parsed.extension = path.resolve(value);
    else if (flag === '--tests') parsed.tests.push(path.resolve(value));
    else if (flag === '--workspace') parsed.workspace = path.resolve(value);
    else throw new Error(`unknown argument ${flag} (use --extension DIR, --tests DIR, --workspace DIR)`);
  }
  return parsed;
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const version = process.env.LOCAL_DIFFUSION_VSCODE_VERSION || DEFAULT_VSCODE_VERSION;
  let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH;
  if (!vscodeExecutablePath) {
    try {
      vscodeExecutablePath = await download({ version, cachePath: path.join(REPO_ROOT, '.cache', 'vscode-test'), timeout: DOWNLOAD_IDLE_TIMEOUT_MS });
    } catch (err) {
      console.error(
        `[test:vscode] could not download VS Code ${version}: ${(err as Error).message}\n` +
          '[test:vscode] @vscode/test-electron needs https://update.code.visualstudio.com (or VSCODE_EXECUTABLE_PATH=/path/to/code).\n' +
          '[test:vscode] Without it, run the same extension-host suite in code-server instead: npm run test:e2e',
      );
      return 2;
    }
  }

  const workspace = freshWorkspace(args.workspace);
  const extensionTestsEnv: Record<string, string> = {};
  if (args.tests.length > 0) extensionTestsEnv.LOCAL_DIFFUSION_VSCODE_TESTS = args.tests.join(path.delimiter);
  if (process.env.LOCAL_DIFFUSION_VSCODE_GREP) extensionTestsEnv.LOCAL_DIFFUSION_VSCODE_GREP = process.env.LOCAL_DIFFUSION_VSCODE_GREP;
  console.log(`[test:vscode] VS Code ${vscodeExecutablePath}; extension ${args.extension}; workspace ${workspace}`);
  try {
    // runTests resolves with 0 when index.js's run() resolves and rejects (TestRunFailedError) otherwise.
    return await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: args.extension,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'vscode', 'index.js'),
      extensionTestsEnv,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } catch (err) {
    console.error(`[test:vscode] ${(err as Error).message}`);
    return 1;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[test:vscode] ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
