// Which LoRAs a job applies and how: the files named by the request (`loras`, CLI --lora) and by the prompt's
// `<lora:name:te:unet>` tags (found as name.safetensors in `loraFolders`, as A1111 `extensions-builtin/Lora/networks.py`
// finds networks by file name), each read from its header, checked against the model, matched onto the component
// graphs (structure only, no weights read), and turned into one LoraGraphEdit per component. A LoRA none of whose
// layers fit the model is an error; one that partly fits is applied with a warning naming what was left out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoraRef } from '../../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import { parseExtraNetworks } from '../../common/prompt/parseExtraNetworks';
import { readLoraFile, type LoraFile, type LoraTarget as LoraComponent } from '../../node/lora/loraFile';
import type { GraphEdit } from '../../node/onnx/graphEdit';
import { readOnnxModel } from '../../node/onnx/readOnnxModel';
import { loraShortHash } from '../../node/lora/loraHash';
import { readModelFolder, type ModelFolder, type OnnxComponent } from '../model/modelFolder';
import { LoraGraphEdit, matchLora, type LoraApplyMode, type LoraUse } from './loraGraphEdit';
import { GraphTargets } from './loraTargets';

export interface LoraRequest {
  file: string;
  /** The name the infotext's "Lora hashes" gives it (the tag's name, or the file name). */
  name: string;
  /** Text-encoder and UNet multipliers (A1111 te / unet). */
  teWeight: number;
  unetWeight: number;
}

export interface LoraPlan {
  /** Part of the engine's model cache key: the same key gives the same merged weights. */
  key: string;
  edits: Partial<Record<LoraComponent, GraphEdit[]>>;
  warnings: string[];
  /** The applied LoRAs, for the infotext (name → file). */
  applied: { name: string; file: string }[];
}

const EXTENSIONS = ['.safetensors'];
/** Subfolder depth searched under each LoRA folder (A1111 lists Lora folders recursively). */
const SEARCH_DEPTH = 4;

function findInFolder(dir: string, name: string, depth: number): string | undefined {
  for (const ext of EXTENSIONS) {
    const direct = path.join(dir, name + ext);
    if (fs.existsSync(direct) && fs.statSync(direct).isFile()) return direct;
  }
  if (depth === 0) return undefined;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const found = findInFolder(path.join(dir, entry.name), name, depth - 1);
    if (found) return found;
  }
  return undefined;
}

/** The LoRA files a job asks for: `loras` first, then the prompt's lora/lyco tags; warnings for names not found. */
export function resolveLoraRequests(
  prompt: string,
  loras: readonly LoraRef[] | undefined,
  loraFolders: readonly string[] | undefined,
): { requests: LoraRequest[]; warnings: string[] } {
  const requests: LoraRequest[] = [];
  const warnings: string[] = [];
  const invalid = (message: string) => new RpcFailure(ErrorCode.InvalidParams, message);
  if (loras !== undefined && (!Array.isArray(loras) || !loras.every((l) => typeof l?.file === 'string' && l.file.length > 0))) {
    throw invalid('loras must be a list of { file, weight? }.');
  }
  if (loraFolders !== undefined && (!Array.isArray(loraFolders) || !loraFolders.every((d) => typeof d === 'string'))) {
    throw invalid('loraFolders must be a list of folder paths.');
  }
  for (const ref of loras ?? []) {
    if (ref.weight !== undefined && (typeof ref.weight !== 'number' || !Number.isFinite(ref.weight))) {
      throw invalid(`The weight of LoRA ${ref.file} must be a finite number, got ${JSON.stringify(ref.weight)}.`);
    }
    const file = path.resolve(ref.file);
    if (!fs.existsSync(file)) throw new RpcFailure(ErrorCode.InvalidParams, `LoRA file ${file} does not exist.`);
    const weight = ref.weight ?? 1;
    requests.push({ file, name: path.basename(file).replace(/\.safetensors$/i, ''), teWeight: weight, unetWeight: weight });
  }
  for (const tag of parseExtraNetworks(prompt).networks) {
    if (tag.kind !== 'lora' && tag.kind !== 'lyco') continue;
    const folders = loraFolders ?? [];
    const file = folders.map((dir) => findInFolder(path.resolve(dir), tag.name, SEARCH_DEPTH)).find(Boolean);
    if (!file) {
      warnings.push(
        folders.length === 0
          ? `${tag.tag}: no LoRA folder is set (localDiffusion.loraFolders, CLI --lora-dir), so it is not applied.`
          : `${tag.tag}: no ${tag.name}.safetensors in ${folders.join(', ')}; it is not applied.`,
      );
      continue;
    }
    requests.push({ file, name: tag.name, teWeight: tag.weight, unetWeight: tag.unetWeight });
  }
  return { requests, warnings };
}

