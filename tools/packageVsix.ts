// npm run package → one platform-specific VSIX per target in out/vsix/, each with only its own platform's native
// binaries (onnxruntime-node, sharp), checked against the size budget and a content check, then a table.
//   node dist/tools/packageVsix.js [--target linux-x64[,win32-x64]]... [--out DIR] [--staging DIR] [--skip-build]
//                                  [--keep-staging]
// Steps: production build (node esbuild.mjs --production) and the built-in sample model (--skip-build packs dist/ as
// it is); per target a staging folder <staging>/<target> (default .cache/vsix/staging; tools/vsix/stageExtension.ts),
// removed afterwards unless --keep-staging; `vsce package --target <t>` there.
// vsce runs with dependencies (its default, `npm list --production`): --no-dependencies would leave node_modules
// out altogether, and the native addons cannot be bundled. Nothing in the VSIX runs at install time: VS Code
// only unpacks it (onnxruntime-node's postinstall, which downloads CUDA, never runs from a VSIX).
// A target whose dependencies ship no binary for it (onnxruntime-node has no darwin/x64 build) is reported and
// skipped; naming it with --target is an error. Exit code 1 when a VSIX fails its budget or content check.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkVsixContents } from './vsix/checkVsixContents';
import { stageExtension, UnsupportedTargetError } from './vsix/stageExtension';
import { VsixContents } from './vsix/vsixContents';
import { findTarget, VSIX_TARGETS, type VsixTarget } from './vsix/vsixTargets';

/** dist/tools/packageVsix.js → the repository root. */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

interface Arguments {
  targets: VsixTarget[];
  /** True when --target named them (an unsupported one is then an error, not a skip). */
  explicitTargets: boolean;
  outDir: string;
  stagingRoot: string;
  skipBuild: boolean;
  keepStaging: boolean;
}

interface TargetResult {
  target: VsixTarget;
  file?: string;
  sizeBytes?: number;
  seconds: number;
  natives: Array<{ path: string; size: number }>;
  /** Why it was not built (unsupported), or its problems. */
  skipped?: string;
  problems: string[];
}

function parseArguments(argv: string[]): Arguments {
  const names: string[] = [];
  let outDir = path.join(REPO_ROOT, 'out', 'vsix');
  let stagingRoot = path.join(REPO_ROOT, '.cache', 'vsix', 'staging');
  let skipBuild = false;
  let keepStaging = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (flag: string): string => {
      if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (arg === '--target' || arg.startsWith('--target=')) names.push(...value('--target').split(',').filter(Boolean));
    else if (arg === '--out' || arg.startsWith('--out=')) outDir = path.resolve(value('--out'));
    else if (arg === '--staging' || arg.startsWith('--staging=')) stagingRoot = path.resolve(value('--staging'));
    else if (arg === '--skip-build') skipBuild = true;
    else if (arg === '--keep-staging') keepStaging = true;
    else throw new Error(`unknown argument ${arg} (use --target T, --out DIR, --staging DIR, --skip-build, --keep-staging)`);
  }
  const targets = names.length > 0 ? [...new Set(names)].map(findTarget) : [...VSIX_TARGETS];
  return { targets, explicitTargets: names.length > 0, outDir, stagingRoot, skipBuild, keepStaging };
}

function run(command: string, args: string[], cwd: string): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` (in ${cwd}) failed: ${result.error?.message ?? `exit ${result.status}`}\n${result.stdout}${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** The production bundles (minified, no maps) and the built-in sample model, as `npm run build` writes it. */
function build(log: (line: string) => void): void {
  const started = Date.now();
  run(process.execPath, ['esbuild.mjs', '--production'], REPO_ROOT);
  run(process.execPath, [path.join('dist', 'tools', 'buildSampleModels.js')], REPO_ROOT);
  log(`[package] production build in ${seconds(started)} s`);
}

function vsixName(manifest: { name: string; version: string }, target: VsixTarget): string {
  return `${manifest.name}-${target.target}-${manifest.version}.vsix`;
}

function packageTarget(target: VsixTarget, args: Arguments, log: (line: string) => void): TargetResult {
  const started = Date.now();
  const stagingDir = path.join(args.stagingRoot, target.target);
  let staged;
  try {
    staged = stageExtension({ repoRoot: REPO_ROOT, target, stagingDir, log });
  } catch (error) {
    if (error instanceof UnsupportedTargetError) return { target, seconds: 0, natives: [], skipped: error.message, problems: [] };
    throw error;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(stagingDir, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = path.join(args.outDir, vsixName(manifest, target));
  fs.mkdirSync(args.outDir, { recursive: true });
  fs.rmSync(file, { force: true });
  const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const { stdout, stderr } = run(process.execPath, [vsce, 'package', '--target', target.target, '--out', file, '--no-yarn'], stagingDir);
  for (const line of `${stdout}\n${stderr}`.split('\n')) if (/WARNING|warn/i.test(line)) log(`[package] ${target.target}: vsce ${line.trim()}`);
  if (!args.keepStaging) fs.rmSync(stagingDir, { recursive: true, force: true });

  const sizeBytes = fs.statSync(file).size;
  const contents = VsixContents.open(file);
  const problems = checkVsixContents(contents, { target, models: staged.models, modelDataFiles: staged.modelDataFiles, sizeBytes });
  return { target, file, sizeBytes, seconds: (Date.now() - started) / 1000, natives: contents.nativeFiles(), problems };
}

function printTable(results: TargetResult[], log: (line: string) => void): void {
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
  log('');
  log('| target | VSIX size | time | native files (uncompressed) | execution providers |');
  log('|---|---:|---:|---|---|');
  for (const r of results) {
    if (r.skipped) {
      log(`| ${r.target.target} | not built | | ${r.skipped} | |`);
      continue;
    }
    const natives = r.natives.map((n) => `${n.path} (${mb(n.size)})`).join('<br>');
    log(`| ${r.target.target} | ${mb(r.sizeBytes ?? 0)} | ${r.seconds.toFixed(1)} s | ${natives} | ${r.target.executionProviders.join(', ')} |`);
  }
  log('');
}

function main(): number {
  const started = Date.now();
  const log = (line: string): void => console.log(line);
  const args = parseArguments(process.argv.slice(2));
  if (!args.skipBuild) build(log);

  const results: TargetResult[] = [];
  for (const target of args.targets) {
    const result = packageTarget(target, args, log);
    results.push(result);
    if (result.skipped) log(`[package] ${target.target}: not built: ${result.skipped}`);
    else log(`[package] ${target.target}: ${path.relative(REPO_ROOT, result.file ?? '')} in ${result.seconds.toFixed(1)} s`);
  }
  printTable(results, log);

  let failed = false;
  for (const r of results) {
    for (const problem of r.problems) {
      failed = true;
      log(`[package] ${r.target.target}: ${problem}`);
    }
    if (r.skipped && args.explicitTargets) failed = true;
  }
  const built = results.filter((r) => !r.skipped).length;
  log(`[package] ${built} VSIX(s) in ${path.relative(REPO_ROOT, args.outDir) || '.'}/ in ${seconds(started)} s${failed ? ' — FAILED' : ''}`);
  return failed || built === 0 ? 1 : 0;
}

function seconds(started: number): string {
  return ((Date.now() - started) / 1000).toFixed(1);
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`[package] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
