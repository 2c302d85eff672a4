// Suite (1): the extension's mocha suite (test/vscode/*.test.ts → out/test/vscode/) inside code-server's
// extension host, with the real vscode API, the real engine process and the built-in sample model.
// Browser steps (the real clicks a test cannot do through the API) are the handlers in browserSteps.ts.
import * as path from 'node:path';
import type { E2eSuite } from '../e2eSuite';
import { extensionHostSuite } from '../extensionHostSuite';
import { localDiffusionBrowserSteps } from './browserSteps';

/** Quiet, deterministic editor settings shared by the suites that run the extension in code-server. */
export const EXTENSION_TEST_SETTINGS: Record<string, unknown> = {
  'workbench.editor.enablePreview': false,
  // VS Code in the browser saves dirty editors after a second by default: the tests save, undo and back up
  // explicitly, as a desktop user with the default settings would.
  'files.autoSave': 'off',
  'files.hotExit': 'onExitAndWindowClose',
  // Keep the CPU for the engine: no minimap, no extension recommendations.
  'editor.minimap.enabled': false,
};

export function extensionHostTestsSuite(repoRoot: string): E2eSuite {
  return extensionHostSuite({
    name: 'extension-host',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'vscode', 'index.js'),
    tests: [path.join(repoRoot, 'out', 'test', 'vscode')],
    settings: EXTENSION_TEST_SETTINGS,
    timeoutMs: 5 * 60_000,
    steps: localDiffusionBrowserSteps(),
  });
}