function componentOf(folder: ModelFolder, component: LoraComponent): OnnxComponent | undefined {
  return (folder.components as Partial<Record<string, OnnxComponent>>)[component];
}

/** Whether the folder is an SDXL pipeline (two text encoders, or the SDXL pipeline class). */
function isSdxl(folder: ModelFolder): boolean {
  return folder.hasSecondTextEncoder || /XL/.test(folder.pipelineClass) || componentOf(folder, 'text_encoder_2') !== undefined;
}

const SHOWN_SKIPS = 6;

/**
 * How LoRAs are applied: 'auto' merges them into the weights unless the touched weights of a component pass
 * BRANCH_FROM_BYTES, where side branches load faster and hold no second copy of those weights (loraGraphEdit.ts).
 */
export type LoraModeChoice = 'auto' | LoraApplyMode;

/** Touched weight bytes from which 'auto' uses side branches (the merged copies are embedded in the graph). */
export const BRANCH_FROM_BYTES = 256 << 20;

export function planLoras(folder: ModelFolder, requests: readonly LoraRequest[], mode: LoraModeChoice = 'auto'): LoraPlan {
  const layersPerBlock = folder.components.unet?.config?.layers_per_block;
  const loras: { request: LoraRequest; lora: LoraFile }[] = requests.map((request) => {
    try {
      return { request, lora: readLoraFile(request.file, typeof layersPerBlock === 'number' ? { layersPerBlock } : {}) };
    } catch (e) {
      throw new RpcFailure(ErrorCode.InvalidParams, `LoRA ${request.name}: ${(e as Error).message}`);
    }
  });
  const sdxlModel = isSdxl(folder);
  for (const { lora } of loras) {
    if (lora.sdxl && !sdxlModel) {
      throw new RpcFailure(
        ErrorCode.ModelMismatch,
        `${path.basename(lora.file)} is an SDXL LoRA (${lora.modules.some((m) => m.target === 'text_encoder_2') ? 'it has second-text-encoder layers' : `base model ${lora.metadata.baseModel}`}); ${folder.name} is a Stable Diffusion 1.x/2.x model.`,
      );
    }
  }
  const targets = new Map<LoraComponent, GraphTargets>();
  const graphOf = (component: LoraComponent): GraphTargets | undefined => {
    if (targets.has(component)) return targets.get(component);
    const c = componentOf(folder, component);
    const t = c ? new GraphTargets(readOnnxModel(c.file)) : undefined;
    if (t) targets.set(component, t);
    return t;
  };
  const warnings: string[] = [];
  const uses = new Map<LoraComponent, LoraUse[]>();
  const touched = new Map<LoraComponent, Map<string, number>>();
  for (const { request, lora } of loras) {
    let applied = 0;
    const skipped: string[] = [];
    for (const component of ['text_encoder', 'text_encoder_2', 'unet'] as const) {
      const modules = lora.modules.filter((m) => m.target === component);
      if (modules.length === 0) continue;
      const graph = graphOf(component);
      if (!graph) {
        skipped.push(...modules.map((m) => `${m.sourceName} (the model has no ${component})`));
        continue;
      }
      const matches = matchLora(graph, component, lora);
      for (const m of matches) {
        if (!m.target) {
          skipped.push(`${m.module.sourceName} (${m.reason})`);
          continue;
        }
        applied++;
        const bytes = m.target.weight.dims.reduce((a, b) => a * b, 1) * (m.target.weight.type === 'float16' ? 2 : 4);
        touched.set(component, (touched.get(component) ?? new Map<string, number>()).set(m.target.weight.name, bytes));
      }
      const strength = component === 'unet' ? request.unetWeight : request.teWeight;
      if (matches.some((m) => m.target) && strength !== 0) uses.set(component, [...(uses.get(component) ?? []), { lora, strength }]);
    }
    const total = lora.modules.length;
    if (applied === 0) {
      const unnamed = [...targets.values()].every((t) => t.size === 0);
      throw new RpcFailure(
        ErrorCode.ModelMismatch,
        `${path.basename(lora.file)}: none of its ${total} layers match ${folder.name}` +
          (unnamed
            ? ": the model's graphs carry no module names (an optimized or renamed export?)."
            : ` — is it for another model architecture? For example ${skipped.slice(0, 3).join('; ')}.`),
      );
    }
    if (skipped.length > 0) {
      warnings.push(
        `LoRA ${request.name}: ${applied} of ${total} layers applied; not applied: ${skipped.slice(0, SHOWN_SKIPS).join('; ')}` +
          (skipped.length > SHOWN_SKIPS ? ` and ${skipped.length - SHOWN_SKIPS} more.` : '.'),
      );
    }
  }
  const edits: Partial<Record<LoraComponent, GraphEdit[]>> = {};
  for (const [component, list] of uses) {
    const bytes = [...(touched.get(component)?.values() ?? [])].reduce((a, b) => a + b, 0);
    const chosen: LoraApplyMode = mode !== 'auto' ? mode : bytes >= BRANCH_FROM_BYTES ? 'branch' : 'merge';
    edits[component] = [new LoraGraphEdit(component, list, chosen)];
  }
  const key = JSON.stringify(Object.entries(edits).map(([c, e]) => [c, e?.map((x) => x.key)]));
  return { key, edits, warnings, applied: loras.map(({ request }) => ({ name: request.name, file: request.file })) };
}

