// The entry hash travels inside the image, as one more `key: value` of the A1111 infotext (modules/processing.py
// create_infotext writes extra keys the same way, and infotext_utils.py parse_generation_parameters reads them
// back): "…, Version: Local Diffusion 0.1.0, Asset hash: <64 hex>". So it sits in the PNG `parameters` tEXt chunk
// and in the EXIF UserComment of WebP / JPEG, where every A1111-aware tool already looks, and nothing else is added.
import { readImageParameters } from '../image/imageCodec';

export const ASSET_HASH_KEY = 'Asset hash';
const HASH_PATTERN = new RegExp(`(?:^|, )${ASSET_HASH_KEY}: ([0-9a-f]{64})(?:,|$)`);

/** The infotext with the hash as the last parameter of its last line (a previous hash is replaced). */
export function withAssetHash(parameters: string, hash: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a SHA-256 hex digest: ${hash}`);
  const lines = parameters.split('\n');
  const last = (lines.pop() ?? '').replace(new RegExp(`(?:, )?${ASSET_HASH_KEY}: [0-9a-f]{64}`), '');
  lines.push(last === '' ? `${ASSET_HASH_KEY}: ${hash}` : `${last}, ${ASSET_HASH_KEY}: ${hash}`);
  return lines.join('\n');
}

/** The hash in an infotext's last line, or undefined. */
export function assetHashFromParameters(parameters: string): string | undefined {
  const lines = parameters.trimEnd().split('\n');
  return HASH_PATTERN.exec(lines[lines.length - 1] ?? '')?.[1];
}

/** The entry hash recorded in an image file's bytes, or undefined. */
export async function readAssetHash(bytes: Uint8Array): Promise<string | undefined> {
  let parameters: string | undefined;
  try {
    parameters = await readImageParameters(bytes);
  } catch {
    return undefined; // a damaged file carries no hash: it is stale
  }
  return parameters === undefined ? undefined : assetHashFromParameters(parameters);
}
