// Reads a diffusers-layout ONNX model folder (diffusers scripts/convert_stable_diffusion_checkpoint_to_onnx.py, optimum exporters/onnx): model_index.json, one subfolder per
// component with model.onnx (+ external weights), per-component config.json when the exporter wrote one,
// tokenizer/ and scheduler/scheduler_config.json. No sessions are created here.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ComponentReport } from '../../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import type { CatalogRecommendation } from '../../node/modelStore/catalog';
import { manifestRecommendation, readInstalledModel } from '../../node/modelStore/installedModels';
import type { SchedulerConfig } from '../schedulers/schedulerConfig';

export type OnnxComponentName = 'text_encoder' | 'text_encoder_2' | 'unet' | 'vae_decoder' | 'vae_encoder' | 'taesd_decoder';

export interface OnnxComponent {
  name: OnnxComponentName;
  /** Absolute path of model.onnx. */
  file: string;
  /** External weights beside it, if any (model.onnx_data / weights.pb / model.onnx.data). */
  externalData?: string;
  /** model.onnx plus external weights, in bytes. */
  bytes: number;
  /** The component's config.json (optimum exports write one; the diffusers script does not). */
  config: Record<string, unknown> | null;
}

export interface ModelFolder {
  dir: string;
  name: string;
  pipelineClass: string;
  modelIndex: Record<string, unknown>;
  components: Partial<Record<OnnxComponentName, OnnxComponent>>;
  tokenizerDir: string;
  /** SDXL: tokenizer_2/ (pads with "!"), beside text_encoder_2/. */
  tokenizer2Dir?: string;
  schedulerConfig: SchedulerConfig;
  /** Components named in model_index.json that this engine does not use (safety_checker, …). */
  ignored: string[];
  /** The swapped-in VAE folder (absolute), when one was given. */
  vaeDir?: string;
  /** SDXL-style pipelines: text_encoder_2/ is present (the refiner has it alone). */
  hasSecondTextEncoder: boolean;
  /** Installed from a catalog entry: its id and recommended settings (the install manifest keeps them). */
  catalog?: { id: string; recommended?: CatalogRecommendation };
  report: ComponentReport[];
}

const EXPECTED_LAYOUT =
  'a diffusers ONNX export: model_index.json, text_encoder/, unet/, vae_decoder/ (vae_encoder/ for img2img and inpaint), tokenizer/ and scheduler/';

const EXTERNAL_DATA_NAMES = ['model.onnx_data', 'weights.pb', 'model.onnx.data'];

const COMPONENTS: { name: OnnxComponentName; required: boolean }[] = [
  { name: 'text_encoder', required: true },
  { name: 'text_encoder_2', required: false },
  { name: 'unet', required: true },
  { name: 'vae_decoder', required: true },
  { name: 'vae_encoder', required: false },
  { name: 'taesd_decoder', required: false },
];

async function statOrNull(file: string): Promise<import('node:fs').Stats | null> {
  try {
    return await fs.stat(file);
  } catch {
    return null;
  }
}

