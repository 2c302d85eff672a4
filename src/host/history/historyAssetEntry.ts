// *Copy as asset entry*: a history entry as one entry of `local-diffusion.json`'s "images" list
// (src/common/assets/assetSpecSchema.ts), with the exact parameters and seed it was generated with, so that
// `local-diffusion build` makes the same image again. No vscode import: unit-tested against parseAssetSpec.
import type { AssetImage } from '../../common/assets/assetSpecSchema';
import type { HistoryEntry } from '../../common/history/historyIndex';
import { infotextFormParameters } from '../../common/metadata/infotextFormParameters';
import { imageFileName } from '../output/fileNaming';

/** The folder, relative to the spec, that a copied entry's output names (the user edits it to taste). */
export const ASSET_ENTRY_FOLDER = 'images';

export function historyAssetEntry(entry: HistoryEntry): AssetImage {
  const read = infotextFormParameters(entry.parameters, 'the history');
  const p = 'parameters' in read ? read.parameters : undefined;
  const out: AssetImage = {
    output: `${ASSET_ENTRY_FOLDER}/${imageFileName(entry.prompt, entry.seed, 'png')}`,
    prompt: entry.prompt,
  };
  // "" is the built-in sample model, which a spec gets by leaving `model` out.
  if (entry.modelSetting) out.model = entry.modelSetting;
  const negative = entry.negativePrompt ?? p?.negativePrompt;
  if (negative) out.negativePrompt = negative;
  // Seeds above 2^53 − 1 stay decimal strings (the spec takes both).
  const seed = BigInt(entry.seed);
  out.seed = seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : entry.seed;
  if (p?.steps !== undefined) out.steps = p.steps;
  if (p?.guidanceScale !== undefined) out.guidance = p.guidanceScale;
  if (p?.scheduler !== undefined) out.scheduler = p.scheduler;
  out.width = entry.width;
  out.height = entry.height;
  return out;
}

/** The entry as it is pasted into the "images" list. */
export function historyAssetEntryJson(entry: HistoryEntry): string {
  return JSON.stringify(historyAssetEntry(entry), null, 2);
}
