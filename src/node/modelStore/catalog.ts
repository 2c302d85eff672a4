// models/catalog.json: curated ONNX Stable Diffusion models (data, easy to correct without code changes).
// An entry says where the model is (repo, revision, subfolder), optional file rules, its licence and whether it
// must be accepted, whether its existence was verified, and a note (speed, VRAM, best scheduler and steps).
// What the Hub's listing says (files, sizes, hashes) is never written here: validateCatalog refuses unknown keys.
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { SCHEDULER_NAMES, type SchedulerName } from '../../common/protocol/engineProtocol';
import type { FileRules } from './fileSelection';
import { DEFAULT_MODEL_KIND, isModelKind, MODEL_KINDS, type ModelKind } from './modelKind';
import { isRepoId, isRevision, isSubfolder, modelSource, type ModelSource } from './modelSource';
import { ModelStoreError } from './modelStoreError';

export interface CatalogLicence {
  /** "CreativeML OpenRAIL-M". */
  name: string;
  /** Where to read it. */
  url: string;
  /** false: non-commercial use only. */
  commercialUse: boolean;
  /** Shown and accepted once before the download. */
  mustAccept: boolean;
}

export interface CatalogRecommendation {
  steps: number;
  guidanceScale: number;
  scheduler: SchedulerName;
}

export interface CatalogEntry {
  /** What the model is for (modelKind.ts); "kind" absent in the JSON: a diffusion model. */
  kind: ModelKind;
  /** Short id for settings and the CLI: lowercase, digits, "." and "-" (never contains "/", unlike repo ids). */
  id: string;
  name: string;
  repo: string;
  revision: string;
  subfolder: string;
  files?: FileRules;
  licence: CatalogLicence;
  /** false: the repo id comes from secondary sources and was not seen on the Hub. */
  verified: boolean;
  /** Where the repo id comes from. */
  evidence: string;
  /** Speed, VRAM, quality: one or two sentences. */
  note: string;
  /** Diffusion models only (required there). */
  recommended?: CatalogRecommendation;
  /** For the inpaint editor: a 9-channel inpainting UNet (false for other kinds). */
  inpainting: boolean;
  /** Background models: the input normalisation (rmbg, u2net, isnet: src/engine/background/segmentationPresets.ts). */
  preset?: string;
}

export interface Catalog {
  models: CatalogEntry[];
}

export const CATALOG_ID = /^[a-z0-9][a-z0-9.-]{0,63}$/;

const ENTRY_KEYS = ['id', 'kind', 'name', 'repo', 'revision', 'subfolder', 'files', 'licence', 'verified', 'evidence', 'note', 'recommended', 'inpainting', 'preset'];
const LICENCE_KEYS = ['name', 'url', 'commercialUse', 'mustAccept'];
const RECOMMENDED_KEYS = ['steps', 'guidanceScale', 'scheduler'];
const FILES_KEYS = ['include', 'exclude'];
const MAX_STEPS = 150;

class Problems {
  readonly list: string[] = [];
  add(where: string, message: string): void {
    this.list.push(`${where}: ${message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(value: Record<string, unknown>, allowed: string[], where: string, problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key) && !key.startsWith('$')) problems.add(where, `unknown key "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function text(value: unknown, where: string, problems: Problems, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    problems.add(where, allowEmpty ? 'must be a string' : 'must be a non-empty string');
    return '';
  }
  return value;
}

function bool(value: unknown, where: string, problems: Problems): boolean {
  if (typeof value !== 'boolean') problems.add(where, 'must be true or false');
  return value === true;
}

function patterns(value: unknown, where: string, problems: Problems): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || p === '' || p.startsWith('/') || p.includes('..'))) {
    problems.add(where, 'must be a list of relative glob patterns');
    return undefined;
  }
  return value as string[];
}

