// What npm run test:e2e runs: named suites, each reporting "N passed, N failed" (see run.ts).
import type { Browser } from './browser';
import type { E2eSetup } from './setup';

export interface E2eContext {
  repoRoot: string;
  /** Installed prerequisites (code-server launcher, Chromium path). */
  setup: E2eSetup;
  /** One Chromium for the whole run; suites open their own pages. */
  browser: Browser;
  /** Screenshots and other artefacts: out/e2e-artifacts/ (git-ignored with out/). */
  artifactsDir: string;
  log(line: string): void;
}

export interface SuiteResult {
  passed: number;
  failed: number;
}

export interface E2eSuite {
  /** Unique, [\w-]+: selects the suite with --suite NAME and names its screenshots. */
  name: string;
  /** Left out of the default run; runs only when named with --suite (e.g. a deliberately failing proof). */
  optIn?: boolean;
  run(context: E2eContext): Promise<SuiteResult>;
}
