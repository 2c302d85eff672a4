// "Save as Asset": an image with generation parameters (ours, A1111's, Forge's: the `parameters` PNG text chunk or
// the EXIF UserComment of JPEG / WebP) becomes an entry of the nearest spec, with its exact prompt, seed and
// settings and its own path as `output`. The nearest spec is the first local-diffusion.json (or single
// *.local-diffusion.json) found walking up from the image's folder to the workspace folder; without one, a new
// local-diffusion.json in the workspace folder. The spec is edited in place (appendAssetEntry.ts) and written
// atomically.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { appendAssetEntry, newAssetSpecText } from '../../common/assets/appendAssetEntry';
import { assetEntryFromParameters } from '../../common/assets/assetEntryFromParameters';
import { assetOutputPathProblem, normalizeAssetOutput } from '../../common/assets/assetOutputPath';
import type { AssetImage } from '../../common/assets/assetSpecSchema';
import { describeAssetSpecProblem, parseAssetSpec } from '../../common/assets/parseAssetSpec';
import { resolveAssetEntries } from '../../common/assets/resolveAssetEntries';
import { parseA1111Parameters } from '../../common/metadata/a1111Parameters';
import { readImageParameters } from '../image/imageCodec';
import { writeFilesAtomically } from '../output/writeFilesAtomically';
import { ASSET_SPEC_FILE_NAME, isAssetSpecFileName } from './loadAssetSpec';

export interface SaveImageAsAssetOptions {
  /** Absolute path of the image. */
  image: string;
  /** The workspace folder holding it: the search for a spec stops here, and a new spec goes here. */
  root: string;
  /** The spec's `model` value for the infotext's "Model:" (undefined when it has none), for a spec in specDir. */
  model: (infotextModel: string | undefined, specDir: string) => string;
}

export interface SavedAsset {
  specFile: string;
  /** True when the spec was created. */
  created: boolean;
  /** The new entry's index in `images`. */
  index: number;
  entry: AssetImage;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The nearest spec from `dir` up to `root` (both included), or undefined. */
export async function findNearestAssetSpec(dir: string, root: string): Promise<string | undefined> {
  for (let current = dir; ; current = path.dirname(current)) {
    let names: string[] = [];
    try {
      names = (await fs.readdir(current, { withFileTypes: true })).filter((e) => e.isFile() && isAssetSpecFileName(e.name)).map((e) => e.name);
    } catch {
      // an unreadable folder holds no spec we can edit
    }
    if (names.includes(ASSET_SPEC_FILE_NAME)) return path.join(current, ASSET_SPEC_FILE_NAME);
    if (names.length === 1) return path.join(current, names[0]);
    if (names.length > 1) {
      throw new Error(`${current} has several specs (${names.sort().join(', ')}) and no ${ASSET_SPEC_FILE_NAME}: add the entry to one of them by hand`);
    }
    if (path.relative(root, current) === '' || path.dirname(current) === current || !isInside(root, current)) return undefined;
  }
}

/** A model folder as a spec value: relative to the spec (with '/') when inside the workspace folder, else absolute. */
export function assetModelValue(dir: string, specDir: string, root: string): string {
  if (!isInside(root, dir)) return dir;
  const rel = path.relative(specDir, dir).split(path.sep).join('/');
  // "models/x" would read as a repo id (owner/name): "./models/x" is always a folder (looksLikePath).
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export async function saveImageAsAsset(options: SaveImageAsAssetOptions): Promise<SavedAsset> {
  const image = path.resolve(options.image);
  const root = path.resolve(options.root);
  if (!isInside(root, image)) throw new Error(`${image} is not inside the workspace folder ${root}: save it into the workspace first`);
  const parametersText = await readImageParameters(new Uint8Array(await fs.readFile(image)));
  if (parametersText === undefined) throw new Error(`${path.basename(image)} has no generation parameters (no A1111 "parameters" text), so its entry cannot be written`);
  const parameters = parseA1111Parameters(parametersText);

  const found = await findNearestAssetSpec(path.dirname(image), root);
  const specFile = found ?? path.join(root, ASSET_SPEC_FILE_NAME);
  const specDir = path.dirname(specFile);
  const text = found ? await fs.readFile(found, 'utf8') : undefined;
  const existing = text === undefined ? undefined : parseAssetSpec(text);
  if (existing?.problems) throw new Error(`${specFile} is not a valid spec (${describeAssetSpecProblem(existing.problems[0])}): fix it first`);

  const output = path.relative(specDir, image).split(path.sep).join('/');
  const problem = assetOutputPathProblem(output);
  if (problem) throw new Error(`${output}: an asset output ${problem}`);
  const images = existing?.spec.images ?? [];
  const same = images.findIndex((e) => normalizeAssetOutput(e.output).toLowerCase() === normalizeAssetOutput(output).toLowerCase());
  if (same >= 0) throw new Error(`${path.basename(specFile)} already has an entry for ${output} (images[${same}])`);

  const defaultModel = existing?.spec.defaults?.model;
  const entry = assetEntryFromParameters(parameters, { output, model: options.model(parameters.model, specDir), ...(defaultModel !== undefined ? { defaultModel } : {}) });
  const updated = text === undefined ? newAssetSpecText(entry) : appendAssetEntry(text, entry);
  // The spec's own rules (sizes, limits, the defaults it inherits): refuse rather than write a spec that fails.
  const check = parseAssetSpec(updated);
  const problems = check.problems ?? resolveAssetEntries(check.spec).problems;
  if (problems) throw new Error(`the entry for ${output} would not be valid: ${describeAssetSpecProblem(problems[0])}`);
  await writeFilesAtomically([{ path: specFile, bytes: new TextEncoder().encode(updated) }], { overwrite: true });
  return { specFile, created: found === undefined, index: images.length, entry };
}

/** The model the editor has selected: its folder, its name in infotexts, and the `localDiffusion.model` value. */
export interface SelectedModel {
  dir: string;
  name: string;
  /** "" for the built-in model; a catalog id, repo id or absolute folder otherwise. */
  setting: string;
}

/**
 * The spec's `model` for an image: the selected model when the infotext names it (or names none), written as its
 * catalog / repo id, else as its folder (assetModelValue); another model by the infotext's name, which is its
 * catalog id or repo id for downloaded models.
 */
export function assetModelFor(infotextModel: string | undefined, selected: SelectedModel | undefined, specDir: string, root: string): string {
  if (selected && (infotextModel === undefined || infotextModel === selected.name)) {
    if (selected.setting !== '' && !path.isAbsolute(selected.setting)) return selected.setting;
    return assetModelValue(selected.dir, specDir, root);
  }
  if (infotextModel !== undefined && infotextModel.trim() !== '') return infotextModel;
  throw new Error('the image does not name its model and no model is selected: choose one with "Local Diffusion: Select Model"');
}
