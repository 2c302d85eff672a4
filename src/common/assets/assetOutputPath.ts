// Where an asset goes: a '/'-separated path relative to the spec's folder that never leaves it, whose extension
// names the format. Pure string rules (no node:path) so the Generate panel's "Save as Asset" and the schema share
// them with the build.

export const ASSET_OUTPUT_FORMATS = ['png', 'webp', 'jpeg'] as const;
export type AssetOutputFormat = (typeof ASSET_OUTPUT_FORMATS)[number];

/** File extensions (lower case, no dot) and the format each one means. */
export const ASSET_OUTPUT_EXTENSIONS: Readonly<Record<string, AssetOutputFormat>> = { png: 'png', webp: 'webp', jpg: 'jpeg', jpeg: 'jpeg' };

/** One pattern for the JSON Schema: relative, no '..' segment, no backslash, a known extension (any case). */
export const ASSET_OUTPUT_PATTERN =
  '^(?![/~])(?![A-Za-z]:)(?!(?:.*/)?\\.\\.(?:/|$))[^\\\\]*[^/\\\\]\\.(?:[pP][nN][gG]|[wW][eE][bB][pP]|[jJ][pP][eE]?[gG])$';

/** Why `output` is not acceptable, or undefined when it is. */
export function assetOutputPathProblem(output: string): string | undefined {
  if (output.trim() === '') return 'must name a file, e.g. "media/hero.png"';
  if (output.includes('\\')) return 'must use "/" between folders (the spec is shared across systems)';
  if (output.startsWith('/') || output.startsWith('~') || /^[A-Za-z]:/.test(output)) return "must be relative to the spec's folder, not absolute";
  if (output.split('/').includes('..')) return "must stay inside the spec's folder (no \"..\")";
  if (output.endsWith('/')) return 'must name a file, not a folder';
  if (assetOutputFormat(output) === undefined) return 'must end in .png, .webp, .jpg or .jpeg (the extension picks the format)';
  return undefined;
}

/** The format an output path's extension names (case-insensitive), or undefined. */
export function assetOutputFormat(output: string): AssetOutputFormat | undefined {
  const name = output.slice(output.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  // "media/.png" has no name before its extension.
  if (dot <= 0) return undefined;
  return ASSET_OUTPUT_EXTENSIONS[name.slice(dot + 1).toLowerCase()];
}

/** "media/./hero.png" and "media//hero.png" → "media/hero.png" (for comparing outputs). Assumes a valid path. */
export function normalizeAssetOutput(output: string): string {
  return output
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}
