// Reuses files already in the Hugging Face cache (what huggingface_hub / diffusers downloaded before) instead
// of downloading them again. Layout (huggingface_hub file_download.py, constants.py):
//   <cache>/models--<owner>--<name>/blobs/<etag>                    the content; etag = sha256 for LFS files,
//                                                                   the git blob id for the others
//   <cache>/models--<owner>--<name>/snapshots/<commit>/<repo path>  symlinks to the blobs (copies on Windows
//                                                                   without symlink rights)
// <cache> is HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. A file found here is still hashed before use.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

export function huggingFaceHome(env: Env, homedir: string): string {
  if (env.HF_HOME) return env.HF_HOME;
  return path.join(env.XDG_CACHE_HOME || path.join(homedir, '.cache'), 'huggingface');
}

export function huggingFaceHubCacheDir(env: Env, homedir: string): string {
  return env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || path.join(huggingFaceHome(env, homedir), 'hub');
}

/** huggingface_hub repo_folder_name: "models--owner--name". */
export function repoCacheFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

export interface CacheLookup {
  repoId: string;
  repoPath: string;
  size: number;
  oid: string;
  sha256?: string;
  /** The commit being installed: its snapshot is looked at first. */
  commit?: string;
}

async function sizeIs(file: string, size: number): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() && stat.size === size;
  } catch {
    return false;
  }
}

/** A cached copy of the file with the expected size (the caller verifies its hash), or undefined. */
export async function findCachedFile(cacheDir: string, file: CacheLookup): Promise<string | undefined> {
  const repoDir = path.join(cacheDir, repoCacheFolderName(file.repoId));
  const etag = file.sha256 ?? file.oid;
  const candidates: string[] = [];
  if (/^[0-9a-f]{40,64}$/i.test(etag)) candidates.push(path.join(repoDir, 'blobs', etag));
  const relative = file.repoPath.split('/');
  if (file.commit) candidates.push(path.join(repoDir, 'snapshots', file.commit, ...relative));
  for (const candidate of candidates) if (await sizeIs(candidate, file.size)) return candidate;
  let snapshots: string[] = [];
  try {
    snapshots = await fs.readdir(path.join(repoDir, 'snapshots'));
  } catch {
    return undefined;
  }
  for (const snapshot of snapshots.sort()) {
    const candidate = path.join(repoDir, 'snapshots', snapshot, ...relative);
    if (snapshot !== file.commit && (await sizeIs(candidate, file.size))) return candidate;
  }
  return undefined;
}
