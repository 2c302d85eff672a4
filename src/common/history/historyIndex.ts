// The generation history's index (index.json in the history folder): one entry per kept generation, newest first,
// declared once with valibot so that an index written by another version (or damaged) is read defensively: entries
// that do not parse are dropped, never the whole history. Pure: no vscode, no node:.
import * as v from 'valibot';
import { seedTextSchema, textSchema, imageSideSchema } from '../protocol/schemaParts';

export const HISTORY_INDEX_VERSION = 1;

/** Where a generation came from. */
/** panel: the Generate panel; inpaint: the inpaint editor; here: Generate Image Here; asset: a spec build; tool: the language model tool. */
export const HISTORY_SOURCES = ['panel', 'inpaint', 'here', 'asset', 'tool'] as const;
export type HistorySource = (typeof HISTORY_SOURCES)[number];

/** File names inside the history folder only: no separators, no leading dot. */
const fileNameSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/));

export const historyEntrySchema = v.object({
  /** Also the Generate panel's result id for results from the panel. */
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/)),
  /** Milliseconds since the epoch. */
  createdAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
  source: v.picklist(HISTORY_SOURCES),
  /** The image as generated (PNG with its A1111 `parameters` chunk). */
  file: fileNameSchema,
  /** A small PNG for the history view. */
  thumbnail: fileNameSchema,
  bytes: v.pipe(v.number(), v.integer(), v.minValue(0)),
  width: imageSideSchema,
  height: imageSideSchema,
  prompt: v.string(),
  negativePrompt: v.optional(v.string()),
  seed: seedTextSchema,
  /** The model's name as the user chose it. */
  model: textSchema,
  /** The localDiffusion.model setting it ran with ("" = the built-in sample model), for *Copy as asset entry*. */
  modelSetting: v.optional(v.string()),
  /** The A1111 infotext (also in the PNG). */
  parameters: v.string(),
  /** Files the user saved this image to (URI strings), oldest first. */
  savedTo: v.optional(v.array(v.string())),
});
export type HistoryEntry = v.InferOutput<typeof historyEntrySchema>;

export interface HistoryIndex {
  version: typeof HISTORY_INDEX_VERSION;
  /** Newest first. */
  entries: HistoryEntry[];
}

export function emptyHistoryIndex(): HistoryIndex {
  return { version: HISTORY_INDEX_VERSION, entries: [] };
}

/** Reads index.json's parsed JSON: entries that do not parse (or repeat an id) are dropped; another version is empty. */
export function parseHistoryIndex(raw: unknown): HistoryIndex {
  if (typeof raw !== 'object' || raw === null) return emptyHistoryIndex();
  const r = raw as { version?: unknown; entries?: unknown };
  if (r.version !== HISTORY_INDEX_VERSION || !Array.isArray(r.entries)) return emptyHistoryIndex();
  const seen = new Set<string>();
  const entries: HistoryEntry[] = [];
  for (const item of r.entries) {
    const parsed = v.safeParse(historyEntrySchema, item);
    if (!parsed.success || seen.has(parsed.output.id)) continue;
    seen.add(parsed.output.id);
    entries.push(parsed.output);
  }
  return { version: HISTORY_INDEX_VERSION, entries };
}

/**
 * The entries to prune so that at most `maxEntries` remain and their files total at most `maxBytes`: the oldest go
 * first (entries are newest first); the newest entry is always kept, even alone over the byte cap.
 */
export function entriesToPrune(entries: readonly HistoryEntry[], limits: { maxEntries: number; maxBytes: number }): HistoryEntry[] {
  let total = 0;
  let keep = 0;
  for (const entry of entries) {
    if (keep >= limits.maxEntries) break;
    if (keep > 0 && total + entry.bytes > limits.maxBytes) break;
    total += entry.bytes;
    keep++;
  }
  return entries.slice(keep);
}
