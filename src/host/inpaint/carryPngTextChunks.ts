// Keeps an edited PNG's other text metadata (PNG spec §11.3.4: tEXt, zTXt, iTXt) when the engine's PNG
// replaces it: the engine's chunks win (its `parameters` describes the new pixels), the source's chunks
// with other keywords are copied byte for byte (their CRCs stay valid) before the first IDAT.
// Pure: no vscode, no Node APIs.

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const TEXT_TYPES = new Set(['tEXt', 'zTXt', 'iTXt']);

export interface PngChunk {
  type: string;
  /** Offset of the chunk (its length field) in the file. */
  offset: number;
  /** Whole chunk: length, type, data and CRC. */
  size: number;
  data: Uint8Array;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** The chunks of a PNG, in order; undefined when it is not a well-formed PNG. */
export function pngChunks(png: Uint8Array): PngChunk[] | undefined {
  if (!isPng(png)) return undefined;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let offset = SIGNATURE.length;
  while (offset + 12 <= png.length) {
    const length = view.getUint32(offset);
    if (offset + 12 + length > png.length) return undefined;
    const type = String.fromCharCode(png[offset + 4]!, png[offset + 5]!, png[offset + 6]!, png[offset + 7]!);
    chunks.push({ type, offset, size: 12 + length, data: png.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** The keyword of a tEXt / zTXt / iTXt chunk (Latin-1, before the first NUL). */
export function textChunkKeyword(chunk: PngChunk): string | undefined {
  if (!TEXT_TYPES.has(chunk.type)) return undefined;
  const nul = chunk.data.indexOf(0);
  if (nul <= 0) return undefined;
  let keyword = '';
  for (let i = 0; i < nul; i++) keyword += String.fromCharCode(chunk.data[i]!);
  return keyword;
}

/**
 * `target` with the text chunks of `source` whose keywords `target` lacks, inserted before target's
 * first IDAT. Returns `target` itself when there is nothing to carry or either is not a PNG.
 */
export function carryPngTextChunks(target: Uint8Array, source: Uint8Array): Uint8Array {
  const targetChunks = pngChunks(target);
  const sourceChunks = pngChunks(source);
  if (!targetChunks || !sourceChunks) return target;
  const present = new Set(targetChunks.map(textChunkKeyword).filter((k): k is string => k !== undefined));
  const carried = sourceChunks.filter((c) => {
    const keyword = textChunkKeyword(c);
    return keyword !== undefined && !present.has(keyword);
  });
  const idat = targetChunks.find((c) => c.type === 'IDAT');
  if (carried.length === 0 || !idat) return target;
  const extra = carried.reduce((n, c) => n + c.size, 0);
  const out = new Uint8Array(target.length + extra);
  out.set(target.subarray(0, idat.offset), 0);
  let at = idat.offset;
  for (const c of carried) {
    out.set(source.subarray(c.offset, c.offset + c.size), at);
    at += c.size;
  }
  out.set(target.subarray(idat.offset), at);
  return out;
}
