// Installs a model from the Hugging Face Hub into the models folder, atomically:
//   1. plan: pin the revision to a commit, list the repo, select the files the engine needs (fileSelection.ts);
//   2. fill "<name>.partial/": files already there are kept (verified earlier), .part files resume, files found
//      in the Hugging Face cache or in an older install of the same model are reused, the rest is downloaded;
//      every file is checked against the listing's size and sha256 / git blob id before it gets its name;
//   3. write local-diffusion-model.json, then rename the folder into place (an older version is swapped out).
// Until step 3 nothing looks installed, so a crash, a kill or a cancel leaves a resumable .partial folder and
// never a broken model. Requests for the same model share one download (in this process: one job; across
// processes: a lock file with the pid in the .partial folder).
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { CatalogRecommendation } from './catalog';
import { checkDiskSpace, freeDiskBytes as defaultFreeDiskBytes } from './diskSpace';
import { downloadFile, reuseCachedFile, type WriteChunk } from './downloadFile';
import { SpeedMeter, type DownloadPhase, type DownloadProgress } from './downloadProgress';
import { FileDigest, hashFilePrefix, type ExpectedContent } from './fileDigest';
import { selectModelFiles, summariseSkipped, type FileRules, type FileSelection, type SelectedFile } from './fileSelection';
import { DEFAULT_MODEL_KIND, type ModelKind } from './modelKind';
import { formatBytes } from './formatBytes';
import { hubError, type HubClient } from './hubClient';
import { findCachedFile } from './huggingFaceCache';
import { MANIFEST_FORMAT, readDownloadState, readInstalledModel, type DownloadState, type InstalledModel, type InstallManifest } from './installedModels';
import {
  DOWNLOAD_LOCK_FILE,
  DOWNLOAD_STATE_FILE,
  INSTALL_MANIFEST_FILE,
  installDir,
  localFile,
  PART_SUFFIX,
  REPLACED_MARKER,
  stagingDir,
} from './installLayout';
import { formatModelSpec, type ModelSource } from './modelSource';
import { ModelStoreError } from './modelStoreError';
import { cancelledError, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retrySchedule';

const PROGRESS_INTERVAL_MS = 200;

export interface ModelInstallerOptions {
  modelsDir: string;
  hub: HubClient;
  /** The Hugging Face cache to reuse files from (huggingFaceHubCacheDir); undefined: none. */
  huggingFaceCacheDir?: string;
  /** Seams for tests: free space, chunk writes (ENOSPC), retry timing. */
  freeDiskBytes?: (dir: string) => Promise<number>;
  writeChunk?: WriteChunk;
  retry?: RetryPolicy;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  log?: (message: string) => void;
  progressIntervalMs?: number;
}

export interface PlanRequest {
  source: ModelSource;
  /** The catalog entry's file rules. */
  files?: FileRules;
  catalogId?: string;
  /** The catalog entry's recommended settings, kept in the manifest (the engine's defaults for the model). */
  recommended?: CatalogRecommendation;
  /** The catalog entry's kind: what files the model needs; default a diffusion model. */
  kind?: ModelKind;
  signal?: AbortSignal;
}

export interface InstallPlan {
  source: ModelSource;
  catalogId?: string;
  recommended?: CatalogRecommendation;
  kind: ModelKind;
  commit: string;
  /** false, "auto" or "manual". */
  gated: false | string;
  license?: string;
  selection: FileSelection;
  installDir: string;
  /** Installed already, at this commit, with every file present. */
  alreadyInstalled: boolean;
}

export interface InstallRequest extends PlanRequest {
  /** A plan made just before (plan() then a confirmation): skips listing again. */
  plan?: InstallPlan;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface InstallResult {
  model: InstalledModel;
  alreadyInstalled: boolean;
  downloadedBytes: number;
  /** Bytes taken from the Hugging Face cache or an older install. */
  reusedBytes: number;
  /** Bytes that were already in the .partial folder. */
  resumedBytes: number;
  warnings: string[];
}

interface Job {
  readonly promise: Promise<InstallResult>;
  readonly controller: AbortController;
  readonly listeners: Set<(progress: DownloadProgress) => void>;
  waiters: number;
  last?: DownloadProgress;
}

/** Downloads running in this process, by install folder: every ModelInstaller shares them. */
const activeJobs = new Map<string, Job>();

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const stat = await fsp.stat(file);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

async function writeFileDurably(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await fsp.open(temporary, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(temporary, file);
}

/** Every file below `dir`, as "/"-separated paths relative to it. */
async function walkFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walkFiles(path.join(dir, entry.name), relative)));
    else out.push(relative);
  }
  return out;
}