function validateEntry(raw: unknown, where: string, problems: Problems): CatalogEntry | undefined {
  if (!isObject(raw)) {
    problems.add(where, 'must be an object');
    return undefined;
  }
  checkKeys(raw, ENTRY_KEYS, where, problems);
  const id = text(raw.id, `${where}.id`, problems);
  if (id && !CATALOG_ID.test(id)) problems.add(`${where}.id`, `"${id}" must be lowercase letters, digits, "." and "-"`);
  const repo = text(raw.repo, `${where}.repo`, problems);
  if (repo && !isRepoId(repo)) problems.add(`${where}.repo`, `"${repo}" is not a Hugging Face repo id (owner/name)`);
  const revision = text(raw.revision, `${where}.revision`, problems);
  if (revision && !isRevision(revision)) problems.add(`${where}.revision`, `"${revision}" is not a valid revision`);
  const subfolder = text(raw.subfolder, `${where}.subfolder`, problems, true);
  if (!isSubfolder(subfolder)) problems.add(`${where}.subfolder`, `"${subfolder}" is not a relative folder`);

  let files: FileRules | undefined;
  if (raw.files !== undefined) {
    if (!isObject(raw.files)) problems.add(`${where}.files`, 'must be an object with include/exclude pattern lists');
    else {
      checkKeys(raw.files, FILES_KEYS, `${where}.files`, problems);
      const include = patterns(raw.files.include, `${where}.files.include`, problems);
      const exclude = patterns(raw.files.exclude, `${where}.files.exclude`, problems);
      files = { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) };
    }
  }

  const licenceRaw = raw.licence;
  let licence: CatalogLicence = { name: '', url: '', commercialUse: false, mustAccept: true };
  if (!isObject(licenceRaw)) problems.add(`${where}.licence`, 'must be an object { name, url, commercialUse, mustAccept }');
  else {
    checkKeys(licenceRaw, LICENCE_KEYS, `${where}.licence`, problems);
    const url = text(licenceRaw.url, `${where}.licence.url`, problems);
    if (url && !/^https:\/\//.test(url)) problems.add(`${where}.licence.url`, 'must be an https:// URL');
    licence = {
      name: text(licenceRaw.name, `${where}.licence.name`, problems),
      url,
      commercialUse: bool(licenceRaw.commercialUse, `${where}.licence.commercialUse`, problems),
      mustAccept: bool(licenceRaw.mustAccept, `${where}.licence.mustAccept`, problems),
    };
    if (!licence.commercialUse && !licence.mustAccept) {
      problems.add(`${where}.licence`, 'a non-commercial licence must be accepted (mustAccept: true)');
    }
  }

  let kind: ModelKind = DEFAULT_MODEL_KIND;
  if (raw.kind !== undefined) {
    if (isModelKind(raw.kind)) kind = raw.kind;
    else problems.add(`${where}.kind`, `must be one of ${MODEL_KINDS.join(', ')}`);
  }
  const diffusion = kind === 'diffusion';
  const recRaw = raw.recommended;
  let recommended: CatalogRecommendation | undefined = diffusion ? { steps: 1, guidanceScale: 0, scheduler: 'default' } : undefined;
  if (!diffusion) {
    if (recRaw !== undefined) problems.add(`${where}.recommended`, `is for diffusion models only (this is ${kind === 'upscaler' ? 'an' : 'a'} ${kind})`);
  } else if (!isObject(recRaw)) problems.add(`${where}.recommended`, 'must be an object { steps, guidanceScale, scheduler }');
  else {
    checkKeys(recRaw, RECOMMENDED_KEYS, `${where}.recommended`, problems);
    const { steps, guidanceScale, scheduler } = recRaw;
    if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) {
      problems.add(`${where}.recommended.steps`, `must be a whole number in 1…${MAX_STEPS}`);
    }
    if (typeof guidanceScale !== 'number' || guidanceScale < 0) problems.add(`${where}.recommended.guidanceScale`, 'must be a number ≥ 0');
    if (typeof scheduler !== 'string' || !(SCHEDULER_NAMES as readonly string[]).includes(scheduler)) {
      problems.add(`${where}.recommended.scheduler`, `must be one of ${SCHEDULER_NAMES.join(', ')}`);
    }
    recommended = { steps: Number(steps), guidanceScale: Number(guidanceScale), scheduler: scheduler as SchedulerName };
  }

  let preset: string | undefined;
  if (raw.preset !== undefined) {
    if (kind !== 'background') problems.add(`${where}.preset`, 'is for background models only');
    else preset = text(raw.preset, `${where}.preset`, problems);
  }
  if (!diffusion && raw.inpainting === true) problems.add(`${where}.inpainting`, 'is for diffusion models only');

  return {
    kind,
    id,
    name: text(raw.name, `${where}.name`, problems),
    repo,
    revision,
    subfolder,
    ...(files ? { files } : {}),
    licence,
    verified: bool(raw.verified, `${where}.verified`, problems),
    evidence: text(raw.evidence, `${where}.evidence`, problems),
    note: text(raw.note, `${where}.note`, problems),
    ...(recommended ? { recommended } : {}),
    inpainting: diffusion ? bool(raw.inpainting, `${where}.inpainting`, problems) : false,
    ...(preset !== undefined ? { preset } : {}),
  };
}

