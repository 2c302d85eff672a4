// A minimal EXIF (TIFF) block holding only Exif.Photo.UserComment, the way A1111 stores its
// "parameters" text in JPEG / WebP (modules/images.py save_image_with_geninfo): piexif.dump({"Exif": {UserComment:
// piexif.helper.UserComment.dump(text, encoding="unicode")}}) → big-endian TIFF, "UNICODE\0" + UTF-16BE.
// Written by hand because libvips (sharp.withExif) transliterates UserComment to ASCII.

/** TIFF tag ids (EXIF 2.32 §4.6). */
const TAG_EXIF_IFD_POINTER = 0x8769;
const TAG_USER_COMMENT = 0x9286;
/** TIFF field types. */
const TYPE_LONG = 4;
const TYPE_UNDEFINED = 7;
/** UserComment character-code prefixes (EXIF 2.32 table 9). */
const PREFIX_UNICODE = 'UNICODE\0';
const PREFIX_ASCII = 'ASCII\0\0\0';
const PREFIX_LENGTH = 8;
/** JPEG APP1 / WebP EXIF payloads may start with this APP1 identifier. */
const EXIF_HEADER = 'Exif\0\0';

/** Builds a big-endian TIFF block (no "Exif\0\0" header) whose only field is UserComment = text (UNICODE). */
export function buildExifUserComment(text: string): Uint8Array {
  const comment = new Uint8Array(PREFIX_LENGTH + text.length * 2);
  for (let i = 0; i < PREFIX_LENGTH; i++) comment[i] = PREFIX_UNICODE.charCodeAt(i);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i); // UTF-16 code units, big-endian
    comment[PREFIX_LENGTH + 2 * i] = unit >>> 8;
    comment[PREFIX_LENGTH + 2 * i + 1] = unit & 0xff;
  }
  const ifd0 = 8;
  const exifIfd = ifd0 + 2 + 12 + 4;
  const dataOffset = exifIfd + 2 + 12 + 4;
  const out = new Uint8Array(dataOffset + comment.length);
  const view = new DataView(out.buffer);
  out.set([0x4d, 0x4d], 0); // "MM": big-endian
  view.setUint16(2, 42);
  view.setUint32(4, ifd0);
  writeIfd(view, ifd0, TAG_EXIF_IFD_POINTER, TYPE_LONG, 1, exifIfd);
  writeIfd(view, exifIfd, TAG_USER_COMMENT, TYPE_UNDEFINED, comment.length, dataOffset);
  out.set(comment, dataOffset);
  return out;
}

/** Reads UserComment from an EXIF block (with or without the "Exif\0\0" header); undefined when absent or unreadable. */
export function readExifUserComment(exif: Uint8Array): string | undefined {
  let tiff = exif;
  if (startsWith(tiff, EXIF_HEADER)) tiff = tiff.subarray(EXIF_HEADER.length);
  if (tiff.length < 8) return undefined;
  const littleEndian = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!littleEndian && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (view.getUint16(2, littleEndian) !== 42) return undefined;
  try {
    const pointer = findEntry(view, view.getUint32(4, littleEndian), TAG_EXIF_IFD_POINTER, littleEndian);
    if (pointer === undefined) return undefined;
    const entry = findEntry(view, view.getUint32(pointer + 8, littleEndian), TAG_USER_COMMENT, littleEndian);
    if (entry === undefined) return undefined;
    const count = view.getUint32(entry + 4, littleEndian);
    const start = count <= 4 ? entry + 8 : view.getUint32(entry + 8, littleEndian);
    if (start + count > tiff.length || count < PREFIX_LENGTH) return undefined;
    return decodeUserComment(tiff.subarray(start, start + count), littleEndian);
  } catch {
    return undefined; // offsets out of range
  }
}

function decodeUserComment(bytes: Uint8Array, littleEndian: boolean): string {
  const body = bytes.subarray(PREFIX_LENGTH);
  let text: string;
  if (startsWith(bytes, PREFIX_UNICODE)) {
    // UCS-2/UTF-16 in the TIFF's byte order (piexif writes big-endian TIFF and UTF-16BE).
    const le = Buffer.alloc(body.length & ~1);
    for (let i = 0; i + 1 < body.length; i += 2) {
      le[i] = littleEndian ? body[i] : body[i + 1];
      le[i + 1] = littleEndian ? body[i + 1] : body[i];
    }
    text = le.toString('utf16le');
  } else {
    // ASCII, or undefined (8 NULs): read as UTF-8, which covers ASCII.
    text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString(startsWith(bytes, PREFIX_ASCII) ? 'latin1' : 'utf8');
  }
  return text.replace(/\0+$/, '');
}

function writeIfd(view: DataView, offset: number, tag: number, type: number, count: number, value: number): void {
  view.setUint16(offset, 1); // one entry
  view.setUint16(offset + 2, tag);
  view.setUint16(offset + 4, type);
  view.setUint32(offset + 6, count);
  view.setUint32(offset + 10, value);
  view.setUint32(offset + 14, 0); // no next IFD
}

/** Offset of the entry with this tag in the IFD at ifdOffset (the value field of a pointer tag is read by callers). */
function findEntry(view: DataView, ifdOffset: number, tag: number, littleEndian: boolean): number | undefined {
  const count = view.getUint16(ifdOffset, littleEndian);
  for (let i = 0; i < count; i++) {
    const entry = ifdOffset + 2 + 12 * i;
    if (view.getUint16(entry, littleEndian) === tag) return entry;
  }
  return undefined;
}

function startsWith(bytes: Uint8Array, prefix: string): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}
