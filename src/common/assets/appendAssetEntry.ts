// Adds an entry at the end of a spec's `images`, editing the text in place: everything else (key order, spacing,
// other entries) stays as it was, and the new entry is indented like its neighbours. A missing spec is a new
// file. The entry's JSON is JSON.stringify's, so the result always parses.
import { jsonProperty, parseJsonTree, type JsonNode } from '../json/jsonTree';

/** The text of a new spec holding one entry. */
export function newAssetSpecText(entry: unknown): string {
  return `${JSON.stringify({ images: [entry] }, null, 2)}\n`;
}

/** The indentation of the line `offset` is on. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/** The file's indent unit, guessed from the first indented line (two spaces when there is none). */
function indentUnit(text: string): string {
  const match = /\n([ \t]+)\S/.exec(text);
  return match ? match[1] : '  ';
}

/** `value` as JSON laid out with `unit`, each line after the first indented by `indent`. */
function stringifyAt(value: unknown, unit: string, indent: string): string {
  return JSON.stringify(value, null, unit).split('\n').join(`\n${indent}`);
}

/** The spec's text with `entry` appended to `images`; throws when the text is not a JSON object. */
export function appendAssetEntry(text: string, entry: unknown): string {
  const root = parseJsonTree(text);
  if (root?.kind !== 'object') throw new Error('the spec is not a JSON object; fix it first');
  const unit = indentUnit(text);
  const images = jsonProperty(root, 'images');
  if (images === undefined) return insertImagesProperty(text, root, entry, unit);
  const list: JsonNode = images.value;
  if (list.kind !== 'array') throw new Error('"images" is not a list; fix the spec first');
  const last = list.items[list.items.length - 1];
  if (last) {
    const indent = lineIndent(text, last.start);
    // On one line with the previous entry when the list is written on one line.
    const sameLine = !text.slice(list.start, last.start).includes('\n');
    const separator = sameLine ? ', ' : `,\n${indent}`;
    const value = sameLine ? JSON.stringify(entry) : stringifyAt(entry, unit, indent);
    return `${text.slice(0, last.end)}${separator}${value}${text.slice(last.end)}`;
  }
  // An empty list: the entry on its own line, one level deeper than the "images" key.
  const keyIndent = lineIndent(text, images.keyRange.start);
  const indent = keyIndent + unit;
  return `${text.slice(0, list.start)}[\n${indent}${stringifyAt(entry, unit, indent)}\n${keyIndent}]${text.slice(list.end)}`;
}

function insertImagesProperty(text: string, root: Extract<JsonNode, { kind: 'object' }>, entry: unknown, unit: string): string {
  const last = root.properties[root.properties.length - 1];
  const keyIndent = last ? lineIndent(text, last.keyRange.start) || unit : unit;
  const property = `"images": [\n${keyIndent}${unit}${stringifyAt(entry, unit, keyIndent + unit)}\n${keyIndent}]`;
  if (!last) return `${text.slice(0, root.start)}{\n${keyIndent}${property}\n}${text.slice(root.end)}`;
  return `${text.slice(0, last.value.end)},\n${keyIndent}${property}${text.slice(last.value.end)}`;
}
