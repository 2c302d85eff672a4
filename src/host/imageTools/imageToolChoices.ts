// The model pickers of the Explorer's image tools: Upscale Image… offers Lanczos (no model), the hires-fix upscaler
// setting's model, downloaded upscalers, catalog upscalers to download, and a file; Remove Background offers
// downloaded background models, catalog ones to download, and a file. Only models of the tool's kind appear
// (catalog entry kinds and install manifests, src/node/modelStore/modelKind.ts). Pure: unit-tested; the commands
// turn these into QuickPickItems.
import { catalogEntriesOfKind, catalogEntryForSource, catalogSource, type Catalog, type CatalogEntry } from '../../node/modelStore/catalog';
import { formatBytes } from '../../node/modelStore/formatBytes';
import { installedModelKind, type InstalledModel } from '../../node/modelStore/installedModels';
import { MODEL_KIND_LABELS } from '../../node/modelStore/modelKind';
import { formatModelSpec, sameSource, type ModelSource } from '../../node/modelStore/modelSource';
import { licenceLabel, unverifiedNote } from '../models/modelChoices';

export type ImageTool = 'upscaler' | 'background';

interface Texts {
  label: string;
  description?: string;
  detail?: string;
}

export type ImageToolChoice =
  | { kind: 'separator'; label: string }
  | (Texts & { kind: 'lanczos' })
  /** A model on disk: a folder (downloaded) or an .onnx file; `preset` from its catalog entry (background models). */
  | (Texts & { kind: 'model'; path: string; preset?: string })
  | (Texts & { kind: 'download'; source: ModelSource; entry: CatalogEntry })
  | (Texts & { kind: 'browse' });

export interface ImageToolChoicesInput {
  tool: ImageTool;
  catalog?: Catalog;
  installed: readonly InstalledModel[];
  /** Upscale: the localDiffusion.hiresUpscaler setting ('' = none). */
  settingModel?: string;
  /** The model used last time with this tool (listed first among models, marked). */
  lastModel?: string;
  downloading: (source: ModelSource) => boolean;
}

function baseName(file: string): string {
  return file.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? file;
}

export function imageToolChoices(input: ImageToolChoicesInput): ImageToolChoice[] {
  const choices: ImageToolChoice[] = [];
  const last = (path: string): string => (input.lastModel === path ? ' · last used' : '');
  if (input.tool === 'upscaler') {
    choices.push({
      kind: 'lanczos',
      label: '$(symbol-misc) Lanczos',
      description: `no model${input.lastModel === '' ? ' · last used' : ''}`,
      detail: 'A classic resampling filter: always available, fast, softer than a super-resolution model.',
    });
  }
  const models: ImageToolChoice[] = [];
  if (input.tool === 'upscaler' && input.settingModel) {
    models.push({ kind: 'model', path: input.settingModel, label: `$(file) ${baseName(input.settingModel)}`, description: `hires fix upscaler setting${last(input.settingModel)}`, detail: input.settingModel });
  }
  for (const model of input.installed) {
    const entry = catalogEntryForSource(input.catalog, model.source);
    if ((entry?.kind ?? installedModelKind(model)) !== input.tool) continue;
    if (models.some((m) => m.kind === 'model' && m.path === model.dir)) continue;
    models.push({
      kind: 'model',
      path: model.dir,
      ...(entry?.preset ? { preset: entry.preset } : {}),
      label: `$(check) ${entry?.name ?? formatModelSpec(model.source)}`,
      description: `${formatBytes(model.totalBytes)} · ${licenceLabel(entry, model.license)}${last(model.dir)}`,
      detail: entry?.note ?? formatModelSpec(model.source),
    });
  }
  if (models.length > 0) choices.push({ kind: 'separator', label: input.tool === 'upscaler' ? 'Upscalers' : 'Background models' }, ...models);

  const entries = catalogEntriesOfKind(input.catalog, input.tool).filter((e) => !input.installed.some((m) => sameSource(m.source, catalogSource(e))));
  if (entries.length > 0) choices.push({ kind: 'separator', label: 'Download' });
  for (const entry of entries) {
    const source = catalogSource(entry);
    choices.push({
      kind: 'download',
      source,
      entry,
      label: `$(cloud-download) ${entry.name}`,
      description: `${licenceLabel(entry)}${unverifiedNote(entry, catalogEntriesOfKind(input.catalog, input.tool))} · ${input.downloading(source) ? 'downloading…' : 'not downloaded'}`,
      detail: entry.note,
    });
  }
  choices.push({ kind: 'separator', label: '' });
  choices.push({
    kind: 'browse',
    label: '$(folder-opened) Choose an ONNX File…',
    detail: `A ${MODEL_KIND_LABELS[input.tool]} as one .onnx file (${input.tool === 'upscaler' ? 'Real-ESRGAN and other super-resolution exports' : 'RMBG-1.4, rembg’s u2net / isnet'}).`,
  });
  return choices;
}
