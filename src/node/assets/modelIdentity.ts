// A model folder's content identity for asset hashes: SHA-256 over the name, size and SHA-256 of every file
// text-to-image reads (model_index.json and the text_encoder, unet, vae_decoder, tokenizer and scheduler folders).
// Content only, never paths or times: the same model downloaded on another machine has the same identity. The
// A1111 "Model hash" (src/engine/model/modelHash.ts) covers only the UNet; a new VAE or scheduler config changes
// the image too, so it would not do here. File digests are cached per path + size + mtime for the process.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** What txt2img reads from a diffusers ONNX folder (vae_encoder and taesd_decoder do not change the image). */
export const IDENTITY_FILES = ['model_index.json'] as const;
export const IDENTITY_FOLDERS = ['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder', 'tokenizer', 'tokenizer_2', 'scheduler'] as const;

const digests = new Map<string, Promise<string>>();

export function sha256OfFile(file: string, size: number, mtimeMs: number): Promise<string> {
  const key = `${file}\0${size}\0${mtimeMs}`;
  let pending = digests.get(key);
  if (!pending) {
    pending = new Promise<string>((resolve, reject) => {
      const hash = createHash('sha256');
      const stream = createReadStream(file, { highWaterMark: 4 << 20 });
      stream.on('data', (chunk) => hash.update(chunk));
      stream.on('error', reject);
      stream.on('end', () => resolve(hash.digest('hex')));
    });
    pending.catch(() => digests.delete(key));
    digests.set(key, pending);
  }
  return pending;
}

async function listFiles(dir: string, prefix: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue; // .partial downloads, editor and OS files
    const rel = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(path.join(dir, entry.name), rel)));
    else if (entry.isFile() || entry.isSymbolicLink()) files.push(rel);
  }
  return files;
}

/** The hex identity of the model folder `dir`; throws when it has no model_index.json. */
export async function modelIdentity(dir: string): Promise<string> {
  const files: string[] = [...IDENTITY_FILES];
  for (const folder of IDENTITY_FOLDERS) files.push(...(await listFiles(path.join(dir, folder), folder)));
  files.sort();
  return digestOfFiles(dir, files, (file, e) => new Error(`cannot read ${file}: ${errorCode(e)} (is ${dir} a diffusers ONNX model folder?)`));
}

/**
 * The content identity of a file an entry names (a LoRA, a background model): the SHA-256 of a file, or of the
 * names, sizes and SHA-256s of every file in a folder. `what` names it in the error when it cannot be read.
 */
export async function fileIdentity(target: string, what: string): Promise<string> {
  let stat: import('node:fs').Stats;
  try {
    stat = await fs.stat(target);
  } catch (e) {
    throw new Error(`${what} ${target} cannot be read: ${errorCode(e)}`);
  }
  if (stat.isFile()) return sha256OfFile(target, stat.size, stat.mtimeMs);
  const files = (await listFiles(target, '')).map((rel) => rel.slice(1)).sort();
  if (files.length === 0) throw new Error(`${what} ${target} is an empty folder`);
  return digestOfFiles(target, files);
}

/**
 * SHA-256 over a line `rel\0size\0sha256\n` for each of `files` in order ('/'-separated paths under `dir`). A file
 * that cannot be stat'ed throws `cannotRead(file, error)` when given, else the error itself.
 */
async function digestOfFiles(dir: string, files: readonly string[], cannotRead?: (file: string, error: unknown) => Error): Promise<string> {
  const outer = createHash('sha256');
  for (const rel of files) {
    const file = path.join(dir, ...rel.split('/'));
    let stat: import('node:fs').Stats;
    try {
      stat = await fs.stat(file);
    } catch (e) {
      throw cannotRead ? cannotRead(file, e) : e;
    }
    outer.update(`${rel}\0${stat.size}\0${await sha256OfFile(file, stat.size, stat.mtimeMs)}\n`);
  }
  return outer.digest('hex');
}

/** An fs error's code (ENOENT, EACCES …), else its message. */
function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}