function expectedOf(file: SelectedFile): ExpectedContent {
  return { size: file.size, ...(file.sha256 ? { sha256: file.sha256 } : { gitOid: file.oid }) };
}

function sameContent(a: { size: number; oid: string; sha256?: string } | undefined, b: SelectedFile): boolean {
  return a !== undefined && a.size === b.size && (a.sha256 ?? a.oid) === (b.sha256 ?? b.oid);
}

async function verifyFile(file: string, expected: ExpectedContent, signal?: AbortSignal): Promise<boolean> {
  const digest = new FileDigest(expected);
  try {
    await hashFilePrefix(file, expected.size, digest, signal);
  } catch {
    if (signal?.aborted) throw cancelledError();
    return false;
  }
  return digest.finish().matches;
}

export class ModelInstaller {
  private readonly retry: RetryPolicy;

  constructor(private readonly options: ModelInstallerOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  get modelsDir(): string {
    return this.options.modelsDir;
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  /** True while this process downloads the model. */
  isDownloading(source: ModelSource): boolean {
    return isInstallRunning(this.options.modelsDir, source);
  }

  /** Asks the Hub what would be installed (commit, files, sizes); downloads nothing. */
  async plan(request: PlanRequest): Promise<InstallPlan> {
    const { source } = request;
    const hub = this.options.hub;
    const revision = await hub.revision(source.repoId, source.revision, request.signal);
    const listing = await hub.listFiles(source.repoId, revision.commit, request.signal);
    const kind = request.kind ?? DEFAULT_MODEL_KIND;
    const selection = selectModelFiles(listing, source.subfolder, request.files, `${source.repoId}@${source.revision}`, kind);
    const dir = installDir(this.options.modelsDir, source);
    const installed = await readInstalledModel(dir);
    let alreadyInstalled = false;
    if (installed && installed.commit === revision.commit) {
      const sizes = await Promise.all(selection.files.map((f) => fileSize(localFile(dir, f.path))));
      alreadyInstalled = sizes.every((size, i) => size === selection.files[i]!.size);
    }
    this.log(
      `${formatModelSpec(source)}: commit ${revision.commit}, ${selection.files.length} files (${formatBytes(selection.totalBytes)})` +
        (selection.skipped.length ? `; skipped ${selection.skipped.length} files (${formatBytes(selection.skippedBytes)}): ${summariseSkipped(selection.skipped, formatBytes)}` : '') +
        (alreadyInstalled ? '; already installed' : ''),
    );
    return {
      source,
      ...(request.catalogId ? { catalogId: request.catalogId } : {}),
      ...(request.recommended ? { recommended: request.recommended } : {}),
      kind,
      commit: revision.commit,
      gated: revision.gated,
      ...(revision.license ? { license: revision.license } : {}),
      selection,
      installDir: dir,
      alreadyInstalled,
    };
  }

  /**
   * Installs (or updates) the model and resolves with it. Rejects with a ModelStoreError, or an RpcFailure
   * "cancelled" when `signal` aborts (the shared download stops once every request for it was cancelled).
   */
  async install(request: InstallRequest): Promise<InstallResult> {
    const key = installDir(this.options.modelsDir, request.source);
    let job = activeJobs.get(key);
    if (job?.controller.signal.aborted) {
      // Everyone left that one; let it wind down (it holds the lock) and start afresh.
      await job.promise.catch(() => undefined);
      job = activeJobs.get(key);
    }
    if (!job) {
      const controller = new AbortController();
      const listeners = new Set<(progress: DownloadProgress) => void>();
      const created: Job = {
        controller,
        listeners,
        waiters: 0,
        // Started after this object exists (a microtask later): the job's first progress goes to `created`.
        promise: Promise.resolve().then(() =>
          this.run(request, controller.signal, (progress) => {
            created.last = progress;
            for (const listener of listeners) {
              try {
                listener(progress);
              } catch {
                // a listener's fault is not the download's
              }
            }
          }),
        ),
      };
      job = created;
      activeJobs.set(key, created);
      created.promise.then(
        () => activeJobs.delete(key),
        () => activeJobs.delete(key),
      );
    }
    return this.join(job, request);
  }

  private join(job: Job, request: InstallRequest): Promise<InstallResult> {
    job.waiters++;
    const listener = request.onProgress;
    if (listener) {
      job.listeners.add(listener);
      if (job.last) listener(job.last);
    }
    return new Promise<InstallResult>((resolve, reject) => {
      let settled = false;
      const leave = (): void => {
        settled = true;
        request.signal?.removeEventListener('abort', onAbort);
        if (listener) job.listeners.delete(listener);
        job.waiters--;
      };
      const onAbort = (): void => {
        if (settled) return;
        leave();
        if (job.waiters === 0) job.controller.abort();
        reject(cancelledError('Download cancelled. The files downloaded so far are kept: download again to resume.'));
      };
      job.promise.then(
        (result) => {
          if (settled) return;
          leave();
          resolve(result);
        },
        (error: unknown) => {
          if (settled) return;
          leave();
          reject(error);
        },
      );
      if (request.signal?.aborted) onAbort();
      else request.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async run(request: InstallRequest, signal: AbortSignal, emit: (progress: DownloadProgress) => void): Promise<InstallResult> {
    emit({ phase: 'listing', fileIndex: 0, fileCount: 0, fileBytes: 0, fileSize: 0, bytes: 0, totalBytes: 0, bytesPerSecond: 0 });
    const plan = request.plan ?? (await this.plan({ ...request, signal }));
    const { source, selection } = plan;
    const finalDir = plan.installDir;
    if (plan.alreadyInstalled) {
      const model = await readInstalledModel(finalDir);
      if (model) return { model, alreadyInstalled: true, downloadedBytes: 0, reusedBytes: 0, resumedBytes: 0, warnings: selection.warnings };
    }
    const hub = this.options.hub;
    if (plan.gated !== false && !hub.hasToken) {
      throw hubError(401, 'GatedRepo', undefined, { repoId: source.repoId, hasToken: false, endpoint: hub.endpoint });
    }

    const staging = stagingDir(this.options.modelsDir, source);
    try {
      await fsp.mkdir(staging, { recursive: true });
    } catch (error) {
      throw new ModelStoreError('io', `Cannot create ${staging}: ${(error as Error).message}.`, { cause: error });
    }
    const releaseLock = await this.acquireLock(staging);
    let lockFile = path.join(staging, DOWNLOAD_LOCK_FILE);
    try {
      const previous = await readDownloadState(staging);
      const trusted = await this.pruneStaging(staging, plan, previous);
      const state: DownloadState = {
        source,
        commit: plan.commit,
        ...(plan.catalogId ? { catalogId: plan.catalogId } : {}),
        totalBytes: selection.totalBytes,
        files: Object.fromEntries(selection.files.map((f) => [f.path, { size: f.size, oid: f.oid, ...(f.sha256 ? { sha256: f.sha256 } : {}) }])),
      };
      await writeFileDurably(path.join(staging, DOWNLOAD_STATE_FILE), JSON.stringify(state, null, 2));

      // What is done, what is partly there, what must be fetched.
      const done = new Set<string>();
      let needed = 0;
      let resumedBytes = 0;
      for (const file of selection.files) {
        const target = localFile(staging, file.path);
        const size = await fileSize(target);
        if (size === file.size && (trusted.has(file.path) || (await verifyFile(target, expectedOf(file), signal)))) {
          done.add(file.path);
          resumedBytes += file.size;
          continue;
        }
        if (size !== undefined) await fsp.rm(target, { force: true });
        const part = (await fileSize(`${target}${PART_SUFFIX}`)) ?? 0;
        resumedBytes += Math.min(part, file.size);
        needed += file.size - Math.min(part, file.size);
      }
      const freeBytes = await (this.options.freeDiskBytes ?? defaultFreeDiskBytes)(this.options.modelsDir);
      checkDiskSpace(needed, freeBytes, this.options.modelsDir);

      const previousInstall = await readInstalledModel(finalDir);
      const result = await this.fetchFiles(plan, staging, done, previousInstall, signal, emit);

      emit({
        phase: 'installing',
        fileIndex: selection.files.length,
        fileCount: selection.files.length,
        fileBytes: 0,
        fileSize: 0,
        bytes: selection.totalBytes,
        totalBytes: selection.totalBytes,
        bytesPerSecond: 0,
      });
      const manifest: InstallManifest = {
        format: MANIFEST_FORMAT,
        source,
        commit: plan.commit,
        ...(plan.catalogId ? { catalogId: plan.catalogId } : {}),
        ...(plan.recommended ? { recommended: plan.recommended } : {}),
        kind: plan.kind,
        ...(plan.license ? { license: plan.license } : {}),
        installedAt: new Date().toISOString(),
        totalBytes: selection.totalBytes,
        files: selection.files.map((f) => ({ path: f.path, size: f.size, oid: f.oid, ...(f.sha256 ? { sha256: f.sha256 } : {}) })),
      };
      await writeFileDurably(path.join(staging, INSTALL_MANIFEST_FILE), JSON.stringify(manifest, null, 2));
      await fsp.rm(path.join(staging, DOWNLOAD_STATE_FILE), { force: true });
      if (signal.aborted) throw cancelledError();
      await this.swapIntoPlace(staging, finalDir);
      lockFile = path.join(finalDir, DOWNLOAD_LOCK_FILE);
      this.log(
        `${formatModelSpec(source)}: installed in ${finalDir} (${formatBytes(result.downloadedBytes)} downloaded, ${formatBytes(result.reusedBytes)} reused, ${formatBytes(resumedBytes)} already there).`,
      );
      return { model: { ...manifest, dir: finalDir }, alreadyInstalled: false, ...result, resumedBytes, warnings: selection.warnings };
    } finally {
      await releaseLock(lockFile);
    }
  }

  /** Takes the .partial folder's lock (pid file); a lock of a process that is gone is taken over. */
  private async acquireLock(staging: string): Promise<(file: string) => Promise<void>> {
    const file = path.join(staging, DOWNLOAD_LOCK_FILE);
    const release = async (current: string): Promise<void> => {
      await fsp.rm(current, { force: true }).catch(() => undefined);
    };
    for (let tries = 0; tries < 2; tries++) {
      try {
        await fsp.writeFile(file, String(process.pid), { flag: 'wx' });
        return release;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new ModelStoreError('io', `Cannot lock ${staging}: ${(error as Error).message}.`, { cause: error });
        }
        const pid = Number((await fsp.readFile(file, 'utf8').catch(() => '')).trim());
        // Our own pid: a leftover (this process runs one job per model, and this is it).
        if (pid !== process.pid && isAlive(pid)) {
          throw new ModelStoreError(
            'busy',
            `Another Local Diffusion process (pid ${pid}) is downloading this model into ${staging}. Wait for it to finish, or stop it and download again.`,
          );
        }
        this.log(`taking over the download in ${staging} from process ${pid || '?'}, which has ended`);
        await fsp.rm(file, { force: true });
      }
    }
    throw new ModelStoreError('busy', `Cannot lock ${staging}: another process keeps taking it.`);
  }

  /**
   * Removes from the .partial folder what does not belong to this plan (files of another commit whose content
   * changed, files no longer selected). Returns the paths whose completed files can be trusted without a re-hash.
   */
  private async pruneStaging(staging: string, plan: InstallPlan, previous: DownloadState | undefined): Promise<Set<string>> {
    const wanted = new Map(plan.selection.files.map((f) => [f.path, f]));
    const trusted = new Set<string>();
    for (const relative of await walkFiles(staging)) {
      if (relative === DOWNLOAD_STATE_FILE || relative === DOWNLOAD_LOCK_FILE || relative === `${DOWNLOAD_STATE_FILE}.tmp`) continue;
      const isPart = relative.endsWith(PART_SUFFIX);
      const localPath = isPart ? relative.slice(0, -PART_SUFFIX.length) : relative;
      const file = wanted.get(localPath);
      const unchanged = file !== undefined && (previous === undefined || sameContent(previous.files[localPath], file));
      if (!file || !unchanged) {
        await fsp.rm(localFile(staging, relative), { force: true });
        continue;
      }
      if (!isPart && previous !== undefined) trusted.add(localPath);
    }
    if (previous && previous.commit !== plan.commit) {
      this.log(`${formatModelSpec(plan.source)}: the stopped download was for commit ${previous.commit}; keeping the files that did not change.`);
    }
    return trusted;
  }

  private async fetchFiles(
    plan: InstallPlan,
    staging: string,
    done: Set<string>,
    previousInstall: InstalledModel | undefined,
    signal: AbortSignal,
    emit: (progress: DownloadProgress) => void,
  ): Promise<{ downloadedBytes: number; reusedBytes: number }> {
    const { selection, source } = plan;
    const hub = this.options.hub;
    const meter = new SpeedMeter();
    const interval = this.options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
    let completedBytes = selection.files.filter((f) => done.has(f.path)).reduce((sum, f) => sum + f.size, 0);
    let downloadedBytes = 0;
    let reusedBytes = 0;
    let lastEmit = 0;
    const fileCount = selection.files.length;

    for (const [i, file] of selection.files.entries()) {
      if (signal.aborted) throw cancelledError();
      if (done.has(file.path)) continue;
      let phase: DownloadPhase = 'downloading';
      let fileBytes = 0;
      const report = (force: boolean): void => {
        const now = performance.now();
        if (!force && now - lastEmit < interval) return;
        lastEmit = now;
        const bytes = completedBytes + fileBytes;
        const remaining = selection.totalBytes - bytes;
        const secondsLeft = phase === 'downloading' ? meter.secondsLeft(remaining) : undefined;
        emit({
          phase,
          fileIndex: i + 1,
          fileCount,
          file: file.path,
          fileBytes,
          fileSize: file.size,
          bytes,
          totalBytes: selection.totalBytes,
          bytesPerSecond: meter.bytesPerSecond(),
          ...(secondsLeft !== undefined ? { secondsLeft } : {}),
        });
      };
      const target = localFile(staging, file.path);
      const expected = expectedOf(file);

      // 1. the same file in the version installed before (an update)
      const old = previousInstall?.files.find((f) => f.path === file.path);
      if (previousInstall && sameContent(old, file)) {
        phase = 'reusing';
        report(true);
        if (await this.linkOrCopy(localFile(previousInstall.dir, file.path), target)) {
          reusedBytes += file.size;
          completedBytes += file.size;
          continue;
        }
      }

      // 2. the Hugging Face cache
      if (this.options.huggingFaceCacheDir) {
        const cached = await findCachedFile(this.options.huggingFaceCacheDir, {
          repoId: source.repoId,
          repoPath: file.repoPath,
          size: file.size,
          oid: file.oid,
          commit: plan.commit,
          ...(file.sha256 ? { sha256: file.sha256 } : {}),
        });
        if (cached) {
          phase = 'reusing';
          report(true);
          const reused = await reuseCachedFile(cached, target, expected, {
            signal,
            label: file.path,
            ...(this.options.writeChunk ? { writeChunk: this.options.writeChunk } : {}),
            onFileBytes: (bytes) => {
              fileBytes = bytes;
              report(false);
            },
          });
          if (reused) {
            this.log(`${file.path}: reused ${cached}`);
            reusedBytes += file.size;
            completedBytes += file.size;
            continue;
          }
          this.log(`${file.path}: the copy in the Hugging Face cache (${cached}) does not match the Hub's hash; downloading it`);
        }
      }

      // 3. the Hub
      phase = 'downloading';
      report(true);
      const result = await downloadFile({
        url: hub.fileUrl(source.repoId, plan.commit, file.repoPath),
        request: hub.sendRequest,
        requestOptions: hub.requestOptions(),
        failure: (response) => hub.failure(response, { repoId: source.repoId, revision: source.revision, path: file.repoPath }),
        target,
        expected,
        label: file.path,
        retry: this.retry,
        signal,
        ...(this.options.writeChunk ? { writeChunk: this.options.writeChunk } : {}),
        ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        ...(this.options.random ? { random: this.options.random } : {}),
        onPhase: (p) => {
          phase = p;
          report(true);
        },
        onFileBytes: (bytes) => {
          fileBytes = bytes;
          report(false);
        },
        onNetworkBytes: (bytes) => meter.add(bytes),
        onRetry: (attempt, delayMs, error) => this.log(`${file.path}: ${error.message} Retry ${attempt}/${this.retry.maxAttempts} in ${(delayMs / 1000).toFixed(1)} s.`),
      });
      if (result.resumedFrom > 0) this.log(`${file.path}: resumed at ${result.resumedFrom} of ${file.size} bytes`);
      downloadedBytes += result.downloadedBytes;
      completedBytes += file.size;
      fileBytes = 0;
    }
    return { downloadedBytes, reusedBytes };
  }

  /** A hard link (same file system) or a copy of an installed file; false when neither works. */
  private async linkOrCopy(source: string, target: string): Promise<boolean> {
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.rm(target, { force: true });
    try {
      await fsp.link(source, target);
      return true;
    } catch {
      try {
        await fsp.copyFile(source, target);
        return true;
      } catch {
        return false;
      }
    }
  }

  /** Renames the complete .partial folder to the install folder, swapping an older version out. */
  private async swapIntoPlace(staging: string, finalDir: string): Promise<void> {
    let replaced: string | undefined;
    try {
      if (await exists(finalDir)) {
        replaced = `${finalDir}${REPLACED_MARKER}${Date.now()}`;
        await fsp.rename(finalDir, replaced);
      }
      await fsp.rename(staging, finalDir);
    } catch (error) {
      if (replaced && !(await exists(finalDir))) await fsp.rename(replaced, finalDir).catch(() => undefined);
      throw new ModelStoreError(
        'io',
        `Cannot move the downloaded model into ${finalDir}: ${(error as Error).message}. If the model is in use (loaded), unload it and download again; the files are kept.`,
        { cause: error },
      );
    }
    if (replaced) await fsp.rm(replaced, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** True while this process downloads `source` into `modelsDir` (any ModelInstaller). */
export function isInstallRunning(modelsDir: string, source: ModelSource): boolean {
  return activeJobs.has(installDir(modelsDir, source));
}

/** Removes leftovers of interrupted swaps ("<name>.replaced-<time>" folders) in a models folder. */
export async function removeReplacedFolders(modelsDir: string): Promise<void> {
  let names: string[] = [];
  try {
    names = await fsp.readdir(modelsDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.includes(REPLACED_MARKER)) await fsp.rm(path.join(modelsDir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

