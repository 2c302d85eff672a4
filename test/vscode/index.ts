// Mocha loader that runs INSIDE the extension host, in code-server (npm run test:e2e) and in desktop
// VS Code (@vscode/test-electron, npm run test:vscode). VS Code calls run() and ends the run with exit
// code 0 when it resolves, 1 when it rejects.
//
// Test files: every *.test.js under this file's folder (out/test/vscode/**), found by walking the tree.
// LOCAL_DIFFUSION_VSCODE_TESTS (folders or files, joined with path.delimiter) replaces that root, e.g.
// for the harness's own fixture suites; LOCAL_DIFFUSION_VSCODE_GREP filters tests by title;
// LOCAL_DIFFUSION_VSCODE_TEST_TIMEOUT sets mocha's per-test timeout in ms.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

const DEFAULT_TEST_TIMEOUT_MS = 60_000;

export function run(): Promise<void> {
  const roots = (process.env.LOCAL_DIFFUSION_VSCODE_TESTS || __dirname).split(path.delimiter).filter(Boolean);
  const files = roots.flatMap((root) => findTestFiles(path.resolve(root)));
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    // The web extension host forwards console output without a terminal: no colours.
    color: false,
    timeout: Number(process.env.LOCAL_DIFFUSION_VSCODE_TEST_TIMEOUT) || DEFAULT_TEST_TIMEOUT_MS,
    grep: process.env.LOCAL_DIFFUSION_VSCODE_GREP || undefined,
  });
  for (const file of files) mocha.addFile(file);
  console.log(`[vscode tests] ${files.length} file(s) from ${roots.join(path.delimiter)}`);

  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      console.log('0 passed, 0 failed');
      reject(new Error(`no *.test.js files under ${roots.join(path.delimiter)}`));
      return;
    }
    let passed = 0;
    let failed = 0;
    try {
      const runner = mocha.run(() => {
        console.log(`${passed} passed, ${failed} failed`);
        if (failed > 0) reject(new Error(`${failed} test(s) failed`));
        else resolve();
      });
      runner.on('pass', () => passed++);
      runner.on('fail', () => failed++);
    } catch (err) {
      console.error(err);
      console.log(`${passed} passed, ${failed + 1} failed`);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** Every *.test.js below root (or root itself when it is a file), sorted for a stable order. */
export function findTestFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  if (fs.statSync(root).isFile()) return root.endsWith('.js') ? [root] : [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) found.push(...findTestFiles(full));
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}
