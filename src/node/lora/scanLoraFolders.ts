// The LoRA files of some folders (subfolders included, as A1111 `extensions-builtin/Lora/networks.py`
// list_available_networks walks its Lora folder), each with what its header says: the name `<lora:name:…>` finds it
// by and its trigger words. Only headers are read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readLoraMetadata } from './loraMetadata';
import { readSafetensorsHeader } from './safetensorsFile';

export interface LoraFolderEntry {
  name: string;
  file: string;
  triggerWords: string[];
  baseModel?: string;
}

/** Subfolder depth (the engine's lookup, src/engine/lora/loraPlan.ts, searches as deep). */
const DEPTH = 4;

export function scanLoraFolders(folders: readonly string[], limit: number): LoraFolderEntry[] {
  const out: LoraFolderEntry[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= limit) return;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('.') && depth > 0) walk(file, depth - 1);
      if (!entry.isFile() || !/\.safetensors$/i.test(entry.name)) continue;
      const name = entry.name.replace(/\.safetensors$/i, '');
      // The engine takes the first folder's file of a name; later ones are shadowed.
      if (seen.has(name)) continue;
      seen.add(name);
      try {
        const metadata = readLoraMetadata(readSafetensorsHeader(file).metadata);
        out.push({ name, file, triggerWords: metadata.triggerWords, ...(metadata.baseModel ? { baseModel: metadata.baseModel } : {}) });
      } catch {
        // Not a safetensors file after all: not offered.
      }
    }
  };
  for (const folder of folders) walk(path.resolve(folder), DEPTH);
  return out;
}
