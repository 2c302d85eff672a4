// Which files of a Hub repo a model needs: only what the engine reads from a diffusers ONNX folder (diffusers
// pipelines/onnx_utils.py, src/engine/model/modelFolder.ts): model_index.json; in text_encoder/, unet/, vae_decoder/, vae_encoder/
// (and taesd_decoder/; SDXL's text_encoder_2/ and taesdxl_decoder/) the graph model.onnx, its external weights and
// config.json; tokenizer/, tokenizer_2/ and scheduler/ whole; the licence and model card. Everything else is skipped:
// safety_checker/, feature_extractor/, other precisions (model_fp16.onnx, …), PyTorch weights. Pure: unit-tested.
import type { HubFile } from './hubClient';
import { repoPathToLocal } from './installLayout';
import { DEFAULT_MODEL_KIND, MODEL_KIND_LABELS, type ModelKind } from './modelKind';
import { ModelStoreError } from './modelStoreError';

export interface FileRules {
  /** Extra files to fetch (globs on paths relative to the model folder: "*", "**", "?"). */
  include?: readonly string[];
  /** Files to leave out even when the default rules take them. */
  exclude?: readonly string[];
}

export interface SelectedFile {
  /** Path in the repo. */
  repoPath: string;
  /** Path inside the installed model folder ("/"-separated). */
  path: string;
  size: number;
  oid: string;
  /** LFS files: the content's sha256. */
  sha256?: string;
}

export interface FileSelection {
  /** Smallest first: a broken repo fails before the gigabytes. */
  files: SelectedFile[];
  totalBytes: number;
  skipped: { path: string; size: number }[];
  skippedBytes: number;
  /** Things the user should know that do not stop the download. */
  warnings: string[];
}

/** The ONNX components the engine loads (modelFolder.ts COMPONENTS). */
export const ONNX_COMPONENT_FOLDERS = ['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder', 'vae_encoder', 'taesd_decoder', 'taesdxl_decoder'] as const;
/** In a component folder: the graph, the external-weights names of every exporter (Optimum, Olive, diffusers' ONNX export), the config. */
export const ONNX_FOLDER_FILES = ['model.onnx', 'model.onnx_data', 'weights.pb', 'model.onnx.data', 'config.json'] as const;
/** Folders taken whole. */
export const WHOLE_FOLDERS = ['tokenizer', 'tokenizer_2', 'scheduler'] as const;
/** What modelFolder.ts refuses to load without. */
export const REQUIRED_FILES = [
  'model_index.json',
  'text_encoder/model.onnx',
  'unet/model.onnx',
  'vae_decoder/model.onnx',
  'tokenizer/vocab.json',
  'tokenizer/merges.txt',
  'scheduler/scheduler_config.json',
] as const;
const ROOT_FILE = /^(model_index\.json|readme\.md|licen[cs]e(\.\w+)?)$/i;

/**
 * A single-network model (an upscaler, a background segmenter) is one .onnx graph at the model folder's root, as the
 * engine loads it (src/engine/upscale/singleOnnxModelFile.ts): model.onnx and its external weights by default; a
 * graph of another name (rembg's u2net.onnx) comes in through the catalog entry's files.include.
 */
const SINGLE_NETWORK_FILE = /^(model\.onnx|model\.onnx_data|model\.onnx\.data|readme\.md|licen[cs]e(\.\w+)?)$/i;
const ROOT_ONNX = /^[^/]+\.onnx$/i;

/** What each kind needs (globs on paths relative to the model folder): every one must match a selected file. */
export const REQUIRED_FILES_BY_KIND: Readonly<Record<ModelKind, readonly string[]>> = {
  diffusion: REQUIRED_FILES,
  upscaler: ['*.onnx'],
  background: ['*.onnx'],
};

/** "*" matches within a path segment, "**" across segments, "?" one character. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The default rule for a kind: does the engine need this file (path relative to the model folder)? */
export function isNeededFileFor(kind: ModelKind, localPath: string): boolean {
  return kind === 'diffusion' ? isNeededFile(localPath) : SINGLE_NETWORK_FILE.test(localPath);
}

/** The default rule: does the engine need this file (path relative to the model folder)? */
export function isNeededFile(localPath: string): boolean {
  const segments = localPath.split('/');
  if (segments.length === 1) return ROOT_FILE.test(localPath);
  if (segments.length !== 2) return false;
  const [folder, name] = segments as [string, string];
  if ((WHOLE_FOLDERS as readonly string[]).includes(folder)) return true;
  return (ONNX_COMPONENT_FOLDERS as readonly string[]).includes(folder) && (ONNX_FOLDER_FILES as readonly string[]).includes(name);
}

