// What a model setting or --model value names: a folder, a catalog id ("sd-turbo"), or a Hugging Face model
// spec ("owner/name[@revision][:subfolder]") that must be installed in the models folder. Shared by the CLI
// and the extension's ModelResolver. Folders win: anything absolute, starting with "~" or ".", or with a
// backslash is a path.
import * as path from 'node:path';
import { catalogEntryForSource, catalogSource, findCatalogEntry, type Catalog, type CatalogEntry } from './catalog';
import { installedModelDirSync } from './installedModels';
import { installDir } from './installLayout';
import { formatModelSpec, parseModelSpec, type ModelSource } from './modelSource';

export type ModelReference =
  | { kind: 'folder'; path: string }
  | {
      kind: 'hub';
      source: ModelSource;
      entry?: CatalogEntry;
      /** The install folder (whether or not it is installed). */
      dir: string;
      installed: boolean;
    }
  | { kind: 'unknown'; value: string };

export function looksLikePath(value: string): boolean {
  return (
    path.isAbsolute(value) ||
    path.win32.isAbsolute(value) ||
    value === '~' ||
    value.startsWith('~/') ||
    value.startsWith('~\\') ||
    value.startsWith('.') ||
    value.includes('\\')
  );
}

export function resolveModelReference(value: string, context: { catalog?: Catalog; modelsDir?: string }): ModelReference {
  const text = value.trim();
  if (looksLikePath(text)) return { kind: 'folder', path: text };
  const entry = findCatalogEntry(context.catalog, text);
  const source = entry ? catalogSource(entry) : parseModelSpec(text);
  if (!source) return { kind: 'unknown', value: text };
  const matching = entry ?? catalogEntryForSource(context.catalog, source);
  const installed = context.modelsDir ? installedModelDirSync(context.modelsDir, source) : undefined;
  return {
    kind: 'hub',
    source,
    ...(matching ? { entry: matching } : {}),
    dir: installed ?? (context.modelsDir ? installDir(context.modelsDir, source) : ''),
    installed: installed !== undefined,
  };
}

/** What to write in settings for a Hub model: its catalog id, else its spec. */
export function modelSettingValue(source: ModelSource, catalog?: Catalog): string {
  return catalogEntryForSource(catalog, source)?.id ?? formatModelSpec(source);
}
