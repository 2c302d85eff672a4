// Protobuf wire-format writer (https://protobuf.dev/programming-guides/encoding/) that builds a message as a
// list of parts: encoded bytes, large byte arrays by reference, and ranges of existing files (weights copied from
// a model being rewritten). Lengths are known without joining anything, so a model with gigabytes of weights is
// written to disk part by part and never held whole (writeProtoParts).
import * as fs from 'node:fs';

/** A byte range of a file, written as-is. */
export interface FileRange {
  file: string;
  offset: number;
  length: number;
}

export type ProtoPart = Uint8Array | FileRange;

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;
/** Arrays at least this large are kept by reference instead of being copied into the current chunk. */
const BY_REFERENCE = 4096;
const COPY_CHUNK = 8 << 20;

const textEncoder = new TextEncoder();

export function isFileRange(part: ProtoPart): part is FileRange {
  return !(part instanceof Uint8Array);
}

export class ProtoWriter {
  private readonly parts: ProtoPart[] = [];
  private chunk = new Uint8Array(256);
  private chunkLength = 0;
  /** Bytes written so far. */
  length = 0;

  private reserve(extra: number): void {
    if (this.chunkLength + extra <= this.chunk.length) return;
    let size = this.chunk.length * 2;
    while (size < this.chunkLength + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.chunk.subarray(0, this.chunkLength));
    this.chunk = next;
  }

  private byte(value: number): void {
    this.reserve(1);
    this.chunk[this.chunkLength++] = value;
    this.length++;
  }

  private flush(): void {
    if (this.chunkLength === 0) return;
    this.parts.push(this.chunk.slice(0, this.chunkLength));
    this.chunkLength = 0;
  }

  /** Base-128 varint; negative int64 values take 10 bytes (two's complement), as protobuf requires. */
  varint(value: number | bigint): void {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      let v = value;
      while (v >= 0x80) {
        this.byte((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.byte(v);
      return;
    }
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`varint: ${value} is not a safe integer`);
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  int(field: number, value: number | bigint): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, WIRE_FIXED32);
    this.reserve(4);
    new DataView(this.chunk.buffer, this.chunk.byteOffset + this.chunkLength, 4).setFloat32(0, value, true);
    this.chunkLength += 4;
    this.length += 4;
  }

  /** Already-encoded bytes (a whole field copied from another message). */
  raw(data: Uint8Array): void {
    if (data.length >= BY_REFERENCE) {
      this.flush();
      this.parts.push(data);
    } else {
      this.reserve(data.length);
      this.chunk.set(data, this.chunkLength);
      this.chunkLength += data.length;
    }
    this.length += data.length;
  }

  /** Already-encoded bytes taken from a file when written. */
  rawFile(range: FileRange): void {
    this.flush();
    this.parts.push(range);
    this.length += range.length;
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(data.length);
    this.raw(data);
  }

  /** A bytes field whose payload is a range of a file (raw_data copied from a model being rewritten). */
  fileBytes(field: number, range: FileRange): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(range.length);
    this.rawFile(range);
  }

  string(field: number, value: string): void {
    this.bytes(field, textEncoder.encode(value));
  }

  message(field: number, write: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    write(inner);
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(inner.length);
    this.flush();
    this.parts.push(...inner.toParts());
    this.length += inner.length;
  }

  toParts(): ProtoPart[] {
    this.flush();
    return [...this.parts];
  }

  /** The message as one array; only for messages without file parts. */
  finish(): Uint8Array {
    const parts = this.toParts();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of parts) {
      if (isFileRange(p)) throw new Error('ProtoWriter.finish: the message refers to file ranges; write it with writeProtoParts');
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Writes parts to `file` (replacing it), copying file ranges in chunks. Synchronous. */
export function writeProtoParts(file: string, parts: readonly ProtoPart[]): number {
  const out = fs.openSync(file, 'w');
  const sources = new Map<string, number>();
  let written = 0;
  try {
    let buffer: Uint8Array | undefined;
    for (const part of parts) {
      if (!isFileRange(part)) {
        writeAll(out, part);
        written += part.length;
        continue;
      }
      let fd = sources.get(part.file);
      if (fd === undefined) {
        fd = fs.openSync(part.file, 'r');
        sources.set(part.file, fd);
      }
      buffer ??= new Uint8Array(COPY_CHUNK);
      for (let done = 0; done < part.length; ) {
        const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, part.length - done), part.offset + done);
        if (n === 0) throw new Error(`${part.file} ends before ${part.offset + part.length}`);
        writeAll(out, buffer.subarray(0, n));
        done += n;
      }
      written += part.length;
    }
  } finally {
    for (const fd of sources.values()) fs.closeSync(fd);
    fs.closeSync(out);
  }
  return written;
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done);
}
