// PNG text metadata (tEXt / zTXt / iTXt), PNG spec 1.2 §4.2.3 / ISO 15948 §11.3.4.
// The one PNG chunk reader/writer. Writing follows Pillow's PngInfo.add_text as A1111 uses it
// (modules/images.py save_image_with_geninfo, PIL/PngImagePlugin.py PngInfo.add_text): tEXt when the text is
// Latin-1, else an uncompressed iTXt with UTF-8 text.
import * as zlib from 'node:zlib';
import { crc32 } from '../../common/crc32';

export interface PngTextChunk {
  keyword: string;
  text: string;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const TEXT_CHUNK_TYPES = new Set(['tEXt', 'zTXt', 'iTXt']);
/** PNG spec: keywords are 1–79 Latin-1 bytes. */
const MAX_KEYWORD_LENGTH = 79;
/** Guard against decompression bombs in zTXt / compressed iTXt. */
const MAX_INFLATED_TEXT_BYTES = 64 * 1024 * 1024;

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field in the file. */
  start: number;
  /** Offset just past the CRC. */
  end: number;
  data: Uint8Array;
  crcOk: boolean;
}

/** Sets (adds or replaces) the text chunk with this keyword; returns a new PNG. */
export function setPngTextChunk(png: Uint8Array, keyword: string, text: string): Uint8Array {
  validateKeyword(keyword);
  const chunks = readPngChunks(png);
  const firstIdat = chunks.find((c) => c.type === 'IDAT');
  if (firstIdat === undefined) throw new Error('PNG has no IDAT chunk');
  const newChunk = isLatin1(text) ? buildChunk('tEXt', textChunkData(keyword, text)) : buildChunk('iTXt', itxtChunkData(keyword, text));

  const parts: Uint8Array[] = [png.subarray(0, PNG_SIGNATURE.length)];
  for (const chunk of chunks) {
    if (chunk === firstIdat) parts.push(newChunk);
    if (TEXT_CHUNK_TYPES.has(chunk.type) && chunkKeyword(chunk.data) === keyword) continue; // replaced
    parts.push(png.subarray(chunk.start, chunk.end));
  }
  return concat(parts);
}

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * `target` with the text chunks (tEXt, zTXt, iTXt) of `source` whose keywords `target` lacks, copied byte for byte
 * (their CRCs stay valid) before target's first IDAT: an edited PNG keeps its other metadata while the new image's
 * own chunks (its `parameters`, which describe the new pixels) win. Returns `target` itself when there is nothing
 * to carry or either is not a well-formed PNG.
 */
export function carryPngTextChunks(target: Uint8Array, source: Uint8Array): Uint8Array {
  let targetChunks: PngChunk[];
  let sourceChunks: PngChunk[];
  try {
    targetChunks = readPngChunks(target);
    sourceChunks = readPngChunks(source);
  } catch {
    return target;
  }
  const present = new Set(targetChunks.filter((c) => TEXT_CHUNK_TYPES.has(c.type)).map((c) => chunkKeyword(c.data)));
  const carried = sourceChunks.filter((c) => {
    if (!TEXT_CHUNK_TYPES.has(c.type)) return false;
    const keyword = chunkKeyword(c.data);
    return keyword !== undefined && !present.has(keyword);
  });
  const firstIdat = targetChunks.find((c) => c.type === 'IDAT');
  if (carried.length === 0 || firstIdat === undefined) return target;
  return concat([
    target.subarray(0, firstIdat.start),
    ...carried.map((c) => source.subarray(c.start, c.end)),
    target.subarray(firstIdat.start),
  ]);
}

/** All text chunks, in file order (tEXt, zTXt and iTXt, compressed or not). Chunks with a bad CRC are skipped. */
export function readPngTextChunks(png: Uint8Array): PngTextChunk[] {
  const result: PngTextChunk[] = [];
  for (const chunk of readPngChunks(png)) {
    if (!TEXT_CHUNK_TYPES.has(chunk.type) || !chunk.crcOk) continue;
    const decoded = decodeTextChunk(chunk.type, chunk.data);
    if (decoded !== undefined) result.push(decoded);
  }
  return result;
}

