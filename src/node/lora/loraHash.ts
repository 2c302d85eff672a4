// The hash A1111 writes in "Lora hashes" (`extensions-builtin/Lora/network.py` NetworkOnDisk: sha256(filename,
// use_addnet_hash=True) for .safetensors, shorthash = the first 12 hex digits): kohya sd-scripts
// `library/train_util.py` addnet_hash_safetensors, the SHA-256 of everything after the JSON header, so editing
// the metadata does not change it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { readSafetensorsHeader } from './safetensorsFile';

/** A1111 NetworkOnDisk.shorthash length. */
const SHORT_HASH_DIGITS = 12;

export async function loraFileHash(file: string): Promise<string> {
  const { dataStart } = readSafetensorsHeader(file);
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { start: dataStart })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function loraShortHash(file: string): Promise<string> {
  return (await loraFileHash(file)).slice(0, SHORT_HASH_DIGITS);
}
