// The entries of "Local Diffusion: Select Model": the built-in model, downloaded models (size, licence, status),
// stopped downloads (select to resume), catalog models not downloaded yet, recently used folders, and the
// actions. Pure (codicons are plain "$(name)" text): unit-tested; selectModel.ts turns them into QuickPickItems.
import type { Catalog, CatalogEntry } from '../../node/modelStore/catalog';
import { catalogEntryForSource, catalogSource } from '../../node/modelStore/catalog';
import { formatBytes } from '../../node/modelStore/formatBytes';
import { installedModelKind, type IncompleteDownload, type InstalledModel } from '../../node/modelStore/installedModels';
import { modelSettingValue } from '../../node/modelStore/modelReference';
import { formatModelSpec, sameSource, type ModelSource } from '../../node/modelStore/modelSource';

interface Texts {
  label: string;
  description?: string;
  detail?: string;
}

export type ModelChoice =
  | { kind: 'separator'; label: string }
  | (Texts & { kind: 'builtIn' })
  | (Texts & { kind: 'installed'; settingValue: string; model: InstalledModel; entry?: CatalogEntry })
  | (Texts & { kind: 'download'; source: ModelSource; entry?: CatalogEntry })
  | (Texts & { kind: 'folder'; dir: string })
  | (Texts & { kind: 'addFolder' })
  | (Texts & { kind: 'downloadOther' });

export interface ModelChoicesInput {
  /** The `localDiffusion.model` setting. */
  current: string;
  /** The folder the current setting resolves to, when it does. */
  currentDir?: string;
  builtInName: string;
  catalog?: Catalog;
  installed: readonly InstalledModel[];
  incomplete: readonly IncompleteDownload[];
  recentFolders: readonly string[];
  /** True while this window downloads the model. */
  downloading: (source: ModelSource) => boolean;
}

export function licenceLabel(entry: CatalogEntry | undefined, cardLicense?: string): string {
  // Said once: a licence named "… Non-Commercial …" needs no " (non-commercial)" after it.
  if (entry) return `${entry.licence.name}${entry.licence.commercialUse || /non-commercial/i.test(entry.licence.name) ? '' : ' (non-commercial)'}`;
  return cardLicense ? `licence: ${cardLicense}` : 'licence: see the model page';
}

function recommendation(entry: CatalogEntry): string {
  const r = entry.recommended;
  if (!r) return '';
  return `${r.steps} step${r.steps === 1 ? '' : 's'}, guidance ${r.guidanceScale}, ${r.scheduler} scheduler`;
}

/** Only diffusion models are offered here: upscalers and background models go to the image tools' pickers. */
function diffusionOnly(input: ModelChoicesInput): ModelChoicesInput {
  const isDiffusionSource = (source: ModelSource): boolean => (catalogEntryForSource(input.catalog, source)?.kind ?? 'diffusion') === 'diffusion';
  return {
    ...input,
    ...(input.catalog ? { catalog: { models: input.catalog.models.filter((e) => e.kind === 'diffusion') } } : {}),
    installed: input.installed.filter((m) => installedModelKind(m) === 'diffusion' && isDiffusionSource(m.source)),
    incomplete: input.incomplete.filter((d) => d.source === undefined || isDiffusionSource(d.source)),
  };
}

