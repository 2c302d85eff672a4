// Where each entry of a spec is in its text, and where a problem points: the CodeLens of the editor sits on each
// entry of `images`, and `local-diffusion build` prints `file:line:column` for a bad spec (the VS Code task's
// problem matcher reads it). Works on any JSON text, valid spec or not.
import { jsonProperty, jsonSyntaxErrorOffset, lineColumnAt, parseJsonTree, type JsonNode, type JsonRange } from '../json/jsonTree';
import type { AssetSpecProblem } from './parseAssetSpec';

export interface AssetEntryLocation {
  /** Its index in `images`. */
  index: number;
  /** The entry's object, braces included. */
  range: JsonRange;
  /** Its `output`, when it is a string. */
  output?: string;
}

/** The entries of `images`, in order; empty when the text is not JSON or has no `images` list. */
export function locateAssetEntries(text: string): AssetEntryLocation[] {
  const images = jsonProperty(parseJsonTree(text), 'images')?.value;
  if (images?.kind !== 'array') return [];
  return images.items.map((item, index) => {
    const output = jsonProperty(item, 'output')?.value;
    return { index, range: { start: item.start, end: item.end }, ...(output?.kind === 'string' ? { output: output.value } : {}) };
  });
}

/** The offset of the `"images"` key, or undefined. */
export function locateImagesKey(text: string): number | undefined {
  return jsonProperty(parseJsonTree(text), 'images')?.keyRange.start;
}

/**
 * The offset a problem is about: its field's key when the field is in the text (an unknown or bad field), else the
 * deepest object on the way that is (the entry that lacks a required field), else the start of the text.
 */
export function assetProblemOffset(text: string, problem: AssetSpecProblem): number {
  const root = parseJsonTree(text);
  if (!root) return jsonSyntaxErrorOffset(text) ?? 0; // not JSON: where it stops being JSON
  let node: JsonNode = root;
  let offset = root.start;
  const keys: Array<string | number> = [];
  if (problem.index !== undefined) keys.push('images', problem.index);
  if (problem.field !== undefined) keys.push(...problem.field.split('.'));
  for (const key of keys) {
    if (typeof key === 'number') {
      const item: JsonNode | undefined = node.kind === 'array' ? node.items[key] : undefined;
      if (!item) break;
      node = item;
      offset = item.start;
    } else {
      const property = jsonProperty(node, key);
      if (!property) break;
      node = property.value;
      offset = property.keyRange.start;
    }
  }
  return offset;
}

/** `line:column` (1-based) of a problem in the spec's text. */
export function assetProblemPosition(text: string, problem: AssetSpecProblem): { line: number; column: number } {
  return lineColumnAt(text, assetProblemOffset(text, problem));
}
