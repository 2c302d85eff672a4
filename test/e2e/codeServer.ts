// One code-server (VS Code 1.100.3 in the browser, Node extension host) per run, with its own HOME,
// user-data-dir and extensions-dir under os.tmpdir(); flags and EXTENSIONS_GALLERY as in issue 6.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface CodeServerOptions {
  /** The code-server launcher (setup's codeServerBin). */
  bin: string;
  /** Extra environment for code-server; its extension host inherits it (e.g. LOCAL_DIFFUSION_VSCODE_TESTS). */
  env?: NodeJS.ProcessEnv;
  /** More code-server flags, e.g. ['--disable-extension', 'vscode.git'] to spare CPU. */
  args?: string[];
  /** User settings written to <user-data-dir>/User/settings.json before start (merged over quiet defaults). */
  settings?: Record<string, unknown>;
  /** How long /healthz may take to answer. */
  startTimeoutMs?: number;
  /** Prints code-server's own output live as well (it is always kept for log()). */
  echo?: (line: string) => void;
}

/** Defaults that keep a fresh profile quiet: no welcome page, no update or extension checks. */
const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
};

const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const MAX_KEPT_OUTPUT_CHARS = 2_000_000;

export class CodeServer {
  private output = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitHook = (): void => this.killGroup('SIGKILL');

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    /** Fresh per run: HOME, user-data-dir (<root>/data) and extensions-dir (<root>/extensions). */
    readonly root: string,
  ) {}

  /** http://127.0.0.1:PORT */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get userDataDir(): string {
    return path.join(this.root, 'data');
  }

  /** A local absolute path as the workbench sees it (vscode-remote://127.0.0.1:PORT/abs/path). */
  remoteUri(absolutePath: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${path.resolve(absolutePath)}`;
  }

  /** Starts code-server on a free port and waits until /healthz answers. */
  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-code-server-'));
    const home = path.join(root, 'home');
    const userDataDir = path.join(root, 'data');
    const extensionsDir = path.join(root, 'extensions');
    for (const dir of [home, path.join(userDataDir, 'User'), extensionsDir]) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));

    const port = await freePort();
    const args = [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...(options.args ?? []),
    ];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      EXTENSIONS_GALLERY: '{}',
      ...options.env,
    };
    // Its own process group: stop() ends code-server and every child (the file watcher outlives it otherwise).
    const child = spawn(options.bin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new CodeServer(child, port, root);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      server.output += text;
      if (server.output.length > MAX_KEPT_OUTPUT_CHARS) server.output = server.output.slice(-MAX_KEPT_OUTPUT_CHARS);
      if (options.echo) for (const line of text.split('\n')) if (line.trim()) options.echo(line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code, signal) => {
      server.exited = { code, signal };
    });
    process.on('exit', server.exitHook);

    try {
      await server.waitHealthy(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (err) {
      await server.stop();
      throw new Error(`${(err as Error).message}\n--- code-server log ---\n${server.log()}`);
    }
    return server;
  }

  /**
   * code-server's output and every log file it wrote under <user-data-dir>/logs (the extension host's
   * remoteexthost.log, remoteagent.log, ...), the last maxCharsPerFile of each.
   */
  log(maxCharsPerFile = 20_000): string {
    const parts = [`$ code-server (port ${this.port}, root ${this.root})${this.exited ? ` exited ${JSON.stringify(this.exited)}` : ''}`, tail(this.output, maxCharsPerFile)];
    for (const file of walkFiles(path.join(this.userDataDir, 'logs')).filter((f) => f.endsWith('.log'))) {
      const text = fs.readFileSync(file, 'utf8');
      if (text.trim()) parts.push(`--- ${path.relative(this.userDataDir, file)} ---`, tail(text, maxCharsPerFile));
    }
    return parts.join('\n');
  }

  /** Ends the whole process group (SIGTERM, then SIGKILL after a grace period) and removes the run's folders. */
  async stop(options: { keepFiles?: boolean } = {}): Promise<void> {
    process.off('exit', this.exitHook);
    this.killGroup('SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (this.groupAlive() && Date.now() < deadline) await sleep(100);
    if (this.groupAlive()) this.killGroup('SIGKILL');
    while (this.groupAlive() && Date.now() < deadline + STOP_GRACE_MS) await sleep(100);
    if (!options.keepFiles) fs.rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private groupAlive(): boolean {
    if (this.child.pid === undefined) return false;
    try {
      process.kill(-this.child.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`code-server exited before answering /healthz: ${JSON.stringify(this.exited)}`);
      if ((await httpStatus(`${this.origin}/healthz`)) === 200) return;
      await sleep(100);
    }
    throw new Error(`code-server did not answer ${this.origin}/healthz within ${timeoutMs} ms`);
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

function walkFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walkFiles(full));
    else found.push(full);
  }
  return found.sort();
}

function tail(text: string, maxChars: number): string {
  return text.length > maxChars ? `[... ${text.length - maxChars} chars cut ...]\n${text.slice(-maxChars)}` : text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
