// Prerequisites of the end-to-end suites (issue 6): Debian packages and code-server 4.100.3 from npm,
// installed into the repo's git-ignored .cache/code-server/. Idempotent: a second call only checks.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** code-server 4.100.3 is VS Code 1.100.3 and runs on Node 20 (newer releases need Node 24). */
export const CODE_SERVER_VERSION = '4.100.3';
/** Debian packages: ripgrep (stands in for @vscode/ripgrep's download), chromium (the browser), libkrb5-dev (kerberos builds from source). */
export const E2E_APT_PACKAGES = ['ripgrep', 'chromium', 'libkrb5-dev'] as const;
/** Debian's Chromium, driven by playwright-core; E2E_CHROMIUM_PATH overrides it. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

// @vscode/ripgrep@1.15.11 (a code-server dependency) looks for this archive before downloading ripgrep 13.0.0.
const RIPGREP_CACHE_DIR = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ARCHIVE = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export interface E2eSetup {
  /** Absolute path of the installed code-server launcher. */
  codeServerBin: string;
  /** Absolute path of the Chromium executable. */
  chromiumPath: string;
  /** What was done: 'apt' and/or 'code-server' when installed now; empty when everything was there. */
  installed: string[];
  seconds: number;
}

export interface E2eSetupOptions {
  /** Repository root; code-server goes to <repoRoot>/.cache/code-server. */
  repoRoot: string;
  log?: (line: string) => void;
}

export function codeServerPrefix(repoRoot: string): string {
  return path.join(repoRoot, '.cache', 'code-server');
}

export function codeServerBinPath(repoRoot: string): string {
  return path.join(codeServerPrefix(repoRoot), 'node_modules', '.bin', 'code-server');
}

/** Full output of apt-get and npm install (only a summary is printed). */
export function setupLogPath(repoRoot: string): string {
  return path.join(repoRoot, '.cache', 'e2e-setup.log');
}

export function chromiumPath(): string {
  return process.env.E2E_CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

/** Installs what is missing (apt packages when root, code-server into .cache/) and says how long it took. */
export async function ensureE2ePrerequisites(options: E2eSetupOptions): Promise<E2eSetup> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const installed: string[] = [];
  const bin = codeServerBinPath(options.repoRoot);
  const codeServerReady = installedCodeServerVersion(bin) === CODE_SERVER_VERSION;

  // libkrb5-dev only matters while code-server builds (kerberos): not required once it is installed.
  const missing = missingAptPackages(codeServerReady);
  if (missing.length > 0) {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
      throw new Error(
        `e2e setup: missing Debian packages: ${missing.join(' ')}.\n` +
          `Install them as root, then rerun:  sudo apt-get update && sudo apt-get install -y ${E2E_APT_PACKAGES.join(' ')}\n` +
          `(npm run test:e2e installs them itself when run as root.)`,
      );
    }
    const t = Date.now();
    log(`[e2e setup] apt-get install ${missing.join(' ')} (not installed yet)`);
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const logFile = setupLogPath(options.repoRoot);
    await runLogged('apt-get', ['update'], { env: aptEnv, logFile }, log);
    await runLogged('apt-get', ['install', '-y', ...missing], { env: aptEnv, logFile, echo: (l) => /^\d+ upgraded|^Setting up (chromium|ripgrep|libkrb5-dev)\b/.test(l) }, log);
    log(`[e2e setup] apt packages installed in ${secondsSince(t)} s`);
    installed.push('apt');
  }
  if (!fs.existsSync(chromiumPath())) {
    throw new Error(`e2e setup: no Chromium at ${chromiumPath()} (apt-get install chromium, or set E2E_CHROMIUM_PATH)`);
  }

  if (codeServerReady) {
    log(`[e2e setup] code-server ${CODE_SERVER_VERSION} already installed in ${path.relative(options.repoRoot, codeServerPrefix(options.repoRoot))}`);
  } else {
    const t = Date.now();
    await installCodeServer(options.repoRoot, log);
    const version = installedCodeServerVersion(bin);
    if (version !== CODE_SERVER_VERSION) {
      throw new Error(`e2e setup: after npm install, ${bin} reports ${JSON.stringify(version)}, expected ${CODE_SERVER_VERSION}`);
    }
    log(`[e2e setup] code-server ${CODE_SERVER_VERSION} installed in ${secondsSince(t)} s`);
    installed.push('code-server');
  }

  const seconds = secondsSince(started);
  log(`[e2e setup] done in ${seconds} s${installed.length ? ` (installed: ${installed.join(', ')})` : ' (nothing to install)'}`);
  return { codeServerBin: bin, chromiumPath: chromiumPath(), installed, seconds };
}

