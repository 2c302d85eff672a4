// `local-diffusion models pull|list`, and the lookup that lets --model name a catalog id or an installed repo.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, RpcFailure, type CancellationSource } from '../common/protocol/rpc';
import { readAcceptedLicences, recordAcceptedLicence } from '../node/modelStore/acceptedLicences';
import { CATALOG_FILE, catalogEntryForSource, findCatalogEntry, licenceAcceptanceKey, loadCatalog, type Catalog } from '../node/modelStore/catalog';
import { summariseSkipped } from '../node/modelStore/fileSelection';
import { formatBytes } from '../node/modelStore/formatBytes';
import { HubClient } from '../node/modelStore/hubClient';
import { huggingFaceHubCacheDir } from '../node/modelStore/huggingFaceCache';
import { huggingFaceTokenFromEnvironment } from '../node/modelStore/huggingFaceToken';
import { listInstalledModels } from '../node/modelStore/installedModels';
import { installDir } from '../node/modelStore/installLayout';
import { ModelInstaller, removeReplacedFolders } from '../node/modelStore/modelInstaller';
import { resolveModelReference } from '../node/modelStore/modelReference';
import { defaultModelsDir } from '../node/modelStore/modelsFolder';
import { formatModelSpec, modelSource, parseModelSpec, type ModelSource } from '../node/modelStore/modelSource';
import { MODEL_KIND_LABELS } from '../node/modelStore/modelKind';
import { ModelStoreError } from '../node/modelStore/modelStoreError';
import { proxyFromEnvironment } from '../node/modelStore/proxyConfig';
import type { ModelsListCommand, ModelsPullCommand } from './cliArgs';
import { DownloadProgressBar } from './downloadProgressBar';

/** Set to any value: do not reuse files from the Hugging Face cache. */
export const NO_HF_CACHE_ENV = 'LOCAL_DIFFUSION_NO_HF_CACHE';

export function modelsDirFor(option: string | undefined): string {
  return path.resolve(option ?? defaultModelsDir(process.env, process.platform, os.homedir()));
}

