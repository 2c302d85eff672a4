// `local-diffusion build [SPEC] [--check] [--only OUTPUT]… [--force] [--json] [--models-dir DIR] [--ep NAME]`:
// builds the missing and stale images of a local-diffusion.json (see README "Images as code").
//   exit 0: everything fresh or built; 1: a bad spec or arguments, a failed entry, or (--check) anything to build;
//   130: interrupted.
// A bad spec is one line `error: FILE:LINE:COLUMN: images[i] (output): message` (the VS Code task's problem matcher,
// package.json contributes.problemMatchers `local-diffusion`, reads it).
import { cancelOnCtrlC } from './cancelOnCtrlC';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { normalizeAssetOutput } from '../common/assets/assetOutputPath';
import { describeAssetSpecProblem } from '../common/assets/parseAssetSpec';
import { EXECUTION_PROVIDER_NAMES, type ExecutionProviderName } from '../common/protocol/engineProtocol';
import { CancellationSource, ErrorCode, RpcFailure } from '../common/protocol/rpc';
import { Engine } from '../engine/engine';
import { buildAssets, type AssetBuildResult } from '../node/assets/buildAssets';
import { inspectAssets, type AssetState } from '../node/assets/inspectAssets';
import { ASSET_SPEC_FILE_NAME, AssetSpecError, loadAssetSpec, type LoadedAssetSpec } from '../node/assets/loadAssetSpec';
import { assetGenerateParams } from '../node/assets/assetGenerateParams';
import { cliCatalog, modelsDirFor } from './modelsCommands';
import { ProgressBar } from './progressBar';

export const BUILD_USAGE = `Usage:
  local-diffusion build [SPEC] [--check] [--only OUTPUT]... [--force] [--json] [--models-dir DIR] [--ep NAME]

Builds the images listed in SPEC (default ./${ASSET_SPEC_FILE_NAME}) whose file is missing or stale: an image
is fresh when the hash of its entry (after defaults), of its model's files and of the output format, recorded in
the image's metadata, is still the same.
  --check            write nothing; list the missing and stale outputs; exit 1 if there are any (for CI)
  --only OUTPUT      only this output (as written in the spec); repeat for more
  --force            rebuild even fresh outputs
  --json             print one JSON summary on stdout: each output's status, hash and seconds
  --models-dir DIR   where installed models are (see "local-diffusion models list")
  --ep NAME          execution provider: ${EXECUTION_PROVIDER_NAMES.join(' | ')} (default auto)
`;

export interface BuildCommand {
  spec: string;
  check: boolean;
  only: string[];
  force: boolean;
  json: boolean;
  modelsDir?: string;
  executionProvider: ExecutionProviderName;
}

export class BuildUsageError extends Error {}