export function buildModelChoices(given: ModelChoicesInput): ModelChoice[] {
  const input = diffusionOnly(given);
  const choices: ModelChoice[] = [
    {
      kind: 'builtIn',
      label: '$(package) Built-in sample model',
      description: input.current === '' ? `${input.builtInName} · current` : input.builtInName,
      detail: 'Shipped with the extension: simple shapes and colours named in the prompt. No download.',
    },
  ];

  if (input.installed.length > 0) choices.push({ kind: 'separator', label: 'Downloaded' });
  for (const model of input.installed) {
    const entry = catalogEntryForSource(input.catalog, model.source);
    const settingValue = modelSettingValue(model.source, input.catalog);
    const current = input.current === settingValue || input.currentDir === model.dir;
    const spec = formatModelSpec(model.source);
    choices.push({
      kind: 'installed',
      settingValue,
      model,
      ...(entry ? { entry } : {}),
      label: `$(check) ${entry?.name ?? spec}`,
      description: `${formatBytes(model.totalBytes)} · ${licenceLabel(entry, model.license)}${current ? ' · current' : ''}`,
      detail: `${spec} (commit ${model.commit.slice(0, 7)})${entry ? ` · ${recommendation(entry)}` : ''}`,
    });
  }

  const offered: ModelSource[] = [];
  const stopped = input.incomplete.filter((d): d is IncompleteDownload & { source: ModelSource } => d.source !== undefined);
  const catalogToOffer = (input.catalog?.models ?? []).filter((e) => !input.installed.some((m) => sameSource(m.source, catalogSource(e))));
  if (stopped.length + catalogToOffer.length > 0) choices.push({ kind: 'separator', label: 'Download' });
  for (const download of stopped) {
    if (input.installed.some((m) => sameSource(m.source, download.source))) continue;
    const entry = catalogEntryForSource(input.catalog, download.source);
    offered.push(download.source);
    const progress = `${formatBytes(download.bytes)}${download.totalBytes ? ` of ${formatBytes(download.totalBytes)}` : ''}`;
    choices.push({
      kind: 'download',
      source: download.source,
      ...(entry ? { entry } : {}),
      label: `$(debug-pause) ${entry?.name ?? formatModelSpec(download.source)}`,
      description: input.downloading(download.source) ? `downloading… (${progress})` : `stopped at ${progress} · select to resume`,
      detail: `${formatModelSpec(download.source)} · ${licenceLabel(entry)}`,
    });
  }
  for (const entry of catalogToOffer) {
    const source = catalogSource(entry);
    if (offered.some((s) => sameSource(s, source))) continue;
    choices.push({
      kind: 'download',
      source,
      entry,
      label: `$(cloud-download) ${entry.name}`,
      description: `${licenceLabel(entry)}${unverifiedNote(entry, input.catalog?.models ?? [])} · ${input.downloading(source) ? 'downloading…' : 'not downloaded'}`,
      detail: `${entry.note} Recommended: ${recommendation(entry)}.`,
    });
  }

  if (input.recentFolders.length > 0) choices.push({ kind: 'separator', label: 'Model folders' });
  for (const dir of input.recentFolders) {
    const name = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
    choices.push({ kind: 'folder', dir, label: `$(folder) ${name}`, ...(dir === input.current ? { description: 'current' } : {}), detail: dir });
  }

  choices.push({ kind: 'separator', label: '' });
  choices.push({
    kind: 'addFolder',
    label: '$(folder-opened) Add Model Folder…',
    detail: 'A diffusers ONNX export on disk: model_index.json, text_encoder/, unet/, vae_decoder/, tokenizer/, scheduler/',
  });
  choices.push({
    kind: 'downloadOther',
    label: '$(cloud-download) Download from Hugging Face…',
    detail: 'Any repo with a diffusers ONNX export: owner/name, optionally @revision and :subfolder',
  });
  return choices;
}

// When no catalog entry's repo id is verified, the pickers say nothing of it (not on every entry, and not in a
// heading: VS Code draws a separator's label on the row below it, where a long one hides that entry's name); the
// download's confirmation says it for the entry chosen ("the catalog could not verify this repository").
function noneVerified(entries: readonly CatalogEntry[]): boolean {
  return entries.length > 0 && entries.every((e) => !e.verified);
}

/** " · repo id not verified" only where it tells this entry from verified ones. */
export function unverifiedNote(entry: CatalogEntry, entries: readonly CatalogEntry[]): string {
  return entry.verified || noneVerified(entries) ? '' : ' · repo id not verified';
}
