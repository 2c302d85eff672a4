// Puts a TIFF/EXIF block into an encoded JPEG (APP1 segment, JPEG/Exif 2.32 §4.5.4) or WebP
// (RIFF "EXIF" chunk in the extended VP8X format, Google "WebP Container Specification").
// An existing EXIF segment/chunk is replaced.

/** JPEG markers. */
const SOI = 0xd8;
const APP0 = 0xe0;
const APP1 = 0xe1;
const SOS = 0xda;
/** A JPEG segment's 16-bit length counts itself: at most 65533 payload bytes. */
const MAX_JPEG_SEGMENT_PAYLOAD = 0xffff - 2;
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
/** VP8X flag bits (WebP container spec). */
const VP8X_FLAG_ALPHA = 0x10;
const VP8X_FLAG_EXIF = 0x08;
const VP8X_PAYLOAD_LENGTH = 10;

/** Returns the JPEG with an APP1 Exif segment holding `tiff`; throws when it does not fit in one segment. */
export function insertExifIntoJpeg(jpeg: Uint8Array, tiff: Uint8Array): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== SOI) throw new Error('not a JPEG file (no SOI marker)');
  const payloadLength = EXIF_HEADER.length + tiff.length;
  if (payloadLength > MAX_JPEG_SEGMENT_PAYLOAD) throw new Error(`EXIF block of ${payloadLength} bytes does not fit in a JPEG APP1 segment`);
  const segment = new Uint8Array(4 + payloadLength);
  segment.set([0xff, APP1, (payloadLength + 2) >>> 8, (payloadLength + 2) & 0xff], 0);
  segment.set(EXIF_HEADER, 4);
  segment.set(tiff, 4 + EXIF_HEADER.length);

  // Walk the header segments: keep APP0 (JFIF must stay first), drop an old Exif APP1.
  const parts: Uint8Array[] = [jpeg.subarray(0, 2)];
  let offset = 2;
  let inserted = false;
  while (offset + 4 <= jpeg.length && jpeg[offset] === 0xff) {
    const marker = jpeg[offset + 1];
    if (marker === SOS) break;
    const length = (jpeg[offset + 2] << 8) | jpeg[offset + 3];
    const end = offset + 2 + length;
    if (end > jpeg.length) throw new Error('JPEG truncated in a header segment');
    const isExif = marker === APP1 && EXIF_HEADER.every((b, i) => jpeg[offset + 4 + i] === b);
    if (!inserted && marker !== APP0) {
      parts.push(segment);
      inserted = true;
    }
    if (!isExif) parts.push(jpeg.subarray(offset, end));
    offset = end;
  }
  if (!inserted) parts.push(segment);
  parts.push(jpeg.subarray(offset));
  return concat(parts);
}

/** Returns the WebP in extended (VP8X) format with an EXIF chunk holding `tiff`. */
export function insertExifIntoWebp(webp: Uint8Array, tiff: Uint8Array, width: number, height: number, hasAlpha: boolean): Uint8Array {
  if (fourcc(webp, 0) !== 'RIFF' || fourcc(webp, 8) !== 'WEBP') throw new Error('not a WebP file (no RIFF/WEBP header)');
  const chunks: Array<{ type: string; data: Uint8Array }> = [];
  let offset = 12;
  while (offset + 8 <= webp.length) {
    const type = fourcc(webp, offset);
    const size = readUint32LE(webp, offset + 4);
    const end = offset + 8 + size;
    if (end > webp.length) throw new Error(`WebP truncated in chunk ${type}`);
    chunks.push({ type, data: webp.subarray(offset + 8, end) });
    offset = end + (size & 1);
  }

  let vp8x = chunks.find((c) => c.type === 'VP8X');
  if (vp8x === undefined) {
    const data = new Uint8Array(VP8X_PAYLOAD_LENGTH);
    data[0] = hasAlpha ? VP8X_FLAG_ALPHA : 0;
    writeUint24LE(data, 4, width - 1);
    writeUint24LE(data, 7, height - 1);
    vp8x = { type: 'VP8X', data };
    chunks.unshift(vp8x);
  } else {
    vp8x.data = Uint8Array.from(vp8x.data);
  }
  vp8x.data[0] |= VP8X_FLAG_EXIF;

  const kept = chunks.filter((c) => c.type !== 'EXIF');
  const exifChunk = { type: 'EXIF', data: tiff };
  const xmpIndex = kept.findIndex((c) => c.type === 'XMP ');
  if (xmpIndex >= 0) kept.splice(xmpIndex, 0, exifChunk);
  else kept.push(exifChunk);

  const body: Uint8Array[] = [];
  for (const chunk of kept) {
    const header = new Uint8Array(8);
    for (let i = 0; i < 4; i++) header[i] = chunk.type.charCodeAt(i);
    writeUint32LE(header, 4, chunk.data.length);
    body.push(header, chunk.data);
    if (chunk.data.length & 1) body.push(new Uint8Array(1));
  }
  const riffHeader = new Uint8Array(12);
  riffHeader.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  writeUint32LE(riffHeader, 4, 4 + body.reduce((n, p) => n + p.length, 0));
  riffHeader.set([0x57, 0x45, 0x42, 0x50], 8); // WEBP
  return concat([riffHeader, ...body]);
}

function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

function writeUint32LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

function writeUint24LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