function describeMissing(missing: string[], local: Map<string, HubFile>, listing: readonly HubFile[], subfolder: string, where: string): string {
  const hints: string[] = [];
  if (missing.includes('model_index.json')) {
    const nested = listing
      .map((f) => f.path)
      .filter((p) => p.endsWith('/model_index.json') || p === 'model_index.json')
      .map((p) => p.slice(0, -'model_index.json'.length).replace(/\/$/, ''))
      .filter((dir) => dir !== subfolder);
    if (nested.length > 0) hints.push(`model_index.json is in ${nested.map((d) => (d ? `"${d}/"` : 'the repo root')).join(', ')}: use that subfolder.`);
  }
  const onnxMissing = missing.filter((m) => m.endsWith('/model.onnx')).map((m) => m.split('/')[0]!);
  for (const component of onnxMissing) {
    const inFolder = [...local.keys()].filter((p) => p.startsWith(`${component}/`)).map((p) => p.slice(component.length + 1));
    const otherOnnx = inFolder.filter((n) => n.endsWith('.onnx'));
    if (otherOnnx.length > 0) {
      hints.push(`${component}/ has ${otherOnnx.join(', ')} but no model.onnx (the name every diffusers ONNX export uses).`);
    } else if (inFolder.some((n) => /\.(safetensors|bin|ckpt)$/.test(n))) {
      hints.push(`${component}/ holds PyTorch weights: this is a diffusers PyTorch model, not an ONNX export.`);
    }
  }
  return `${where} is not a complete diffusers ONNX model: missing ${missing.join(', ')}.${hints.length ? ` ${hints.join(' ')}` : ''}`;
}

/** Picks the files to download; throws "incomplete" (with hints) when the engine could not load the result. */
export function selectModelFiles(
  listing: readonly HubFile[],
  subfolder: string,
  rules: FileRules = {},
  where = 'The repository',
  kind: ModelKind = DEFAULT_MODEL_KIND,
): FileSelection {
  const include = (rules.include ?? []).map(globToRegExp);
  const exclude = (rules.exclude ?? []).map(globToRegExp);
  const local = new Map<string, HubFile>();
  for (const file of listing) {
    const localPath = repoPathToLocal(subfolder, file.path);
    if (localPath !== undefined) local.set(localPath, file);
  }
  const files: SelectedFile[] = [];
  const skipped: { path: string; size: number }[] = [];
  for (const [localPath, file] of local) {
    const wanted = (isNeededFileFor(kind, localPath) || include.some((r) => r.test(localPath))) && !exclude.some((r) => r.test(localPath));
    if (!wanted) {
      skipped.push({ path: localPath, size: file.size });
      continue;
    }
    files.push({
      repoPath: file.path,
      path: localPath,
      size: file.lfs?.size ?? file.size,
      oid: file.oid,
      ...(file.lfs ? { sha256: file.lfs.sha256 } : {}),
    });
  }
  const present = new Set(files.map((f) => f.path));
  const place = subfolder ? `${where} (subfolder "${subfolder}")` : where;
  if (kind !== 'diffusion') {
    const missingPatterns = REQUIRED_FILES_BY_KIND[kind].filter((pattern) => ![...present].some((p) => globToRegExp(pattern).test(p)));
    const graphs = [...present].filter((p) => ROOT_ONNX.test(p));
    if (missingPatterns.length > 0 || graphs.length !== 1) {
      const offered = [...local.keys()].filter((p) => p.endsWith('.onnx'));
      throw new ModelStoreError(
        'incomplete',
        `${place} is not ${kind === 'upscaler' ? 'an' : 'a'} ${MODEL_KIND_LABELS[kind]}: it needs exactly one .onnx graph at its root (model.onnx, or one named in files.include), ` +
          `and ${graphs.length === 0 ? 'none was selected' : `${graphs.length} were: ${graphs.join(', ')}`}.` +
          (offered.length ? ` The repository has ${offered.slice(0, 8).join(', ')}${offered.length > 8 ? ', …' : ''}.` : ''),
      );
    }
  }
  // SDXL (text_encoder_2/): its tokenizer_2/ too.
  const sdxl = [...local.keys()].some((p) => p.startsWith('text_encoder_2/'));
  const required = sdxl ? [...REQUIRED_FILES, 'tokenizer_2/vocab.json', 'tokenizer_2/merges.txt'] : [...REQUIRED_FILES];
  const missing = kind === 'diffusion' ? required.filter((f) => !present.has(f)) : [];
  if (missing.length > 0) throw new ModelStoreError('incomplete', describeMissing([...missing], local, listing, subfolder, place));
  const warnings: string[] = [];
  files.sort((a, b) => a.size - b.size || a.path.localeCompare(b.path));
  skipped.sort((a, b) => a.path.localeCompare(b.path));
  return {
    files,
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
    skipped,
    skippedBytes: skipped.reduce((sum, f) => sum + f.size, 0),
    warnings,
  };
}

/** "safety_checker/ (1.1 GB), feature_extractor/": the skipped files grouped by top folder, for the log. */
export function summariseSkipped(skipped: readonly { path: string; size: number }[], formatBytes: (n: number) => string): string {
  const groups = new Map<string, number>();
  for (const s of skipped) {
    const top = s.path.includes('/') ? `${s.path.split('/')[0]}/` : s.path;
    groups.set(top, (groups.get(top) ?? 0) + s.size);
  }
  return [...groups].map(([name, size]) => `${name} (${formatBytes(size)})`).join(', ');
}
