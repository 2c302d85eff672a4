// The generated PNG → the asset's bytes: resized to `resize` (Lanczos; cover crops, contain pads), encoded in the
// output's format with the infotext and the entry hash (src/node/assets/assetMetadata.ts). Deterministic: the same
// input gives the same bytes (no time, no random names; the encoders' settings are fixed in src/node/image/imageCodec.ts).
import type { RasterImage } from '../../common/image/imageTypes';
import type { ResolvedAssetEntry } from '../../common/assets/resolveAssetEntries';
import { decodeImage, encodeImage, resizeImage } from '../image/imageCodec';
import { readAssetHash, withAssetHash } from './assetMetadata';

/** RGB → RGBA (opaque), so that `contain` pads with transparency. */
function withAlpha(image: RasterImage): RasterImage {
  if (image.channels === 4) return image;
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    data[4 * i] = image.data[3 * i];
    data[4 * i + 1] = image.data[3 * i + 1];
    data[4 * i + 2] = image.data[3 * i + 2];
    data[4 * i + 3] = 255;
  }
  return { width: image.width, height: image.height, channels: 4, data };
}

export async function renderAssetFile(png: Uint8Array, parameters: string, entry: ResolvedAssetEntry, hash: string): Promise<Uint8Array> {
  let image = await decodeImage(png);
  if (entry.resize && (entry.resize.width !== image.width || entry.resize.height !== image.height)) {
    // Padding is transparent; the JPEG encoder flattens it onto white.
    const source = entry.resize.fit === 'contain' ? withAlpha(image) : image;
    image = await resizeImage(source, entry.resize.width, entry.resize.height, entry.resize.fit);
  }
  const text = withAssetHash(parameters, hash);
  const bytes = await encodeImage(image, entry.format, { parameters: text });
  // The hash must be readable back, or the next build would call the file stale forever.
  if ((await readAssetHash(bytes)) !== hash) throw new Error(`the ${entry.format} encoder dropped the metadata (infotext of ${text.length} characters)`);
  return bytes;
}
