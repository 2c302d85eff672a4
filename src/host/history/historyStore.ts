// The generation history: every image the Generate panel, the inpaint editor and asset builds produce is kept here
// automatically (nothing is lost when the panel closes or the window reloads), in the extension's global storage:
// <folder>/<id>.png (the engine's bytes, with the A1111 `parameters` chunk), <id>.thumb.png, and index.json (written
// atomically, src/node/output/writeFilesAtomically.ts). Bounded by LIMITS.historyEntries and LIMITS.historyBytes: the
// oldest entries are pruned with their files. No vscode import: unit-tested on a temporary folder.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LIMITS } from '../../common/limits';
import { writeFilesAtomically } from '../../node/output/writeFilesAtomically';
import { emptyHistoryIndex, entriesToPrune, parseHistoryIndex, type HistoryEntry, type HistoryIndex, type HistorySource } from '../../common/history/historyIndex';

export const HISTORY_INDEX_FILE = 'index.json';

/** What a producer hands the store. */
export interface HistoryInput {
  /** Reused when given (the Generate panel's result id); else a fresh one. */
  id?: string;
  source: HistorySource;
  png: Uint8Array;
  width: number;
  height: number;
  prompt: string;
  negativePrompt?: string;
  seed: string;
  model: string;
  /** The localDiffusion.model setting ("" = the built-in model). */
  modelSetting?: string;
  parameters: string;
}

export interface HistoryStoreOptions {
  folder: string;
  /** The history view's small PNG of an image. */
  makeThumbnail(png: Uint8Array): Promise<Uint8Array>;
  maxEntries?: number;
  maxBytes?: number;
  now?: () => number;
}

export class HistoryStore {
  private index: HistoryIndex | undefined;
  /** Every change runs after the previous one (one writer of index.json). */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: HistoryStoreOptions) {}

  get folder(): string {
    return this.options.folder;
  }

  /** Called after every change (add, prune, remove, saved path). */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Newest first. */
  async list(): Promise<HistoryEntry[]> {
    return [...(await this.load()).entries];
  }

  async get(id: string): Promise<HistoryEntry | undefined> {
    return (await this.load()).entries.find((e) => e.id === id);
  }

  /** The image file's path (the file may have been deleted by hand). */
  filePath(entry: HistoryEntry): string {
    return path.join(this.options.folder, entry.file);
  }

  thumbnailPath(entry: HistoryEntry): string {
    return path.join(this.options.folder, entry.thumbnail);
  }

  /** The image's bytes, or undefined when its file is gone. */
  async readImage(id: string): Promise<Uint8Array | undefined> {
    const entry = await this.get(id);
    if (!entry) return undefined;
    try {
      return new Uint8Array(await fs.readFile(this.filePath(entry)));
    } catch {
      return undefined;
    }
  }

  /** Keeps a generation: writes its image and thumbnail, then the index, then prunes the oldest beyond the limits. */
  add(input: HistoryInput): Promise<HistoryEntry> {
    return this.change(async (index) => {
      const id = input.id ?? randomUUID();
      const existing = index.entries.find((e) => e.id === id);
      if (existing) return existing;
      const file = `${id}.png`;
      const thumbnail = `${id}.thumb.png`;
      const thumb = await this.options.makeThumbnail(input.png);
      await writeFilesAtomically(
        [
          { path: path.join(this.options.folder, file), bytes: input.png },
          { path: path.join(this.options.folder, thumbnail), bytes: thumb },
        ],
        { overwrite: true },
      );
      const entry: HistoryEntry = {
        id,
        createdAt: Math.round((this.options.now ?? Date.now)()),
        source: input.source,
        file,
        thumbnail,
        bytes: input.png.byteLength + thumb.byteLength,
        width: input.width,
        height: input.height,
        prompt: input.prompt,
        ...(input.negativePrompt ? { negativePrompt: input.negativePrompt } : {}),
        seed: input.seed,
        model: input.model,
        ...(input.modelSetting !== undefined ? { modelSetting: input.modelSetting } : {}),
        parameters: input.parameters,
      };
      index.entries.unshift(entry);
      return entry;
    });
  }

  /** Records that the user saved the image to `uri` (the panel's card lists every saved path). */
  markSaved(id: string, uri: string): Promise<HistoryEntry | undefined> {
    return this.change(async (index) => {
      const entry = index.entries.find((e) => e.id === id);
      if (!entry) return undefined;
      if (!entry.savedTo?.includes(uri)) entry.savedTo = [...(entry.savedTo ?? []), uri];
      return entry;
    });
  }

  /** Removes entries and their files. */
  remove(ids: readonly string[]): Promise<void> {
    return this.change(async (index) => {
      const gone = index.entries.filter((e) => ids.includes(e.id));
      index.entries = index.entries.filter((e) => !ids.includes(e.id));
      await this.deleteFiles(gone);
    });
  }

  /** Removes everything. */
  async clear(): Promise<void> {
    await this.remove((await this.list()).map((e) => e.id));
  }

  private async load(): Promise<HistoryIndex> {
    await this.queue.catch(() => undefined);
    return (this.index ??= await this.readIndex());
  }

  private async readIndex(): Promise<HistoryIndex> {
    let text: string;
    try {
      text = await fs.readFile(path.join(this.options.folder, HISTORY_INDEX_FILE), 'utf8');
    } catch {
      return emptyHistoryIndex();
    }
    try {
      return parseHistoryIndex(JSON.parse(text));
    } catch {
      return emptyHistoryIndex();
    }
  }

  /** Runs `edit` on the index after any change in flight, prunes, writes index.json atomically, tells the listeners. */
  private change<T>(edit: (index: HistoryIndex) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const index = (this.index ??= await this.readIndex());
      const result = await edit(index);
      const pruned = entriesToPrune(index.entries, {
        maxEntries: this.options.maxEntries ?? LIMITS.historyEntries.max,
        maxBytes: this.options.maxBytes ?? LIMITS.historyBytes.max,
      });
      if (pruned.length > 0) index.entries = index.entries.slice(0, index.entries.length - pruned.length);
      await writeFilesAtomically(
        [{ path: path.join(this.options.folder, HISTORY_INDEX_FILE), bytes: new TextEncoder().encode(`${JSON.stringify(index, null, 1)}\n`) }],
        { overwrite: true },
      );
      await this.deleteFiles(pruned);
      for (const listener of this.listeners) listener();
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async deleteFiles(entries: readonly HistoryEntry[]): Promise<void> {
    await Promise.all(
      entries.flatMap((e) => [fs.rm(this.filePath(e), { force: true }), fs.rm(this.thumbnailPath(e), { force: true })]),
    );
  }
}