/** The catalog next to dist/cli.js (<root>/models/catalog.json); undefined (with a warning) when unreadable. */
export async function cliCatalog(warn: (message: string) => void): Promise<Catalog | undefined> {
  try {
    return await loadCatalog(path.join(__dirname, '..', ...CATALOG_FILE));
  } catch (error) {
    warn(`the model catalog is not available: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * The folder for a --model value: an existing folder as is; a catalog id or an installed repo id as its install
 * folder; anything else as given (the engine then says it is not a model folder).
 */
export async function resolveModelArgument(value: string, modelsDirOption: string | undefined): Promise<{ dir: string; name?: string }> {
  if (fs.existsSync(value)) return { dir: value };
  const modelsDir = modelsDirFor(modelsDirOption);
  const catalog = await cliCatalog(() => undefined);
  const reference = resolveModelReference(value, { ...(catalog ? { catalog } : {}), modelsDir });
  if (reference.kind !== 'hub') return { dir: value };
  if (reference.installed) return { dir: reference.dir, name: reference.entry?.id ?? formatModelSpec(reference.source) };
  throw new RpcFailure(
    ErrorCode.ModelMissing,
    `"${value}" is neither a model folder nor a model installed in ${modelsDir}: run "local-diffusion models pull ${value}" first.`,
  );
}

function sourceFor(cmd: ModelsPullCommand, catalog: Catalog | undefined): { source: ModelSource; catalogId?: string } {
  const entry = findCatalogEntry(catalog, cmd.model);
  const parsed = entry ? undefined : parseModelSpec(cmd.model);
  if (!entry && !parsed) {
    const ids = catalog?.models.map((m) => m.id).join(', ');
    throw new ModelStoreError(
      'invalid',
      `"${cmd.model}" is neither a catalog id${ids ? ` (${ids})` : ''} nor a Hugging Face repo id (owner/name[@revision][:subfolder]).`,
    );
  }
  const base = entry ? { repoId: entry.repo, revision: entry.revision, subfolder: entry.subfolder } : parsed!;
  const source = modelSource(base.repoId, cmd.revision ?? base.revision, cmd.subfolder ?? base.subfolder);
  const matching = catalogEntryForSource(catalog, source);
  return { source, ...(matching ? { catalogId: matching.id } : {}) };
}

export async function runModelsPull(cmd: ModelsPullCommand, cancel: CancellationSource): Promise<number> {
  const modelsDir = modelsDirFor(cmd.modelsDir);
  const tty = Boolean(process.stderr.isTTY) && !cmd.json;
  const bar = new DownloadProgressBar(process.stderr, tty);
  const say = (line: string): void => bar.log(line);
  const catalog = await cliCatalog((m) => say(`warning: ${m}`));
  const { source, catalogId } = sourceFor(cmd, catalog);
  const entry = catalogId ? findCatalogEntry(catalog, catalogId) : undefined;

  if (entry?.licence.mustAccept) {
    const key = licenceAcceptanceKey(entry);
    const accepted = await readAcceptedLicences(modelsDir);
    if (!accepted[key]) {
      if (!cmd.acceptLicense) {
        throw new ModelStoreError(
          'invalid',
          `${entry.name} is under the ${entry.licence.name}${entry.licence.commercialUse ? '' : ' (non-commercial use only)'}: read it at ${entry.licence.url}, then run again with --accept-license.`,
        );
      }
      await recordAcceptedLicence(modelsDir, key);
      say(`accepted the ${entry.licence.name} for ${entry.name}`);
    }
  }
  if (entry && !entry.verified) say(`note: the catalog could not verify that ${entry.repo} exists (${entry.evidence})`);

  const found = huggingFaceTokenFromEnvironment(process.env, os.homedir());
  const hub = new HubClient({
    ...(process.env.HF_ENDPOINT ? { endpoint: process.env.HF_ENDPOINT } : {}),
    ...(found ? { token: found.token } : {}),
    proxy: proxyFromEnvironment(process.env),
  });
  const installer = new ModelInstaller({
    modelsDir,
    hub,
    ...(process.env[NO_HF_CACHE_ENV] ? {} : { huggingFaceCacheDir: huggingFaceHubCacheDir(process.env, os.homedir()) }),
    log: (line) => {
      if (/Retry|resumed|reused|taking over|stopped download/.test(line) || process.env.LOCAL_DIFFUSION_DEBUG) say(line);
    },
  });
  const controller = new AbortController();
  const subscription = cancel.token.onCancel(() => controller.abort());
  try {
    await removeReplacedFolders(modelsDir);
    const plan = await installer.plan({
      source,
      ...(catalogId ? { catalogId } : {}),
      ...(entry?.files ? { files: entry.files } : {}),
      ...(entry ? { kind: entry.kind } : {}),
      ...(entry?.recommended ? { recommended: entry.recommended } : {}),
      signal: controller.signal,
    });
    const { selection } = plan;
    say(
      `${formatModelSpec(source)} at ${plan.commit.slice(0, 10)}: ${selection.files.length} files, ${formatBytes(selection.totalBytes)}` +
        (selection.skipped.length ? `; skipping ${summariseSkipped(selection.skipped, formatBytes)}` : '') +
        (found ? ` (token from ${found.source})` : ''),
    );
    for (const warning of selection.warnings) say(`warning: ${warning}`);
    const result = await installer.install({ source, plan, signal: controller.signal, onProgress: (p) => bar.update(p) });
    bar.clear();
    if (cmd.json) {
      process.stdout.write(
        `${JSON.stringify({
          dir: result.model.dir,
          source: result.model.source,
          spec: formatModelSpec(result.model.source),
          ...(catalogId ? { catalogId } : {}),
          commit: result.model.commit,
          totalBytes: result.model.totalBytes,
          downloadedBytes: result.downloadedBytes,
          reusedBytes: result.reusedBytes,
          resumedBytes: result.resumedBytes,
          alreadyInstalled: result.alreadyInstalled,
          files: result.model.files.length,
        })}\n`,
      );
    } else {
      say(
        result.alreadyInstalled
          ? `already installed (commit ${result.model.commit.slice(0, 10)})`
          : `installed: ${formatBytes(result.downloadedBytes)} downloaded, ${formatBytes(result.reusedBytes)} reused, ${formatBytes(result.resumedBytes)} resumed`,
      );
      process.stdout.write(`${result.model.dir}\n`);
    }
    return 0;
  } catch (error) {
    bar.clear();
    if (error instanceof RpcFailure && error.code === ErrorCode.Cancelled) {
      process.stderr.write(`error: cancelled; run the same command again to resume (${installDir(modelsDir, source)}.partial).\n`);
      return 130;
    }
    if (error instanceof ModelStoreError && error.detail && process.env.LOCAL_DIFFUSION_DEBUG) process.stderr.write(`${error.detail}\n`);
    throw error;
  } finally {
    subscription.dispose();
  }
}

export async function runModelsList(cmd: ModelsListCommand): Promise<number> {
  const modelsDir = modelsDirFor(cmd.modelsDir);
  const catalog = await cliCatalog((m) => process.stderr.write(`warning: ${m}\n`));
  const { installed, incomplete } = await listInstalledModels(modelsDir);
  const installedIds = new Set(installed.map((m) => catalogEntryForSource(catalog, m.source)?.id).filter((id): id is string => id !== undefined));
  if (cmd.json) {
    process.stdout.write(
      `${JSON.stringify({
        modelsDir,
        installed: installed.map((m) => ({
          spec: formatModelSpec(m.source),
          ...(catalogEntryForSource(catalog, m.source) ? { catalogId: catalogEntryForSource(catalog, m.source)!.id } : {}),
          source: m.source,
          commit: m.commit,
          totalBytes: m.totalBytes,
          installedAt: m.installedAt,
          dir: m.dir,
        })),
        incomplete: incomplete.map((d) => ({ dir: d.dir, bytes: d.bytes, ...(d.source ? { spec: formatModelSpec(d.source) } : {}), ...(d.totalBytes !== undefined ? { totalBytes: d.totalBytes } : {}) })),
        catalog: (catalog?.models ?? []).map((e) => ({
          id: e.id,
          name: e.name,
          repo: e.repo,
          revision: e.revision,
          subfolder: e.subfolder,
          installed: installedIds.has(e.id),
          verified: e.verified,
          licence: e.licence,
          kind: e.kind,
          ...(e.recommended ? { recommended: e.recommended } : {}),
        })),
      })}\n`,
    );
    return 0;
  }
  const lines = [`models folder: ${modelsDir}`, '', 'installed:'];
  if (installed.length === 0) lines.push('  (none)');
  for (const m of installed) {
    const id = catalogEntryForSource(catalog, m.source)?.id;
    lines.push(`  ${id ? `${id}  ` : ''}${formatModelSpec(m.source)}  ${formatBytes(m.totalBytes)}  commit ${m.commit.slice(0, 10)}  ${m.dir}`);
  }
  if (incomplete.length > 0) {
    lines.push('', 'stopped downloads (pull again to resume):');
    for (const d of incomplete) {
      lines.push(`  ${d.source ? formatModelSpec(d.source) : path.basename(d.dir)}  ${formatBytes(d.bytes)}${d.totalBytes ? ` of ${formatBytes(d.totalBytes)}` : ''}`);
    }
  }
  if (catalog) {
    lines.push('', 'catalog (local-diffusion models pull ID):');
    for (const e of catalog.models) {
      const status = installedIds.has(e.id) ? 'installed' : 'not installed';
      const licence = `${e.licence.name}${e.licence.commercialUse ? '' : ', non-commercial'}`;
      const kind = e.kind === 'diffusion' ? '' : ` · ${MODEL_KIND_LABELS[e.kind]}`;
      lines.push(`  ${e.id.padEnd(20)} ${e.name} (${e.repo}${e.revision !== 'main' ? `@${e.revision}` : ''})${kind} · ${status} · ${licence}${e.verified ? '' : ' · unverified repo id'}`);
      const r = e.recommended;
      lines.push(`  ${''.padEnd(20)} ${r ? `${r.steps} step${r.steps === 1 ? '' : 's'}, guidance ${r.guidanceScale}, ${r.scheduler}. ` : ''}${e.note}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
