// What the `local-diffusion_generateImage` tool does, without vscode: check what the model asked for, decide the
// entry (the nearest spec's defaults, else the selected model and the editor's default settings; a random seed
// when none is given, fixed from then on), build it as `local-diffusion build` would (so the file carries its
// entry hash and is fresh at once), then add the entry to the spec. Every refusal is a message the model can act on.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { appendAssetEntry, newAssetSpecText } from '../../common/assets/appendAssetEntry';
import { assetOutputPathProblem, normalizeAssetOutput } from '../../common/assets/assetOutputPath';
import type { AssetImage } from '../../common/assets/assetSpecSchema';
import { describeAssetSpecProblem, parseAssetSpec } from '../../common/assets/parseAssetSpec';
import { resolveAssetEntries, type ResolvedAssetEntry } from '../../common/assets/resolveAssetEntries';
import { parseGenerateImageToolInput, type GenerateImageToolInput } from '../../common/protocol/generateImageToolInput';
import type { SchedulerName } from '../../common/protocol/engineProtocol';
import { readImageParameters } from '../image/imageCodec';
import type { Catalog } from '../modelStore/catalog';
import { writeFilesAtomically } from '../output/writeFilesAtomically';
import { buildAssets, type AssetGenerator } from './buildAssets';
import { inspectAssets } from './inspectAssets';
import { ASSET_SPEC_FILE_NAME } from './loadAssetSpec';
import { assetModelFor, findNearestAssetSpec, type SelectedModel } from './saveImageAsAsset';

/** A refusal worded for the language model: what is wrong and what to do. */
export class ImageAssetRequestError extends Error {}

export interface ImageAssetContext {
  /** File-system paths of the workspace folders (the first is the default root). */
  workspaceFolders: readonly string[];
  selectedModel: SelectedModel | undefined;
  /** Why no model is selected (shown when one is needed). */
  modelProblem?: string;
  modelsDir: string;
  catalog?: Catalog;
  /** Used when the spec's defaults do not set them (the editor's default settings). */
  fallback: { steps: number; guidance: number; scheduler?: SchedulerName };
  randomSeed: () => bigint;
}

export interface ImageAssetPlan {
  input: GenerateImageToolInput;
  /** The workspace folder holding the output. */
  root: string;
  /** Absolute path of the image. */
  file: string;
  specFile: string;
  specCreated: boolean;
  /** The spec's text once the entry is in. */
  specText: string;
  entry: AssetImage;
  resolved: ResolvedAssetEntry;
}

/** The input checked against its schema, with one message naming the field. */
export function parseImageAssetInput(input: unknown): GenerateImageToolInput {
  const parsed = parseGenerateImageToolInput(input);
  if ('error' in parsed) throw new ImageAssetRequestError(parsed.error);
  return parsed.input;
}

