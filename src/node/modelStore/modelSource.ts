// Where a model comes from on the Hugging Face Hub: repo id, revision (branch, tag or commit) and the folder
// inside the repo that holds model_index.json. Written as one string ("model spec") in settings and on the
// command line: owner/name[@revision][:subfolder], e.g. "aislamov/lcm-dreamshaper-v7-onnx@fp32".
import { ModelStoreError } from './modelStoreError';

export interface ModelSource {
  /** "owner/name". */
  repoId: string;
  /** Branch, tag or commit; "main" by default. */
  revision: string;
  /** Folder in the repo holding model_index.json, with "/" separators; "" for the repo root. */
  subfolder: string;
}

/** huggingface_hub's DEFAULT_REVISION. */
export const DEFAULT_REVISION = 'main';

/** huggingface_hub `validate_repo_id`: [\w.-] names of 1–96 characters, no "--" or "..", not starting/ending in "-" or ".". */
const REPO_NAME = /^(?![-.])[\w.-]{1,96}(?<![-.])$/;

export function isRepoId(value: string): boolean {
  const parts = value.split('/');
  return (
    parts.length === 2 &&
    parts.every((p) => REPO_NAME.test(p) && !p.includes('--') && !p.includes('..'))
  );
}

/** A revision: git ref names (no spaces, "..", "~^:?*[\\", no leading "/" or "-"). */
export function isRevision(value: string): boolean {
  return value.length > 0 && value.length <= 255 && !/[\s~^:?*[\\]|\.\.|^[/-]|\/$|\/\//.test(value);
}

/** "", or a relative "a/b" path with no "." / ".." segments and no backslashes. */
export function isSubfolder(value: string): boolean {
  if (value === '') return true;
  if (value.includes('\\') || value.startsWith('/') || value.endsWith('/')) return false;
  return value.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !segment.includes(':'));
}

/** Checks and normalises a source (trims, strips "/" around the subfolder, defaults the revision). */
export function modelSource(repoId: string, revision: string = DEFAULT_REVISION, subfolder = ''): ModelSource {
  const repo = repoId.trim();
  const rev = revision.trim() || DEFAULT_REVISION;
  const sub = subfolder.trim().replace(/^\/+|\/+$/g, '');
  if (!isRepoId(repo)) {
    throw new ModelStoreError('invalid', `"${repoId}" is not a Hugging Face repo id: expected owner/name, e.g. "stabilityai/sd-turbo".`);
  }
  if (!isRevision(rev)) throw new ModelStoreError('invalid', `"${revision}" is not a valid revision (a branch, tag or commit).`);
  if (!isSubfolder(sub)) {
    throw new ModelStoreError('invalid', `"${subfolder}" is not a valid subfolder: use a relative path like "onnx" or "fp16/onnx".`);
  }
  return { repoId: repo, revision: rev, subfolder: sub };
}

/** owner/name[@revision][:subfolder]; undefined when the text is not of that form. */
export function parseModelSpec(spec: string): ModelSource | undefined {
  const m = /^([^@:\s]+)(?:@([^:]+))?(?::(.+))?$/.exec(spec.trim());
  if (!m || !isRepoId(m[1]!)) return undefined;
  const revision = m[2] ?? DEFAULT_REVISION;
  const subfolder = m[3] ?? '';
  if (!isRevision(revision) || !isSubfolder(subfolder)) return undefined;
  return { repoId: m[1]!, revision, subfolder };
}

/** The inverse of parseModelSpec: the default revision and an empty subfolder are left out. */
export function formatModelSpec(source: ModelSource): string {
  return `${source.repoId}${source.revision !== DEFAULT_REVISION ? `@${source.revision}` : ''}${source.subfolder ? `:${source.subfolder}` : ''}`;
}

export function sameSource(a: ModelSource, b: ModelSource): boolean {
  return a.repoId === b.repoId && a.revision === b.revision && a.subfolder === b.subfolder;
}