/** The chunks of a PNG in file order, up to IEND; throws when it is not a PNG or is truncated. */
export function readPngChunks(png: Uint8Array): PngChunk[] {
  if (!isPng(png)) throw new Error('not a PNG file (bad signature)');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset < png.length) {
    if (offset + 12 > png.length) throw new Error(`PNG truncated: incomplete chunk header at byte ${offset}`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(png[offset + 4], png[offset + 5], png[offset + 6], png[offset + 7]);
    const end = offset + 12 + length;
    if (end > png.length) throw new Error(`PNG truncated: chunk ${type} at byte ${offset} runs past the end of the file`);
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crcOk = crc32(data, crc32(png.subarray(offset + 4, offset + 8))) === view.getUint32(offset + 8 + length);
    chunks.push({ type, start: offset, end, data, crcOk });
    offset = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

function decodeTextChunk(type: string, data: Uint8Array): PngTextChunk | undefined {
  const nul = data.indexOf(0);
  if (nul <= 0) return undefined;
  const keyword = latin1(data.subarray(0, nul));
  if (type === 'tEXt') return { keyword, text: latin1(data.subarray(nul + 1)) };
  if (type === 'zTXt') {
    // keyword \0 method(0 = deflate) compressed-text
    if (data[nul + 1] !== 0) return undefined;
    const text = inflate(data.subarray(nul + 2));
    return text === undefined ? undefined : { keyword, text: latin1(text) };
  }
  // iTXt: keyword \0 compressionFlag compressionMethod languageTag \0 translatedKeyword \0 text(UTF-8)
  const flag = data[nul + 1];
  const method = data[nul + 2];
  const languageEnd = data.indexOf(0, nul + 3);
  if (languageEnd < 0) return undefined;
  const translatedEnd = data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  let body: Uint8Array | undefined = data.subarray(translatedEnd + 1);
  if (flag === 1) {
    if (method !== 0) return undefined;
    body = inflate(body);
    if (body === undefined) return undefined;
  } else if (flag !== 0) {
    return undefined;
  }
  return { keyword, text: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') };
}

/** The keyword of a tEXt / zTXt / iTXt chunk's data (Latin-1, before the first NUL). */
export function chunkKeyword(data: Uint8Array): string | undefined {
  const nul = data.indexOf(0);
  return nul > 0 ? latin1(data.subarray(0, nul)) : undefined;
}

function validateKeyword(keyword: string): void {
  if (keyword.length < 1 || keyword.length > MAX_KEYWORD_LENGTH) throw new Error(`PNG text keyword must be 1–${MAX_KEYWORD_LENGTH} characters: ${JSON.stringify(keyword)}`);
  if (!isLatin1(keyword) || keyword.includes('\0')) throw new Error(`PNG text keyword must be Latin-1 without NUL: ${JSON.stringify(keyword)}`);
}

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

function textChunkData(keyword: string, text: string): Uint8Array {
  return concat([Buffer.from(keyword, 'latin1'), Uint8Array.of(0), Buffer.from(text, 'latin1')]);
}

function itxtChunkData(keyword: string, text: string): Uint8Array {
  // compression flag 0, method 0, empty language tag, empty translated keyword.
  return concat([Buffer.from(keyword, 'latin1'), Uint8Array.of(0, 0, 0, 0, 0), Buffer.from(text, 'utf8')]);
}

function buildChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) chunk[4 + i] = type.charCodeAt(i);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

function inflate(data: Uint8Array): Uint8Array | undefined {
  try {
    return zlib.inflateSync(data, { maxOutputLength: MAX_INFLATED_TEXT_BYTES });
  } catch {
    return undefined;
  }
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