/** The LoRAs of one generate request: resolved, read and matched (undefined plan: none asked for). */
export async function planJobLoras(
  params: {
    model: { dir: string; name?: string };
    prompt: string;
    loras?: LoraRef[];
    loraFolders?: string[];
  },
  mode: LoraModeChoice = 'auto',
): Promise<{ plan?: LoraPlan; warnings: string[] }> {
  const { requests, warnings } = resolveLoraRequests(params.prompt ?? '', params.loras, params.loraFolders);
  if (requests.length === 0) return { warnings };
  const plan = planLoras(await readModelFolder(params.model.dir, params.model.name), requests, mode);
  return { plan, warnings: [...warnings, ...plan.warnings] };
}

const hashes = new Map<string, Promise<string>>();

/** A LoRA's A1111 short hash, kept per file, size and mtime. */
function cachedShortHash(file: string): Promise<string> {
  const stat = fs.statSync(file);
  const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
  let hash = hashes.get(key);
  if (!hash) hashes.set(key, (hash = loraShortHash(file)));
  return hash;
}

/**
 * A1111's "Lora hashes" value: `name: shorthash` for each LoRA, joined by ', ', the name without ':' and ','
 * (`extensions-builtin/Lora/extra_networks_lora.py` activate, remove_symbols); undefined when none could be hashed.
 */
export async function loraHashesInfotext(plan: LoraPlan): Promise<string | undefined> {
  const entries = new Map<string, string>();
  for (const { name, file } of plan.applied) {
    const hash = await cachedShortHash(file).catch(() => undefined);
    if (hash) entries.set(name.replace(/[:,]/g, ''), hash);
  }
  return entries.size > 0 ? [...entries].map(([k, v]) => `${k}: ${v}`).join(', ') : undefined;
}