/** Checks the whole catalog; throws one "invalid" error listing every problem. */
export function validateCatalog(value: unknown, name = 'models/catalog.json'): Catalog {
  const problems = new Problems();
  if (!isObject(value) || !Array.isArray(value.models)) {
    throw new ModelStoreError('invalid', `${name}: expected { "models": [ … ] }.`);
  }
  checkKeys(value, ['models'], name, problems);
  const models: CatalogEntry[] = [];
  value.models.forEach((raw, i) => {
    const entry = validateEntry(raw, `models[${i}]`, problems);
    if (entry) models.push(entry);
  });
  const seenIds = new Set<string>();
  const seenSources = new Set<string>();
  for (const [i, entry] of models.entries()) {
    if (seenIds.has(entry.id)) problems.add(`models[${i}].id`, `"${entry.id}" is used twice`);
    seenIds.add(entry.id);
    const key = `${entry.repo}@${entry.revision}:${entry.subfolder}`;
    if (seenSources.has(key)) problems.add(`models[${i}]`, `${key} is listed twice`);
    seenSources.add(key);
  }
  if (problems.list.length > 0) {
    throw new ModelStoreError('invalid', `${name} is not valid: ${problems.list.join('; ')}.`, { detail: problems.list.join('\n') });
  }
  return { models };
}

export function parseCatalog(text: string, file: string): Catalog {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelStoreError('invalid', `The model catalog ${file} is not valid JSON: ${(error as Error).message}.`);
  }
  return validateCatalog(json, file);
}

export async function loadCatalog(file: string): Promise<Catalog> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ModelStoreError('io', `Cannot read the model catalog ${file}: ${(error as Error).message}.`);
  }
  return parseCatalog(text, file);
}

/** For the extension's synchronous model resolver (a few KB, read once). */
export function loadCatalogSync(file: string): Catalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelStoreError('io', `Cannot read the model catalog ${file}: ${(error as Error).message}.`);
  }
  return parseCatalog(text, file);
}

export function findCatalogEntry(catalog: Catalog | undefined, id: string): CatalogEntry | undefined {
  return catalog?.models.find((m) => m.id === id.trim());
}

/** The entries of one kind (the pickers offer only what fits). */
export function catalogEntriesOfKind(catalog: Catalog | undefined, kind: ModelKind): CatalogEntry[] {
  return (catalog?.models ?? []).filter((m) => m.kind === kind);
}

export function catalogSource(entry: CatalogEntry): ModelSource {
  return modelSource(entry.repo, entry.revision, entry.subfolder);
}

/** The catalog entry for a source (same repo, revision and subfolder). */
export function catalogEntryForSource(catalog: Catalog | undefined, source: ModelSource): CatalogEntry | undefined {
  return catalog?.models.find((m) => m.repo === source.repoId && m.revision === source.revision && m.subfolder === source.subfolder);
}

/** The key under which the acceptance of an entry's licence is remembered. */
export function licenceAcceptanceKey(entry: CatalogEntry): string {
  return `${entry.id}:${entry.licence.name}`;
}

/** The catalog's place in the extension (and next to dist/cli.js: <root>/models/catalog.json). */
export const CATALOG_FILE = ['models', 'catalog.json'] as const;
