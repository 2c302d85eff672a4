// Test side of the browser-step handshake (driver side and protocol: test/e2e/extensionHostSuite.ts).
// A test running in the extension host asks the Playwright driver to do something only a browser can
// (a real click inside a webview), then waits for the driver's answer file.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** `[[e2e:step NAME {json}]]` on one console line; the JSON carries the args and the reply file. */
export const BROWSER_STEP_MARKER = 'e2e:step';

export interface BrowserStepRequest {
  args: unknown;
  /** Absolute path the driver writes its BrowserStepReply to (write to a temp name, then rename). */
  reply: string;
}

export interface BrowserStepReply {
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** The console line that hands step `name` to the driver. */
export function browserStepLine(name: string, request: BrowserStepRequest): string {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`browser step name must be [\\w.-]+: ${JSON.stringify(name)}`);
  return `[[${BROWSER_STEP_MARKER} ${name} ${JSON.stringify(request)}]]`;
}

/** Parses a line written by browserStepLine, or undefined when it is not a step line. */
export function parseBrowserStepLine(line: string): { name: string; request: BrowserStepRequest } | undefined {
  const match = /\[\[e2e:step ([\w.-]+) (\{.*\})\]\]/.exec(line);
  if (!match) return undefined;
  const request = JSON.parse(match[2]) as BrowserStepRequest;
  return { name: match[1], request };
}

/** True when a browser driver is listening (npm run test:e2e sets this; desktop test-electron runs do not). */
export function browserStepsAvailable(): boolean {
  return process.env.LOCAL_DIFFUSION_E2E_BROWSER_STEPS === '1';
}

/**
 * Asks the driver to run its handler for `name` with `args`; resolves with the handler's result,
 * rejects with its error or when no answer comes within timeoutMs.
 */
export async function browserStep(name: string, args: unknown = {}, timeoutMs = 30_000): Promise<unknown> {
  const reply = path.join(os.tmpdir(), `e2e-step-${process.pid}-${crypto.randomUUID()}.json`);
  console.log(browserStepLine(name, { args, reply }));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(reply)) {
      const answer = JSON.parse(fs.readFileSync(reply, 'utf8')) as BrowserStepReply;
      fs.rmSync(reply, { force: true });
      if (!answer.ok) throw new Error(`browser step ${name} failed: ${answer.error ?? 'unknown error'}`);
      return answer.result;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`browser step ${name}: no answer within ${timeoutMs} ms (is the e2e driver running?)`);
}
