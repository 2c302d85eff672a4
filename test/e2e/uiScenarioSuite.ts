// Playwright UI scenarios against the real workbench: each scenario gets a fresh workspace, a fresh
// code-server and a page with the extension under development loaded (no test payload), or with the extensions
// code-server was started with (an installed VSIX) when there is none under development.
import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { openWorkbench, saveScreenshot } from './browser';
import { CodeServer } from './codeServer';
import type { E2eContext, E2eSuite } from './e2eSuite';
import { freshWorkspace } from './freshWorkspace';
import { runScenarios, type NamedScenario } from './scenarioRunner';

export interface UiScenarioContext {
  page: Page;
  server: CodeServer;
  /** Absolute path of this scenario's workspace folder (a fresh copy of the suite's template). */
  workspace: string;
  /** Saves <artifactsDir>/<suite>-<scenario>-<name>.png; returns its path. */
  screenshot(name: string): Promise<string>;
  log(line: string): void;
}

export interface UiScenario extends NamedScenario {
  /**
   * Writes the scenario's files into its workspace before the workbench opens it, so the Explorer lists them
   * from its first read (a file written after the folder is open shows only once the file watcher reports it).
   */
  prepare?(workspace: string): Promise<void>;
  run(context: UiScenarioContext): Promise<void>;
}

export interface UiScenarioSuiteOptions {
  name: string;
  /** Absolute path of the extension folder; omitted: only the extensions code-server has installed. */
  extensionDevelopmentPath?: string;
  /** Workspace template, copied per scenario (an empty folder when omitted). */
  workspace?: string;
  /** More environment for code-server and its extension host. */
  env?: NodeJS.ProcessEnv;
  /** VS Code user settings for these scenarios. */
  settings?: Record<string, unknown>;
  /** More code-server flags (CodeServerOptions.args). */
  codeServerArgs?: string[];
  scenarios: UiScenario[];
  optIn?: boolean;
}

interface Opened {
  page: Page;
  server: CodeServer;
  workspace: string;
}

export function uiScenarioSuite(options: UiScenarioSuiteOptions): E2eSuite {
  return {
    name: options.name,
    optIn: options.optIn,
    run(context: E2eContext) {
      const shot = (page: Page, scenario: UiScenario, name: string): Promise<string> =>
        saveScreenshot(page, context.artifactsDir, `${options.name}-${scenario.name}-${name}`);
      return runScenarios<UiScenario, Opened>(context, options.scenarios, {
        async open() {
          const workspace = freshWorkspace(options.workspace);
          const server = await CodeServer.start({ bin: context.setup.codeServerBin, env: options.env, settings: options.settings, args: options.codeServerArgs });
          const page = await context.browser.newPage();
          return { page, server, workspace };
        },
        async run(scenario, { page, server, workspace }) {
          await scenario.prepare?.(workspace);
          await openWorkbench(page, {
            origin: server.origin,
            folder: workspace,
            ...(options.extensionDevelopmentPath ? { extensionDevelopmentPath: options.extensionDevelopmentPath } : {}),
          });
          await scenario.run({ page, server, workspace, screenshot: (name) => shot(page, scenario, name), log: (line) => context.log(`    ${line}`) });
        },
        async onFailure(scenario, { page, server }) {
          const file = await shot(page, scenario, 'failed');
          context.log(`    screenshot: ${file}\n--- code-server log ---\n${server.log()}`);
        },
        async close({ page, server, workspace }) {
          await page.close().catch(() => undefined);
          await server.stop();
          fs.rmSync(workspace, { recursive: true, force: true });
        },
      });
    },
  };
}
