// Webview pages alone in Chromium (no code-server, fast): each scenario gets a fresh page; it opens its
// webview with openWebviewPage (webviewPage.ts) and talks to it through the stand-in VS Code API.
import type { Page } from 'playwright-core';
import { saveScreenshot } from './browser';
import type { E2eContext, E2eSuite } from './e2eSuite';
import { runScenarios, type NamedScenario } from './scenarioRunner';

export interface WebviewPageScenarioContext {
  page: Page;
  /** Saves <artifactsDir>/<suite>-<scenario>-<name>.png; returns its path. */
  screenshot(name: string): Promise<string>;
  log(line: string): void;
}

export interface WebviewPageScenario extends NamedScenario {
  run(context: WebviewPageScenarioContext): Promise<void>;
}

export interface WebviewPageSuiteOptions {
  name: string;
  scenarios: WebviewPageScenario[];
  optIn?: boolean;
}

export function webviewPageSuite(options: WebviewPageSuiteOptions): E2eSuite {
  return {
    name: options.name,
    optIn: options.optIn,
    run(context: E2eContext) {
      const shot = (page: Page, scenario: WebviewPageScenario, name: string): Promise<string> =>
        saveScreenshot(page, context.artifactsDir, `${options.name}-${scenario.name}-${name}`);
      return runScenarios<WebviewPageScenario, Page>(context, options.scenarios, {
        open: () => context.browser.context.newPage(),
        async run(scenario, page) {
          const errors: string[] = [];
          page.on('pageerror', (error) => errors.push(error.message));
          page.on('console', (message) => {
            if (message.type() === 'error') context.log(`    [page console.error] ${message.text()}`);
          });
          await scenario.run({ page, screenshot: (name) => shot(page, scenario, name), log: (line) => context.log(`    ${line}`) });
          if (errors.length > 0) throw new Error(`uncaught error(s) in the page: ${errors.join('; ')}`);
        },
        async onFailure(scenario, page) {
          context.log(`    screenshot: ${await shot(page, scenario, 'failed')}`);
        },
        close: (page) => page.close(),
      });
    },
  };
}
