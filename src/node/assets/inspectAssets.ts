// Where each entry of a spec stands: its hash (entry + model identity + format version) and whether the file on
// disk carries it. Reads files and models, writes nothing: `build --check`, the build itself and the editor's views
// all start here.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { assetHashInput, type ResolvedAssetEntry } from '../../common/assets/resolveAssetEntries';
import { readAssetHash } from './assetMetadata';
import { assetOutputFile, type LoadedAssetSpec } from './loadAssetSpec';
import { fileIdentity, modelIdentity } from './modelIdentity';
import { resolveAssetModel, type AssetModelContext, type ResolvedAssetModel } from './resolveAssetModel';

export type AssetStatus = 'fresh' | 'stale' | 'missing';

export type AssetState =
  | { entry: ResolvedAssetEntry; file: string; model: ResolvedAssetModel; hash: string; status: AssetStatus; error?: undefined }
  /** The model cannot be found or read: no hash, so neither fresh nor buildable. */
  | { entry: ResolvedAssetEntry; file: string; error: string; model?: undefined; hash?: undefined; status?: undefined };

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export async function inspectAssets(spec: LoadedAssetSpec, context: Omit<AssetModelContext, 'specDir'>): Promise<AssetState[]> {
  const identities = new Map<string, Promise<string>>();
  const states: AssetState[] = [];
  for (const entry of spec.entries) {
    const file = assetOutputFile(spec, entry);
    let model: ResolvedAssetModel;
    let identity: string;
    try {
      model = resolveAssetModel(entry.model, { ...context, specDir: spec.dir });
      let pending = identities.get(model.dir);
      if (!pending) identities.set(model.dir, (pending = modelIdentity(model.dir)));
      identity = await pending;
    } catch (e) {
      states.push({ entry, file, error: (e as Error).message });
      continue;
    }
    let extras: { loras?: string[]; removeBackground?: string; vae?: string; hiresUpscaler?: string };
    try {
      extras = {
        ...(entry.loras ? { loras: await Promise.all(entry.loras.map((l) => fileIdentity(l.file, 'the LoRA'))) } : {}),
        ...(entry.removeBackground ? { removeBackground: await fileIdentity(entry.removeBackground.model, 'the background model') } : {}),
        ...(entry.vae !== undefined ? { vae: await fileIdentity(entry.vae, 'the VAE folder') } : {}),
        ...(entry.hires?.upscaler !== undefined ? { hiresUpscaler: await fileIdentity(entry.hires.upscaler, 'the hires upscaler') } : {}),
      };
    } catch (e) {
      states.push({ entry, file, error: (e as Error).message });
      continue;
    }
    const hash = sha256Hex(assetHashInput(entry, { identity, name: model.name, ...extras }));
    states.push({ entry, file, model, hash, status: await fileStatus(file, hash) });
  }
  return states;
}

async function fileStatus(file: string, hash: string): Promise<AssetStatus> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return 'stale';
  }
  return (await readAssetHash(bytes)) === hash ? 'fresh' : 'stale';
}
