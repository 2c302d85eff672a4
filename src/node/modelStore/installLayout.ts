// Where an installed model lives under the models folder, and how repo paths map to files inside it.
//   <modelsDir>/<owner>--<name>[@<revision>][+<subfolder>]/          the installed model (atomic: renamed into place)
//   <modelsDir>/<owner>--<name>[@<revision>][+<subfolder>].partial/  a download in progress (resumable .part files)
// The name is reversible (percent-encoded revision and subfolder), so a source always maps to one folder.
import * as path from 'node:path';
import { DEFAULT_REVISION, type ModelSource } from './modelSource';

/** Written last into a complete, verified model folder: a folder without it is not an installed model. */
export const INSTALL_MANIFEST_FILE = 'local-diffusion-model.json';
/** Suffix of the staging folder a download fills before it is renamed into place. */
export const STAGING_SUFFIX = '.partial';
/** Suffix of a file being downloaded (resumed with an HTTP Range request). */
export const PART_SUFFIX = '.part';
/** An older install is moved to "<name><REPLACED_MARKER><time>" while its update is renamed into place. */
export const REPLACED_MARKER = '.replaced-';
/** In the staging folder: what the download is for (commit, expected hashes), to resume safely. */
export const DOWNLOAD_STATE_FILE = '.local-diffusion-download.json';
/** In the staging folder: the pid of the process downloading into it. */
export const DOWNLOAD_LOCK_FILE = '.local-diffusion-download.lock';

/** encodeURIComponent plus the characters Windows forbids in names ("*" survives encodeURIComponent). */
function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(/\*/g, '%2A');
}

export function installFolderName(source: ModelSource): string {
  const [owner, name] = source.repoId.split('/');
  const revision = source.revision !== DEFAULT_REVISION ? `@${encodeSegment(source.revision)}` : '';
  const subfolder = source.subfolder ? `+${encodeSegment(source.subfolder)}` : '';
  return `${owner}--${name}${revision}${subfolder}`;
}

export function installDir(modelsDir: string, source: ModelSource): string {
  return path.join(modelsDir, installFolderName(source));
}

export function stagingDir(modelsDir: string, source: ModelSource): string {
  return `${installDir(modelsDir, source)}${STAGING_SUFFIX}`;
}

/**
 * A repo path ("onnx/unet/model.onnx") as a path relative to the model root for `subfolder` ("onnx" gives
 * "unet/model.onnx"); undefined when the file is outside the subfolder or its path is unsafe ("..", absolute).
 */
export function repoPathToLocal(subfolder: string, repoPath: string): string | undefined {
  if (repoPath.includes('\\') || repoPath.startsWith('/')) return undefined;
  const segments = repoPath.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  if (subfolder === '') return repoPath;
  const prefix = `${subfolder}/`;
  return repoPath.startsWith(prefix) ? repoPath.slice(prefix.length) : undefined;
}

/** The absolute file for a local "a/b/c" path inside a model folder. */
export function localFile(root: string, localPath: string): string {
  return path.join(root, ...localPath.split('/'));
}
