// An entry with its defaults applied: every value the image depends on, in one flat record. What is left unset
// (steps, guidance, scheduler, size) is the engine's default for the model, which the model's identity and
// ASSET_FORMAT_VERSION pin.
import { parseSeed } from '../seed';
import type { TilingMode } from '../tilingMode';
import type { EmphasisMode } from '../prompt/emphasisMode';
import { assetOutputFormat, normalizeAssetOutput, type AssetOutputFormat } from './assetOutputPath';
import type { AssetSpecProblem } from './parseAssetSpec';
import type { AssetResizeFit, AssetSpec } from './assetSpecSchema';
import type { SchedulerName } from '../protocol/engineProtocol';

/**
 * Bumped whenever the same entry and model would give other bytes: the encoder's settings, the engine's defaults,
 * the metadata written. Part of every entry's hash, so a bump makes every output stale.
 */
export const ASSET_FORMAT_VERSION = 1;

export interface ResolvedAssetEntry {
  index: number;
  /** As written in the spec. */
  output: string;
  /** '/'-separated, without '.' segments or doubled slashes. */
  normalizedOutput: string;
  format: AssetOutputFormat;
  /** The spec's model value (a folder, a catalog id or a repo id), resolved against the spec's folder later. */
  model: string;
  prompt: string;
  negativePrompt: string;
  seed: bigint;
  steps?: number;
  guidance?: number;
  scheduler?: SchedulerName;
  width?: number;
  height?: number;
  resize?: { width: number; height: number; fit: AssetResizeFit };
  tiling?: TilingMode;
  hires?: { scale: number; strength?: number; steps?: number; upscaler?: string };
  /** As written in the spec until src/node/assets/loadAssetSpec.ts makes the files absolute. */
  loras?: { file: string; weight: number }[];
  removeBackground?: { model: string; preset?: string };
  emphasis?: EmphasisMode;
  clipSkip?: number;
  /** As written until loadAssetSpec.ts makes it absolute. */
  vae?: string;
}

export type ResolvedAssetEntries = { entries: ResolvedAssetEntry[]; problems?: undefined } | { entries?: undefined; problems: AssetSpecProblem[] };

/** Defaults applied to every entry; an entry without a model or a seed (its own or the default) is a problem. */
export function resolveAssetEntries(spec: AssetSpec): ResolvedAssetEntries {
  const defaults = spec.defaults ?? {};
  const entries: ResolvedAssetEntry[] = [];
  const problems: AssetSpecProblem[] = [];
  spec.images.forEach((image, index) => {
    const merged = { ...defaults, ...image };
    const where = { index, output: image.output };
    if (merged.model === undefined) {
      problems.push({ ...where, field: 'model', message: 'model is required (set it here or in "defaults")' });
      return;
    }
    if (merged.seed === undefined) {
      problems.push({ ...where, field: 'seed', message: 'seed is required (here or in "defaults"): a build must give the same image every time' });
      return;
    }
    const seed = parseSeed(merged.seed);
    if (!('seed' in seed)) {
      problems.push({ ...where, field: 'seed', message: 'error' in seed ? seed.error : 'seed must be fixed, not random' });
      return;
    }
    const entry: ResolvedAssetEntry = {
      index,
      output: image.output,
      normalizedOutput: normalizeAssetOutput(image.output),
      format: assetOutputFormat(image.output) as AssetOutputFormat,
      model: merged.model,
      prompt: image.prompt,
      negativePrompt: merged.negativePrompt ?? '',
      seed: seed.seed,
    };
    if (merged.steps !== undefined) entry.steps = merged.steps;
    if (merged.guidance !== undefined) entry.guidance = merged.guidance;
    if (merged.scheduler !== undefined) entry.scheduler = merged.scheduler;
    if (merged.width !== undefined) entry.width = merged.width;
    if (merged.height !== undefined) entry.height = merged.height;
    if (merged.resize !== undefined) entry.resize = { width: merged.resize.width, height: merged.resize.height, fit: merged.resize.fit ?? 'cover' };
    if (merged.tiling !== undefined) entry.tiling = merged.tiling;
    if (merged.emphasis !== undefined) entry.emphasis = merged.emphasis;
    if (merged.clipSkip !== undefined) entry.clipSkip = merged.clipSkip;
    if (merged.vae !== undefined) entry.vae = merged.vae;
    if (merged.loras !== undefined && merged.loras.length > 0) entry.loras = merged.loras.map((l) => ({ file: l.file, weight: l.weight ?? 1 }));
    if (merged.removeBackground !== undefined) {
      if (entry.format === 'jpeg') {
        problems.push({ ...where, field: 'removeBackground', message: 'removeBackground needs an output that keeps transparency: .png or .webp, not JPEG' });
        return;
      }
      entry.removeBackground = { model: merged.removeBackground.model, ...(merged.removeBackground.preset !== undefined ? { preset: merged.removeBackground.preset } : {}) };
    }
    if (merged.hires !== undefined) {
      entry.hires = {
        scale: merged.hires.scale,
        ...(merged.hires.strength !== undefined ? { strength: merged.hires.strength } : {}),
        ...(merged.hires.steps !== undefined ? { steps: merged.hires.steps } : {}),
        ...(merged.hires.upscaler !== undefined ? { upscaler: merged.hires.upscaler } : {}),
      };
    }
    entries.push(entry);
  });
  return problems.length > 0 ? { problems } : { entries };
}

