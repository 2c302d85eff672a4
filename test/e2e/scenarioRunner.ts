// Runs named scenarios one after the other, each with a timeout, and counts them: the shared loop of
// the Playwright suites (uiScenarioSuite, webviewPageSuite).
import type { E2eContext, SuiteResult } from './e2eSuite';

export const DEFAULT_SCENARIO_TIMEOUT_MS = 2 * 60_000;

export interface NamedScenario {
  name: string;
  /** Default DEFAULT_SCENARIO_TIMEOUT_MS (it covers open, run and failure details, not teardown). */
  timeoutMs?: number;
}

export interface ScenarioHooks<S extends NamedScenario, R> {
  /** Opens what the scenario needs (a page, a code-server); counts towards its timeout. */
  open(scenario: S): Promise<R>;
  run(scenario: S, resources: R): Promise<void>;
  /** Screenshots and logs after a failure or a timeout, before close. */
  onFailure?(scenario: S, resources: R, error: Error): Promise<void>;
  close(resources: R): Promise<void>;
}

/** Runs each scenario with its hooks; a failure or timeout fails that scenario only. Prints ✔/✘ lines. */
export async function runScenarios<S extends NamedScenario, R>(context: E2eContext, scenarios: readonly S[], hooks: ScenarioHooks<S, R>): Promise<SuiteResult> {
  const result: SuiteResult = { passed: 0, failed: 0 };
  for (const scenario of scenarios) {
    const started = Date.now();
    const timeoutMs = scenario.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS;
    let resources: R | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          resources = await hooks.open(scenario);
          await hooks.run(scenario, resources);
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      result.passed++;
      context.log(`  ✔ ${scenario.name} (${seconds(started)} s)`);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      result.failed++;
      context.log(`  ✘ ${scenario.name} (${seconds(started)} s): ${error.stack ?? error.message}`);
      if (resources !== undefined && hooks.onFailure) {
        await hooks.onFailure(scenario, resources, error).catch((e: unknown) => context.log(`    (while collecting failure details: ${String(e)})`));
      }
    } finally {
      clearTimeout(timer);
      if (resources !== undefined) await hooks.close(resources).catch((e: unknown) => context.log(`    (while closing: ${String(e)})`));
    }
  }
  return result;
}

function seconds(started: number): string {
  return ((Date.now() - started) / 1000).toFixed(1);
}
