// A spec's `model` value → the folder to load and the name the metadata shows. As the CLI's --model: a path (or a
// folder that exists, relative to the spec's folder) is a folder; otherwise a catalog id or an installed Hugging Face
// repo id (src/node/modelStore/modelReference.ts). Relative folders are relative to the spec, not the working
// directory, so `local-diffusion build` gives the same answer from anywhere.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Catalog } from '../modelStore/catalog';
import { looksLikePath, resolveModelReference } from '../modelStore/modelReference';
import { formatModelSpec } from '../modelStore/modelSource';

export interface AssetModelContext {
  /** The spec's folder. */
  specDir: string;
  modelsDir: string;
  catalog?: Catalog;
}

export interface ResolvedAssetModel {
  dir: string;
  /** Written into the image's metadata ("Model: …"): the folder's name, or the catalog id / repo spec. */
  name: string;
}

function expandHome(value: string): string {
  return value === '~' || value.startsWith('~/') || value.startsWith('~\\') ? path.join(os.homedir(), value.slice(1)) : value;
}

export function resolveAssetModel(value: string, context: AssetModelContext): ResolvedAssetModel {
  const asFolder = path.resolve(context.specDir, expandHome(value));
  if (looksLikePath(value) || fs.existsSync(path.join(asFolder, 'model_index.json'))) {
    return { dir: asFolder, name: path.basename(asFolder) };
  }
  const reference = resolveModelReference(value, { ...(context.catalog ? { catalog: context.catalog } : {}), modelsDir: context.modelsDir });
  if (reference.kind === 'hub') {
    if (reference.installed) return { dir: reference.dir, name: reference.entry?.id ?? formatModelSpec(reference.source) };
    throw new Error(`model "${value}" is not installed in ${context.modelsDir}: run "local-diffusion models pull ${value}" first`);
  }
  throw new Error(`model "${value}" is neither a model folder (relative to ${context.specDir}) nor a catalog id or Hugging Face repo id (owner/name)`);
}
