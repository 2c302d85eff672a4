// Installed models: folders under the models folder with a complete manifest (written last, then the folder
// renamed into place). Folders ending in ".partial" are downloads that stopped; they resume on the next pull.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { DOWNLOAD_STATE_FILE, INSTALL_MANIFEST_FILE, installDir, PART_SUFFIX, REPLACED_MARKER, STAGING_SUFFIX } from './installLayout';
import { DEFAULT_MODEL_KIND, isModelKind, type ModelKind } from './modelKind';
import { isRepoId, isRevision, isSubfolder, type ModelSource } from './modelSource';
import type { CatalogRecommendation } from './catalog';
import { SCHEDULER_NAMES } from '../../common/protocol/engineProtocol';

export const MANIFEST_FORMAT = 1;

export interface InstalledFile {
  path: string;
  size: number;
  oid: string;
  sha256?: string;
}

/** local-diffusion-model.json */
export interface InstallManifest {
  format: number;
  source: ModelSource;
  /** The commit the files come from. */
  commit: string;
  catalogId?: string;
  /** The catalog entry's recommended settings when it was installed from one (the engine's defaults for it). */
  recommended?: CatalogRecommendation;
  /** What the model is for (modelKind.ts); absent in manifests written before kinds: a diffusion model. */
  kind?: ModelKind;
  /** The model card's licence tag, when the Hub gave one. */
  license?: string;
  installedAt: string;
  totalBytes: number;
  files: InstalledFile[];
}

export interface InstalledModel extends InstallManifest {
  dir: string;
}

export interface IncompleteDownload {
  /** The .partial folder. */
  dir: string;
  source?: ModelSource;
  commit?: string;
  /** Bytes on disk so far (verified files and .part files). */
  bytes: number;
  totalBytes?: number;
}

/** The download state kept in a staging folder while it fills. */
export interface DownloadState {
  source: ModelSource;
  commit: string;
  catalogId?: string;
  totalBytes: number;
  /** Expected content of each file (path in the model folder → oid/sha256), to resume safely. */
  files: Record<string, { size: number; oid: string; sha256?: string }>;
}

function isSource(value: unknown): value is ModelSource {
  const s = value as ModelSource;
  return (
    typeof s === 'object' && s !== null && typeof s.repoId === 'string' && isRepoId(s.repoId) &&
    typeof s.revision === 'string' && isRevision(s.revision) && typeof s.subfolder === 'string' && isSubfolder(s.subfolder)
  );
}

export function parseManifest(value: unknown): InstallManifest | undefined {
  const m = value as InstallManifest;
  if (typeof m !== 'object' || m === null || m.format !== MANIFEST_FORMAT || !isSource(m.source)) return undefined;
  if (typeof m.commit !== 'string' || !Array.isArray(m.files) || typeof m.totalBytes !== 'number') return undefined;
  return m;
}

/** The manifest's recommended settings when they are well-formed (a hand-edited manifest may hold anything). */
export function manifestRecommendation(manifest: Pick<InstallManifest, 'recommended'>): CatalogRecommendation | undefined {
  const r = manifest.recommended as Partial<CatalogRecommendation> | undefined;
  if (typeof r !== 'object' || r === null) return undefined;
  if (typeof r.steps !== 'number' || !Number.isInteger(r.steps) || r.steps < 1) return undefined;
  if (typeof r.guidanceScale !== 'number' || !Number.isFinite(r.guidanceScale) || r.guidanceScale < 0) return undefined;
  if (typeof r.scheduler !== 'string' || !(SCHEDULER_NAMES as readonly string[]).includes(r.scheduler)) return undefined;
  return { steps: r.steps, guidanceScale: r.guidanceScale, scheduler: r.scheduler };
}

/** An installed model's kind (manifests without one hold diffusion models). */
export function installedModelKind(model: Pick<InstallManifest, 'kind'>): ModelKind {
  return isModelKind(model.kind) ? model.kind : DEFAULT_MODEL_KIND;
}

export async function readInstalledModel(dir: string): Promise<InstalledModel | undefined> {
  try {
    const manifest = parseManifest(JSON.parse(await fsp.readFile(path.join(dir, INSTALL_MANIFEST_FILE), 'utf8')));
    return manifest ? { ...manifest, dir } : undefined;
  } catch {
    return undefined;
  }
}

/** Synchronous check for the settings resolver: the install folder of `source` when it holds a valid manifest. */
export function installedModelDirSync(modelsDir: string, source: ModelSource): string | undefined {
  const dir = installDir(modelsDir, source);
  try {
    const manifest = parseManifest(JSON.parse(fs.readFileSync(path.join(dir, INSTALL_MANIFEST_FILE), 'utf8')));
    return manifest ? dir : undefined;
  } catch {
    return undefined;
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(full);
    else if (entry.isFile() && (!entry.name.startsWith('.local-diffusion-') || entry.name.endsWith(PART_SUFFIX))) {
      total += (await fsp.stat(full)).size;
    }
  }
  return total;
}

export async function readDownloadState(staging: string): Promise<DownloadState | undefined> {
  try {
    const state = JSON.parse(await fsp.readFile(path.join(staging, DOWNLOAD_STATE_FILE), 'utf8')) as DownloadState;
    return isSource(state.source) && typeof state.commit === 'string' && typeof state.files === 'object' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Installed models (sorted by repo id) and stopped downloads in a models folder. */
export async function listInstalledModels(modelsDir: string): Promise<{ installed: InstalledModel[]; incomplete: IncompleteDownload[] }> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(modelsDir, { withFileTypes: true });
  } catch {
    return { installed: [], incomplete: [] };
  }
  const installed: InstalledModel[] = [];
  const incomplete: IncompleteDownload[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.includes(REPLACED_MARKER)) continue;
    const dir = path.join(modelsDir, entry.name);
    if (entry.name.endsWith(STAGING_SUFFIX)) {
      const state = await readDownloadState(dir);
      incomplete.push({
        dir,
        bytes: await folderBytes(dir),
        ...(state ? { source: state.source, commit: state.commit, totalBytes: state.totalBytes } : {}),
      });
      continue;
    }
    const model = await readInstalledModel(dir);
    if (model) installed.push(model);
  }
  installed.sort((a, b) => a.source.repoId.localeCompare(b.source.repoId) || a.dir.localeCompare(b.dir));
  return { installed, incomplete };
}
