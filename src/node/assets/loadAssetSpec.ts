// A spec file from disk: parsed, checked and resolved, or every problem found in it.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { assetProblemPosition } from '../../common/assets/locateAssetEntries';
import { describeAssetSpecProblem, parseAssetSpec, type AssetSpecProblem } from '../../common/assets/parseAssetSpec';
import { resolveAssetEntries, type ResolvedAssetEntry } from '../../common/assets/resolveAssetEntries';

/** The spec's name, and the suffix of named specs (`icons.local-diffusion.json`). */
export const ASSET_SPEC_FILE_NAME = 'local-diffusion.json';
export const ASSET_SPEC_FILE_SUFFIX = `.${ASSET_SPEC_FILE_NAME}`;

export function isAssetSpecFileName(name: string): boolean {
  return name === ASSET_SPEC_FILE_NAME || name.endsWith(ASSET_SPEC_FILE_SUFFIX);
}

export interface LoadedAssetSpec {
  /** Absolute path of the spec file. */
  file: string;
  /** Its folder: outputs and relative model folders are relative to it. */
  dir: string;
  entries: ResolvedAssetEntry[];
}

export class AssetSpecError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly AssetSpecProblem[],
    /** The spec's text, to place each problem (`position`). */
    readonly text = '',
  ) {
    super(`${file}: ${problems.length > 0 ? describeAssetSpecProblem(problems[0]) : 'invalid'}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`);
  }

  /** 1-based line and column of a problem in the spec's text. */
  position(problem: AssetSpecProblem): { line: number; column: number } {
    return assetProblemPosition(this.text, problem);
  }
}

/** Reads and checks a spec; throws AssetSpecError for a bad one, a plain Error when it cannot be read. */
export async function loadAssetSpec(file: string): Promise<LoadedAssetSpec> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await fs.readFile(absolute, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the spec ${absolute}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const parsed = parseAssetSpec(text);
  if (parsed.problems) throw new AssetSpecError(absolute, parsed.problems, text);
  const resolved = resolveAssetEntries(parsed.spec);
  if (resolved.problems) throw new AssetSpecError(absolute, resolved.problems, text);
  const dir = path.dirname(absolute);
  return { file: absolute, dir, entries: resolved.entries.map((entry) => withAbsoluteFiles(entry, dir)) };
}

/** LoRA files, the background model and the VAE folder, relative to the spec's folder as written, made absolute. */
function withAbsoluteFiles(entry: ResolvedAssetEntry, dir: string): ResolvedAssetEntry {
  return {
    ...entry,
    ...(entry.loras ? { loras: entry.loras.map((l) => ({ ...l, file: path.resolve(dir, l.file) })) } : {}),
    ...(entry.removeBackground ? { removeBackground: { ...entry.removeBackground, model: path.resolve(dir, entry.removeBackground.model) } } : {}),
    ...(entry.vae !== undefined ? { vae: path.resolve(dir, entry.vae) } : {}),
    ...(entry.hires?.upscaler !== undefined ? { hires: { ...entry.hires, upscaler: path.resolve(dir, entry.hires.upscaler) } } : {}),
  };
}

/** The absolute file an entry writes; throws if it would leave the spec's folder (the schema already forbids it). */
export function assetOutputFile(spec: Pick<LoadedAssetSpec, 'dir'>, entry: Pick<ResolvedAssetEntry, 'normalizedOutput'>): string {
  const file = path.resolve(spec.dir, ...entry.normalizedOutput.split('/'));
  const rel = path.relative(spec.dir, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${entry.normalizedOutput} is outside ${spec.dir}`);
  return file;
}