/** outputPath → its workspace folder and absolute file; refuses a path outside every workspace folder. */
export function resolveOutputPath(outputPath: string, workspaceFolders: readonly string[]): { root: string; file: string } {
  if (workspaceFolders.length === 0) {
    throw new ImageAssetRequestError('No workspace folder is open, so there is nowhere to put the image. Ask the user to open the project folder first.');
  }
  const inside = (root: string, file: string): boolean => {
    const rel = path.relative(root, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  const candidates = path.isAbsolute(outputPath)
    ? [path.resolve(outputPath)]
    : workspaceFolders.length > 1
      ? // "folder/media/x.png" in a multi-root workspace names the folder by its name.
        [...workspaceFolders.filter((f) => outputPath.replace(/\\/g, '/').split('/')[0] === path.basename(f)).map((f) => path.resolve(path.dirname(f), outputPath)), path.resolve(workspaceFolders[0], outputPath)]
      : [path.resolve(workspaceFolders[0], outputPath)];
  for (const file of candidates) {
    const root = workspaceFolders.find((f) => inside(f, file));
    if (root) return { root, file };
  }
  throw new ImageAssetRequestError(
    `outputPath "${outputPath}" is outside the workspace (${workspaceFolders.join(', ')}). Use a path relative to the workspace folder, e.g. "media/hero.png".`,
  );
}

export async function planImageAsset(rawInput: unknown, context: ImageAssetContext): Promise<ImageAssetPlan> {
  const input = parseImageAssetInput(rawInput);
  const { root, file } = resolveOutputPath(input.outputPath, context.workspaceFolders);
  const found = await findNearestAssetSpec(path.dirname(file), root);
  const specFile = found ?? path.join(root, ASSET_SPEC_FILE_NAME);
  const specDir = path.dirname(specFile);
  const output = path.relative(specDir, file).split(path.sep).join('/');
  const outputProblem = assetOutputPathProblem(output);
  if (outputProblem) throw new ImageAssetRequestError(`outputPath "${input.outputPath}": the file ${outputProblem}.`);
  const text = found ? await fs.readFile(found, 'utf8') : undefined;
  const existing = text === undefined ? undefined : parseAssetSpec(text);
  if (existing?.problems) {
    throw new ImageAssetRequestError(`The spec ${specFile} is invalid (${describeAssetSpecProblem(existing.problems[0])}). Ask the user to fix it, or fix that entry first.`);
  }
  const images = existing?.spec.images ?? [];
  const same = images.findIndex((e) => normalizeAssetOutput(e.output).toLowerCase() === normalizeAssetOutput(output).toLowerCase());
  if (same >= 0) {
    throw new ImageAssetRequestError(
      `${input.outputPath} is already images[${same}] of ${specFile}. Choose another outputPath, or edit that entry and ask the user to rebuild it (Image Assets view, or "local-diffusion build").`,
    );
  }
  if (await exists(file)) throw new ImageAssetRequestError(`${input.outputPath} already exists. Choose another outputPath (existing files are never overwritten).`);

  const defaults = existing?.spec.defaults ?? {};
  let model: string | undefined;
  if (defaults.model === undefined) {
    if (!context.selectedModel) {
      throw new ImageAssetRequestError(
        `No image model is available${context.modelProblem ? ` (${context.modelProblem})` : ''}. Ask the user to choose or download one with "Local Diffusion: Select Model" or "Local Diffusion: Download Model…".`,
      );
    }
    model = assetModelFor(undefined, context.selectedModel, specDir, root);
  }
  const entry: AssetImage = {
    output,
    prompt: input.prompt,
    ...(input.negativePrompt ? { negativePrompt: input.negativePrompt } : {}),
    ...(model !== undefined ? { model } : {}),
    seed: input.seed ?? seedValue(context.randomSeed()),
    ...(defaults.steps === undefined ? { steps: context.fallback.steps } : {}),
    ...(defaults.guidance === undefined ? { guidance: context.fallback.guidance } : {}),
    ...(defaults.scheduler === undefined && context.fallback.scheduler !== undefined ? { scheduler: context.fallback.scheduler } : {}),
    ...(input.width !== undefined ? { width: input.width } : {}),
    ...(input.height !== undefined ? { height: input.height } : {}),
  };
  const specText = text === undefined ? newAssetSpecText(entry) : appendAssetEntry(text, entry);
  const parsed = parseAssetSpec(specText);
  const resolved = parsed.spec ? resolveAssetEntries(parsed.spec) : parsed;
  if (resolved.problems) throw new ImageAssetRequestError(`The entry would not be valid: ${describeAssetSpecProblem(resolved.problems[0])}.`);
  const resolvedEntry = resolved.entries[images.length];
  return { input, root, file, specFile, specCreated: found === undefined, specText, entry, resolved: resolvedEntry };
}

export interface CreatedImageAsset {
  file: string;
  specFile: string;
  specCreated: boolean;
  entry: AssetImage;
  /** The image's A1111 infotext (with the entry hash). */
  parameters: string;
  bytes: Uint8Array;
  seconds: number;
}

/** Builds the planned entry (atomic write, entry hash), then writes the spec with the entry in it. */
export async function createImageAsset(plan: ImageAssetPlan, context: ImageAssetContext, generate: AssetGenerator): Promise<CreatedImageAsset> {
  const specDir = path.dirname(plan.specFile);
  const [state] = await inspectAssets(
    { file: plan.specFile, dir: specDir, entries: [plan.resolved] },
    { modelsDir: context.modelsDir, ...(context.catalog ? { catalog: context.catalog } : {}) },
  );
  if (!state) throw new Error('no entry to build');
  if (state.error !== undefined) {
    throw new ImageAssetRequestError(`The model "${plan.resolved.model}" cannot be used: ${state.error}. Ask the user to choose or download a model ("Local Diffusion: Select Model").`);
  }
  const [result] = await buildAssets([state], { force: true, generate });
  if (!result || result.status !== 'built') throw new Error(`generating ${plan.input.outputPath} failed: ${result?.error ?? 'no result'}`);
  // The spec may have changed while the image was generated: append to what is there now.
  const current = plan.specCreated ? undefined : await fs.readFile(plan.specFile, 'utf8');
  const specText = current === undefined ? plan.specText : appendAssetEntry(current, plan.entry);
  await writeFilesAtomically([{ path: plan.specFile, bytes: new TextEncoder().encode(specText) }], { overwrite: true });
  const bytes = new Uint8Array(await fs.readFile(plan.file));
  return {
    file: plan.file,
    specFile: plan.specFile,
    specCreated: plan.specCreated,
    entry: plan.entry,
    parameters: (await readImageParameters(bytes)) ?? '',
    bytes,
    seconds: result.seconds,
  };
}

function seedValue(seed: bigint): number | string {
  return seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : seed.toString();
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
