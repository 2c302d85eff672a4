// Which of the editor's formats a file is (by name, and by its leading bytes), and what saving it costs.
// Pure: no vscode, no Node APIs.
import type { ImageFileFormat } from '../../common/protocol/inpaintEditorProtocol';

export type { ImageFileFormat };

const EXTENSIONS: Record<string, ImageFileFormat> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', webp: 'webp' };

/** The format a path's extension names (case-insensitive), if the editor handles it. */
export function imageFormatFromPath(path: string): ImageFileFormat | undefined {
  const dot = path.lastIndexOf('.');
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (dot <= slash + 1) return undefined;
  return EXTENSIONS[path.slice(dot + 1).toLowerCase()];
}

/** The format the bytes are in (PNG, JPEG or WebP signatures), if any. */
export function sniffImageFormat(bytes: Uint8Array): ImageFileFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 && bytes[4] === 0x0d && bytes[5] === 0x0a && bytes[6] === 0x1a && bytes[7] === 0x0a) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

export function imageMimeType(format: ImageFileFormat): string {
  return format === 'png' ? 'image/png' : format === 'jpeg' ? 'image/jpeg' : 'image/webp';
}

/** True for a WebP that uses the lossless codec (a VP8L chunk), so a re-encode can stay lossless. */
export function isLosslessWebp(bytes: Uint8Array): boolean {
  if (sniffImageFormat(bytes) !== 'webp') return false;
  // RIFF chunks after the 12-byte header: fourcc, u32 LE size, data padded to even length.
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const fourcc = ascii(bytes, offset, offset + 4);
    if (fourcc === 'VP8L') return true;
    if (fourcc === 'VP8 ') return false;
    const size = (bytes[offset + 4]! | (bytes[offset + 5]! << 8) | (bytes[offset + 6]! << 16) | (bytes[offset + 7]! << 24)) >>> 0;
    offset += 8 + size + (size & 1);
  }
  return false;
}

/** Lossy for this file: re-encoding a changed image shifts pixels everywhere (JPEG, lossy WebP). */
export function isLossyFile(format: ImageFileFormat, bytes: Uint8Array): boolean {
  return format === 'jpeg' || (format === 'webp' && !isLosslessWebp(bytes));
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