async function readJson(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new RpcFailure(ErrorCode.ModelMissing, `${what} is missing: ${file} (${(e as Error).message}).`);
  }
  try {
    // Python's json.dumps writes Infinity/NaN (e.g. DPM-Solver's "lambda_min_clipped": -Infinity).
    const value: unknown = JSON.parse(text.replace(/(?<=[:\[,]\s*)(-?)Infinity\b/g, '$11e999').replace(/(?<=[:\[,]\s*)NaN\b/g, 'null'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw new RpcFailure(ErrorCode.ModelMismatch, `${what} is not valid JSON: ${file} (${(e as Error).message}).`);
  }
}

async function readOptionalJson(file: string, what: string): Promise<Record<string, unknown> | null> {
  return (await statOrNull(file)) ? readJson(file, what) : null;
}

/**
 * Where a component's model.onnx lives: its own folder, or for the preview decoder the TAESDXL folder
 * (madebyollin/taesdxl exported as taesdxl_decoder/) when there is no taesd_decoder/.
 */
async function componentFolder(dir: string, component: OnnxComponentName, vaeDir?: string): Promise<string> {
  if (vaeDir && (component === 'vae_decoder' || component === 'vae_encoder')) {
    // The swapped VAE's decoder always; its encoder when it has one (the latent space is the same), else the model's.
    if (component === 'vae_decoder' || (await statOrNull(path.join(vaeDir, component, 'model.onnx')))) return path.join(vaeDir, component);
  }
  if (component === 'taesd_decoder' && !(await statOrNull(path.join(dir, component, 'model.onnx')))) {
    if (await statOrNull(path.join(dir, 'taesdxl_decoder', 'model.onnx'))) return path.join(dir, 'taesdxl_decoder');
  }
  return path.join(dir, component);
}

/** Looks one level down for a model_index.json, to suggest the right folder. */
async function findNestedModel(dir: string): Promise<string | undefined> {
  try {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && (await statOrNull(path.join(dir, entry.name, 'model_index.json')))) {
        return path.join(dir, entry.name);
      }
    }
  } catch {
    // unreadable: the caller reports the folder as missing
  }
  return undefined;
}

export async function readModelFolder(dir: string, name?: string, vae?: string): Promise<ModelFolder> {
  const absolute = path.resolve(dir);
  const vaeDir = vae ? path.resolve(vae) : undefined;
  if (vaeDir && !(await statOrNull(path.join(vaeDir, 'vae_decoder', 'model.onnx')))) {
    throw new RpcFailure(
      ErrorCode.ModelMissing,
      `The VAE folder ${vaeDir} has no vae_decoder/model.onnx. Give a folder holding vae_decoder/ (and vae_encoder/ for img2img and inpaint), e.g. another model's folder or an fp16-fix VAE export.`,
    );
  }
  const dirStat = await statOrNull(absolute);
  if (!dirStat?.isDirectory()) {
    throw new RpcFailure(ErrorCode.ModelMissing, `Model folder not found: ${absolute}. Expected ${EXPECTED_LAYOUT}.`);
  }
  const indexFile = path.join(absolute, 'model_index.json');
  if (!(await statOrNull(indexFile))) {
    const nested = await findNestedModel(absolute);
    throw new RpcFailure(
      ErrorCode.ModelMissing,
      nested
        ? `${absolute} has no model_index.json, but ${nested} does: select that folder.`
        : `${absolute} has no model_index.json. Expected ${EXPECTED_LAYOUT}.`,
    );
  }
  const modelIndex = await readJson(indexFile, 'model_index.json');
  const pipelineClass = typeof modelIndex._class_name === 'string' ? modelIndex._class_name : 'unknown';

  const report: ComponentReport[] = [];
  const components: Partial<Record<OnnxComponentName, OnnxComponent>> = {};
  const missing: string[] = [];
  // The SDXL refiner layout has text_encoder_2/ + tokenizer_2/ alone (huggingface/optimum exporters/utils.py
  // _get_submodels_for_export_diffusion); model loading reports it.
  const hasSecondTextEncoder =
    'text_encoder_2' in modelIndex || Boolean(await statOrNull(path.join(absolute, 'text_encoder_2', 'model.onnx')));
  const secondOnly = hasSecondTextEncoder && !(await statOrNull(path.join(absolute, 'text_encoder', 'model.onnx')));
  for (const { name: component, required: listedRequired } of COMPONENTS) {
    const required = listedRequired && !(component === 'text_encoder' && secondOnly);
    const folder = await componentFolder(absolute, component, vaeDir);
    const file = path.join(folder, 'model.onnx');
    const stat = await statOrNull(file);
    if (!stat) {
      report.push({ name: component, present: false, required });
      if (required) missing.push(`${component}/model.onnx`);
      continue;
    }
    let bytes = stat.size;
    let externalData: string | undefined;
    for (const candidate of EXTERNAL_DATA_NAMES) {
      const s = await statOrNull(path.join(folder, candidate));
      if (s) {
        externalData = path.join(folder, candidate);
        bytes += s.size;
        break;
      }
    }
    const config = await readOptionalJson(path.join(folder, 'config.json'), `${path.basename(folder)}/config.json`);
    components[component] = { name: component, file, bytes, config, ...(externalData ? { externalData } : {}) };
    report.push({
      name: component,
      present: true,
      required,
      file: path.relative(absolute, file),
      bytes,
      ...(externalData ? { externalData: path.relative(absolute, externalData) } : {}),
    });
  }

  const hasTokenizerFiles = async (dir: string): Promise<boolean> =>
    Boolean((await statOrNull(path.join(dir, 'vocab.json'))) && (await statOrNull(path.join(dir, 'merges.txt'))));
  const tokenizer2Dir = path.join(absolute, 'tokenizer_2');
  const tokenizerDir = secondOnly ? tokenizer2Dir : path.join(absolute, 'tokenizer');
  const hasTokenizer = await hasTokenizerFiles(tokenizerDir);
  report.push({ name: 'tokenizer', present: hasTokenizer, required: !secondOnly });
  if (!hasTokenizer) missing.push(`${path.basename(tokenizerDir)}/vocab.json + ${path.basename(tokenizerDir)}/merges.txt`);
  if (hasSecondTextEncoder) {
    const hasTokenizer2 = await hasTokenizerFiles(tokenizer2Dir);
    report.push({ name: 'tokenizer_2', present: hasTokenizer2, required: true });
    if (!hasTokenizer2 && !secondOnly) missing.push('tokenizer_2/vocab.json + tokenizer_2/merges.txt');
  }

  const schedulerFile = path.join(absolute, 'scheduler', 'scheduler_config.json');
  const hasScheduler = Boolean(await statOrNull(schedulerFile));
  report.push({ name: 'scheduler', present: hasScheduler, required: true });
  if (!hasScheduler) missing.push('scheduler/scheduler_config.json');

  if (missing.length > 0) {
    throw new RpcFailure(
      ErrorCode.ModelMissing,
      `The model folder ${absolute} is incomplete: missing ${missing.join(', ')}. Expected ${EXPECTED_LAYOUT}.`,
    );
  }
  const schedulerConfig = (await readJson(schedulerFile, 'scheduler/scheduler_config.json')) as SchedulerConfig;

  const used = new Set<string>([...COMPONENTS.map((c) => c.name), 'tokenizer', 'tokenizer_2', 'scheduler']);
  const ignored = Object.keys(modelIndex).filter((k) => !k.startsWith('_') && !used.has(k) && typeof modelIndex[k] !== 'boolean');

  const installed = await readInstalledModel(absolute);
  const recommended = installed ? manifestRecommendation(installed) : undefined;
  return {
    dir: absolute,
    name: name ?? path.basename(absolute),
    ...(installed?.catalogId ? { catalog: { id: installed.catalogId, ...(recommended ? { recommended } : {}) } } : {}),
    pipelineClass,
    modelIndex,
    components,
    tokenizerDir,
    ...(hasSecondTextEncoder ? { tokenizer2Dir } : {}),
    ...(vaeDir ? { vaeDir } : {}),
    schedulerConfig,
    ignored,
    hasSecondTextEncoder,
    report,
  };
}
