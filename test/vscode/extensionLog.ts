// The "Local Diffusion" log channel as written to disk by the editor, for failure reports. code-server keeps it
// under its user-data-dir (the folder of CODE_SERVER_SESSION_SOCKET); elsewhere it is not found (undefined).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The code-server user-data-dir of this extension host, if it runs in code-server. */
export function codeServerUserDataDir(): string | undefined {
  const socket = process.env.CODE_SERVER_SESSION_SOCKET;
  return socket ? path.dirname(socket) : undefined;
}

/** The last `maxChars` of the extension's log channel file(s), or undefined when none is found. */
export function readExtensionLog(maxChars = 20_000): string | undefined {
  const dataDir = codeServerUserDataDir();
  if (!dataDir) return undefined;
  const files = walk(path.join(dataDir, 'logs')).filter((f) => path.basename(f).includes('Local Diffusion'));
  if (files.length === 0) return undefined;
  const text = files.map((f) => `--- ${path.relative(dataDir, f)} ---\n${fs.readFileSync(f, 'utf8')}`).join('\n');
  return text.length > maxChars ? text.slice(-maxChars) : text;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/** For afterEach: prints the extension's log when the test that just ran failed. */
export function printExtensionLogOnFailure(this: Mocha.Context): void {
  if (this.currentTest?.state === 'failed') console.log(readExtensionLog() ?? '(the extension log was not found)');
}
