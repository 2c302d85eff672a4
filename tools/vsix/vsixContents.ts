// Reads a VSIX (a zip, as vsce writes it with yazl): the central directory for the file list, and single entries
// (stored or deflated) through Node's zlib, each checked against its CRC-32. No zip64: a VSIX over 4 GB or with
// 65535 entries is refused (the packaging budget is 40 MB). Layout: PKWARE APPNOTE.TXT 4.3.7 / 4.3.12 / 4.3.16.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { crc32 } from '../../src/common/crc32';
import { isNativeFile } from './vsixTargets';

export interface VsixEntry {
  /** Path inside the zip, '/'-separated, e.g. 'extension/dist/extension.js'. */
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
/** General-purpose flag bit 0: encrypted. */
const FLAG_ENCRYPTED = 0x1;

/** Every file of an extension lives under this folder of the VSIX. */
export const EXTENSION_ROOT = 'extension/';

export class VsixContents {
  private readonly byName: ReadonlyMap<string, VsixEntry>;

  private constructor(
    readonly file: string,
    private readonly bytes: Buffer,
    readonly entries: readonly VsixEntry[],
  ) {
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  static open(file: string): VsixContents {
    const bytes = fs.readFileSync(file);
    return new VsixContents(file, bytes, readCentralDirectory(bytes, file));
  }

  /** Every entry name, in the zip's order. */
  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** Paths of the extension's files relative to its folder (entries under extension/, the prefix cut). */
  extensionFiles(): string[] {
    return this.names()
      .filter((n) => n.startsWith(EXTENSION_ROOT) && !n.endsWith('/'))
      .map((n) => n.slice(EXTENSION_ROOT.length));
  }

  /** Native binaries (.node, .so, .dll, .dylib) of the extension with their uncompressed sizes. */
  nativeFiles(): Array<{ path: string; size: number }> {
    return this.entries
      .filter((e) => e.name.startsWith(EXTENSION_ROOT) && isNativeFile(e.name))
      .map((e) => ({ path: e.name.slice(EXTENSION_ROOT.length), size: e.size }));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** An entry's bytes; throws when it is missing, uses an unknown method or fails its CRC. */
  read(name: string): Buffer {
    const entry = this.byName.get(name);
    if (!entry) throw new Error(`${this.file}: no entry ${name}`);
    const at = entry.localHeaderOffset;
    if (this.bytes.readUInt32LE(at) !== LOCAL_SIGNATURE) throw new Error(`${this.file}: bad local header for ${name}`);
    const start = at + LOCAL_HEADER_SIZE + this.bytes.readUInt16LE(at + 26) + this.bytes.readUInt16LE(at + 28);
    const raw = this.bytes.subarray(start, start + entry.compressedSize);
    let data: Buffer;
    if (entry.method === METHOD_STORED) data = Buffer.from(raw);
    else if (entry.method === METHOD_DEFLATED) data = zlib.inflateRawSync(raw);
    else throw new Error(`${this.file}: ${name} uses compression method ${entry.method} (only stored and deflate)`);
    if (data.length !== entry.size) throw new Error(`${this.file}: ${name} inflates to ${data.length} bytes, expected ${entry.size}`);
    if (crc32(data) !== entry.crc32) throw new Error(`${this.file}: ${name} fails its CRC-32`);
    return data;
  }

  /** The extension's package.json as shipped. */
  manifest(): Record<string, unknown> {
    return JSON.parse(this.read(`${EXTENSION_ROOT}package.json`).toString('utf8')) as Record<string, unknown>;
  }
}

function readCentralDirectory(bytes: Buffer, file: string): VsixEntry[] {
  const eocd = findEndOfCentralDirectory(bytes, file);
  const count = bytes.readUInt16LE(eocd + 10);
  const size = bytes.readUInt32LE(eocd + 12);
  const offset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) throw new Error(`${file}: zip64 archives are not supported`);
  if (offset + size > eocd) throw new Error(`${file}: central directory runs past its end record`);

  const entries: VsixEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_HEADER_SIZE > bytes.length || bytes.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw new Error(`${file}: bad central directory header #${i}`);
    }
    const flags = bytes.readUInt16LE(at + 8);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const name = bytes.toString('utf8', at + CENTRAL_HEADER_SIZE, at + CENTRAL_HEADER_SIZE + nameLength);
    if (flags & FLAG_ENCRYPTED) throw new Error(`${file}: ${name} is encrypted`);
    entries.push({
      name,
      method: bytes.readUInt16LE(at + 10),
      crc32: bytes.readUInt32LE(at + 16),
      compressedSize: bytes.readUInt32LE(at + 20),
      size: bytes.readUInt32LE(at + 24),
      localHeaderOffset: bytes.readUInt32LE(at + 42),
    });
    at += CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The end-of-central-directory record: the last 22 bytes, unless a comment (≤ 64 KiB) follows it. */
function findEndOfCentralDirectory(bytes: Buffer, file: string): number {
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) === EOCD_SIGNATURE && at + EOCD_SIZE + bytes.readUInt16LE(at + 20) === bytes.length) return at;
  }
  throw new Error(`${file}: not a zip file (no end of central directory record)`);
}