/** What the model contributes to an entry's hash: its content identity and the name written into the metadata. */
export interface AssetModelIdentity {
  /** Hex digest of the files generation reads (see src/node/assets/modelIdentity.ts). */
  identity: string;
  name: string;
  /** The content identities of the entry's LoRA files (in its order) and background model, when it has them. */
  loras?: readonly string[];
  removeBackground?: string;
  vae?: string;
  hiresUpscaler?: string;
}

/**
 * The canonical text an entry's hash is taken over: fixed key order, every value present (null when unset).
 * Not in it: the output path (renaming a file does not change it) and the execution provider (a machine choice;
 * `--check` on a CPU-only CI accepts files built on a GPU). Options added later (tiling, hires) are in it only when
 * set, so files built before they existed stay fresh.
 */
export function assetHashInput(entry: ResolvedAssetEntry, model: AssetModelIdentity): string {
  return JSON.stringify({
    version: ASSET_FORMAT_VERSION,
    format: entry.format,
    model: { identity: model.identity, name: model.name },
    prompt: entry.prompt,
    negativePrompt: entry.negativePrompt,
    seed: entry.seed.toString(),
    steps: entry.steps ?? null,
    guidance: entry.guidance ?? null,
    scheduler: entry.scheduler ?? null,
    width: entry.width ?? null,
    height: entry.height ?? null,
    resize: entry.resize ? { width: entry.resize.width, height: entry.resize.height, fit: entry.resize.fit } : null,
    ...(entry.tiling !== undefined ? { tiling: entry.tiling } : {}),
    ...(entry.hires !== undefined
      ? {
          hires: {
            scale: entry.hires.scale,
            strength: entry.hires.strength ?? null,
            steps: entry.hires.steps ?? null,
            ...(entry.hires.upscaler !== undefined ? { upscaler: model.hiresUpscaler ?? null } : {}),
          },
        }
      : {}),
    // Files by content, never by path: the same LoRA elsewhere gives the same hash, an edited one another.
    ...(entry.loras !== undefined ? { loras: entry.loras.map((l, i) => ({ identity: model.loras?.[i] ?? null, weight: l.weight })) } : {}),
    ...(entry.removeBackground !== undefined
      ? { removeBackground: { identity: model.removeBackground ?? null, preset: entry.removeBackground.preset ?? null } }
      : {}),
    ...(entry.emphasis !== undefined ? { emphasis: entry.emphasis } : {}),
    ...(entry.clipSkip !== undefined ? { clipSkip: entry.clipSkip } : {}),
    ...(entry.vae !== undefined ? { vae: model.vae ?? null } : {}),
  });
}