export function parseBuildArgs(argv: readonly string[]): BuildCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        check: { type: 'boolean' },
        only: { type: 'string', multiple: true },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        'models-dir': { type: 'string' },
        ep: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new BuildUsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 1) throw new BuildUsageError(`build takes one spec file, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values.check && values.force) throw new BuildUsageError('--check writes nothing, so --force means nothing with it.');
  const ep = values.ep ?? 'auto';
  if (!(EXECUTION_PROVIDER_NAMES as readonly string[]).includes(ep)) throw new BuildUsageError(`--ep must be one of ${EXECUTION_PROVIDER_NAMES.join(', ')}, got "${ep}".`);
  if (values['models-dir'] === '') throw new BuildUsageError('--models-dir needs a folder.');
  return {
    spec: positionals[0] ?? ASSET_SPEC_FILE_NAME,
    check: Boolean(values.check),
    only: values.only ?? [],
    force: Boolean(values.force),
    json: Boolean(values.json),
    executionProvider: ep as ExecutionProviderName,
    ...(values['models-dir'] ? { modelsDir: values['models-dir'] } : {}),
  };
}

/** The states --only names: by the output as written in the spec, or by a path from the working directory. */
function selectOnly(spec: LoadedAssetSpec, states: AssetState[], only: readonly string[]): AssetState[] {
  if (only.length === 0) return states;
  const wanted = new Set<AssetState>();
  for (const name of only) {
    const normal = normalizeAssetOutput(name.replace(/\\/g, '/'));
    const match = states.filter((s) => s.entry.normalizedOutput === normal || s.file === path.resolve(name));
    if (match.length === 0) {
      throw new BuildUsageError(`--only ${name}: no entry of ${spec.file} writes it (outputs: ${states.map((s) => s.entry.output).join(', ')})`);
    }
    for (const s of match) wanted.add(s);
  }
  return states.filter((s) => wanted.has(s));
}

interface SummaryLine {
  output: string;
  file: string;
  status: string;
  hash: string | null;
  seconds: number;
  error?: string;
}

/** Statuses a build reports, and those a check reports; the summary counts each. */
const BUILD_STATUSES = ['built', 'fresh', 'failed'] as const;
const CHECK_STATUSES = ['fresh', 'stale', 'missing', 'failed'] as const;

function summary(spec: LoadedAssetSpec, lines: SummaryLine[], statuses: readonly string[]): string {
  const counts = Object.fromEntries(statuses.map((status) => [status, lines.filter((l) => l.status === status).length]));
  return `${JSON.stringify({ spec: spec.file, outputs: lines, ...counts })}\n`;
}

function checkLine(state: AssetState): SummaryLine {
  return {
    output: state.entry.output,
    file: state.file,
    status: state.error !== undefined ? 'failed' : state.status,
    hash: state.hash ?? null,
    seconds: 0,
    ...(state.error !== undefined ? { error: state.error } : {}),
  };
}

function resultLine(result: AssetBuildResult): SummaryLine {
  return {
    output: result.entry.output,
    file: result.file,
    status: result.status,
    hash: result.hash ?? null,
    seconds: result.seconds,
    ...(result.error !== undefined ? { error: result.error } : {}),
  };
}

export async function runBuildCommand(argv: readonly string[]): Promise<number> {
  let cmd: BuildCommand | 'help';
  try {
    cmd = parseBuildArgs(argv);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n\n${BUILD_USAGE}`);
    return 1;
  }
  if (cmd === 'help') {
    process.stdout.write(BUILD_USAGE);
    return 0;
  }
  try {
    return await runBuild(cmd);
  } catch (e) {
    if (e instanceof AssetSpecError) {
      const problem = e.problems[0];
      const more = e.problems.length > 1 ? ` (and ${e.problems.length - 1} more)` : '';
      // file:line:column: as compilers print it, so terminals link it and the VS Code task's problem matcher reads it.
      const at = problem ? e.position(problem) : { line: 1, column: 1 };
      process.stderr.write(`error: ${path.relative(process.cwd(), e.file) || e.file}:${at.line}:${at.column}: ${problem ? describeAssetSpecProblem(problem) : 'invalid'}${more}\n`);
      return 1;
    }
    process.stderr.write(`error: ${(e as Error).message.split('\n')[0]}\n`);
    if (process.env.LOCAL_DIFFUSION_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

async function runBuild(cmd: BuildCommand): Promise<number> {
  const spec = await loadAssetSpec(cmd.spec);
  const catalog = await cliCatalog(() => undefined);
  const states = selectOnly(spec, await inspectAssets(spec, { modelsDir: modelsDirFor(cmd.modelsDir), ...(catalog ? { catalog } : {}) }), cmd.only);
  const shown = (file: string): string => path.relative(process.cwd(), file) || file;

  if (cmd.check) {
    const lines = states.map(checkLine);
    if (cmd.json) process.stdout.write(summary(spec, lines, CHECK_STATUSES));
    else {
      for (const line of lines) {
        if (line.status === 'failed') process.stderr.write(`error: ${line.output}: ${line.error}\n`);
        else if (line.status !== 'fresh') process.stdout.write(`${line.status.padEnd(7)} ${shown(line.file)}\n`);
      }
      const pending = lines.filter((l) => l.status !== 'fresh').length;
      process.stderr.write(pending === 0 ? `all ${lines.length} outputs are fresh\n` : `${pending} of ${lines.length} outputs need building: run local-diffusion build\n`);
    }
    return lines.every((l) => l.status === 'fresh') ? 0 : 1;
  }

  const engine = new Engine((level, message) => {
    if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
  });
  const { cancel, dispose: stopCtrlC } = cancelOnCtrlC();
  const tty = Boolean(process.stderr.isTTY) && !cmd.json;
  let bar: ProgressBar | undefined;
  try {
    const results = await buildAssets(states, {
      force: cmd.force,
      cancelled: () => cancel.token.cancelled,
      generate: async (entry, model) => {
        const result = await engine.generate(assetGenerateParams(entry, model, cmd.executionProvider), {
          cancellation: cancel.token,
          ...(bar ? { onProgress: (p) => bar?.update(p) } : {}),
        });
        bar?.clear();
        for (const warning of result.warnings) process.stderr.write(`warning: ${entry.output}: ${warning}\n`);
        const image = result.images[0];
        if (!image) throw new Error('the engine returned no image');
        return { png: image.png, parameters: image.parameters };
      },
      onStart: (state, position, total) => {
        if (!tty) return;
        process.stderr.write(`[${position}/${total}] ${state.entry.output}\n`);
        bar = new ProgressBar(process.stderr);
      },
      onDone: (result) => {
        bar?.clear();
        bar = undefined;
        if (cmd.json) return;
        if (result.status === 'failed') process.stderr.write(`failed  ${shown(result.file)}: ${result.error}\n`);
        else process.stdout.write(`${result.status.padEnd(7)} ${shown(result.file)}${result.status === 'built' ? `  (${result.seconds.toFixed(2)} s)` : ''}\n`);
      },
    });
    if (cancel.token.cancelled) {
      process.stderr.write('error: cancelled; the outputs built so far are kept.\n');
      return 130;
    }
    if (cmd.json) process.stdout.write(summary(spec, results.map(resultLine), BUILD_STATUSES));
    return results.some((r) => r.status === 'failed') ? 1 : 0;
  } catch (e) {
    if (e instanceof RpcFailure && e.code === ErrorCode.Cancelled) return 130;
    throw e;
  } finally {
    bar?.clear();
    stopCtrlC();
    await engine.dispose();
  }
}