/** The version `code-server --version` prints ("4.100.3 <commit> with Code 1.100.3"), or undefined. */
export function installedCodeServerVersion(bin: string): string | undefined {
  if (!fs.existsSync(bin)) return undefined;
  // A first run writes ~/.config/code-server/config.yaml (and logs that line): keep it out of the real HOME.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-code-server-version-'));
  try {
    const result = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share') } });
    if (result.status !== 0) return undefined;
    return /^(\d+\.\d+\.\d+) \S+ with Code /m.exec(result.stdout)?.[1];
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function missingAptPackages(codeServerReady: boolean): string[] {
  const wanted = E2E_APT_PACKAGES.filter((p) => !(codeServerReady && p === 'libkrb5-dev'));
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Status}\n', ...wanted], { encoding: 'utf8' });
  if (dpkg.error) {
    // Not Debian: trust what is on disk, there is nothing we could install anyway.
    return [!fs.existsSync(chromiumPath()) ? 'chromium' : '', !onPath('rg') && !codeServerReady ? 'ripgrep' : ''].filter(Boolean);
  }
  return wanted.filter((p) => {
    const one = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return one.status !== 0 || !one.stdout.includes('install ok installed');
  });
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

async function installCodeServer(repoRoot: string, log: (line: string) => void): Promise<void> {
  const prefix = codeServerPrefix(repoRoot);
  fs.mkdirSync(prefix, { recursive: true });
  // Its own package.json stops npm from walking up to the extension's package.json.
  fs.writeFileSync(
    path.join(prefix, 'package.json'),
    JSON.stringify({ name: 'local-diffusion-e2e-code-server', private: true, description: 'code-server for npm run test:e2e (see test/e2e/setup.ts)' }, null, 2) + '\n',
  );

  // @vscode/ripgrep's postinstall uses $TMPDIR/vscode-ripgrep-cache-1.15.11/<archive> instead of downloading:
  // hand it Debian's rg 13.0.0.
  const tmp = os.tmpdir();
  const cacheDir = path.join(tmp, RIPGREP_CACHE_DIR);
  const archive = path.join(cacheDir, RIPGREP_ARCHIVE);
  if (!fs.existsSync(archive)) {
    const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
    if (!rg) throw new Error('e2e setup: ripgrep (rg) is not installed: apt-get install ripgrep');
    fs.mkdirSync(cacheDir, { recursive: true });
    await runLogged('tar', ['-czf', archive, '-C', path.dirname(rg), path.basename(rg)], { logFile: setupLogPath(repoRoot) }, log);
    log(`[e2e setup] ripgrep cache: ${archive} (from ${rg})`);
  }

  log(`[e2e setup] npm install code-server@${CODE_SERVER_VERSION} into ${prefix} (about 2 min, 300 MB)`);
  await runLogged(
    'npm',
    ['install', `code-server@${CODE_SERVER_VERSION}`, '--unsafe-perm', '--foreground-scripts', '--no-audit', '--no-fund'],
    {
      cwd: prefix,
      env: {
        ...process.env,
        TMPDIR: tmp,
        // node-pty's postinstall runs `npx node-gyp`; node-gyp must not download headers.
        npm_config_yes: 'true',
        npm_config_nodedir: '/usr',
      },
      logFile: setupLogPath(repoRoot),
      // npm's "> package@version script" headers show progress; "added N packages" ends it.
      echo: (l) => /^> \S+@\S+ \w+/.test(l) || /^added \d+ packages/.test(l),
    },
    log,
  );
}

/**
 * Runs a command; its whole output goes to .cache/e2e-setup.log, and only the lines `echo` accepts
 * (e.g. npm's "> pkg@1.0.0 install" script headers) are printed. Rejects on a non-zero exit, with the last lines.
 */
function runLogged(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; echo?: (line: string) => boolean },
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    const file = fs.createWriteStream(options.logFile, { flags: 'a' });
    file.write(`\n$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      file.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        if (options.echo?.(line)) log(`  | ${line}`);
        tail.push(line);
        if (tail.length > 40) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => file.end(() => reject(err)));
    child.on('close', (code) => {
      file.end(() => {
        if (code === 0) resolve();
        else reject(new Error(`e2e setup: \`${command} ${args.join(' ')}\` exited with ${code} (full output: ${options.logFile}):\n${tail.join('\n')}`));
      });
    });
  });
}

function secondsSince(t: number): number {
  return Math.round((Date.now() - t) / 100) / 10;
}
