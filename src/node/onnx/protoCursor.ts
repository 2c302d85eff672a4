// A forward reader of the protobuf wire format (https://protobuf.dev/programming-guides/encoding/) over a file
// or a byte array, through a small window: length-delimited fields that are not wanted (an initializer's
// raw_data) are skipped by moving the position, so a 1.7 GB model.onnx is walked without reading its weights.
import * as fs from 'node:fs';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** Where the bytes come from: positioned reads. */
export interface ByteSource {
  readonly size: number;
  /** Copies [offset, offset + length) into `into` at 0; returns the count read. */
  readInto(into: Uint8Array, offset: number, length: number): number;
}

export class FileByteSource implements ByteSource {
  readonly size: number;

  constructor(private readonly fd: number) {
    this.size = fs.fstatSync(fd).size;
  }

  readInto(into: Uint8Array, offset: number, length: number): number {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, into, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
}

export class MemoryByteSource implements ByteSource {
  readonly size: number;

  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }

  readInto(into: Uint8Array, offset: number, length: number): number {
    const part = this.bytes.subarray(offset, Math.min(this.size, offset + length));
    into.set(part);
    return part.length;
  }
}

/** Window size: small, because every skipped initializer lands the next read somewhere new. */
const WINDOW = 64 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: false });

export class ProtoCursor {
  /** Absolute position in the source. */
  pos = 0;
  private window = new Uint8Array(WINDOW);
  private windowStart = 0;
  private windowLength = 0;

  constructor(readonly source: ByteSource) {}

  /** Makes [pos, pos + n) readable from the window (n ≤ what is left in the source). */
  private ensure(n: number): void {
    const at = this.pos - this.windowStart;
    if (at >= 0 && at + n <= this.windowLength) return;
    if (this.pos + n > this.source.size) throw new Error(`truncated protobuf: ${n} bytes wanted at ${this.pos}, the file has ${this.source.size}`);
    if (n > this.window.length) this.window = new Uint8Array(n);
    this.windowStart = this.pos;
    this.windowLength = this.source.readInto(this.window, this.pos, Math.min(this.window.length, this.source.size - this.pos));
    if (this.windowLength < n) throw new Error(`short read at ${this.pos}`);
  }

  private byte(): number {
    this.ensure(1);
    return this.window[this.pos++ - this.windowStart];
  }

  /** An unsigned varint as a bigint (int64 fields: negative values are 10-byte two's complement). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
    throw new Error(`malformed varint before ${this.pos}`);
  }

  /** A varint as a number; lengths, enums, dims. Values past 2^53 throw. */
  varint(): number {
    // Fast path: the whole varint is in the window.
    const at = this.pos - this.windowStart;
    if (at >= 0 && at + 8 <= this.windowLength) {
      const w = this.window;
      let value = 0;
      let scale = 1;
      for (let i = 0; i < 8; i++) {
        const b = w[at + i];
        value += (b & 0x7f) * scale;
        if (b < 0x80) {
          this.pos += i + 1;
          return value;
        }
        scale *= 128;
      }
    }
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    this.pos -= 8;
    const big = this.varintBig();
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`varint ${big} is too large`);
    return Number(big);
  }

  /** A signed int64 field (two's complement) as a number. */
  int64(): number {
    return Number(BigInt.asIntN(64, this.varintBig()));
  }

  tag(): { field: number; wire: number } {
    const key = this.varint();
    return { field: Math.floor(key / 8), wire: key % 8 };
  }

  /** Reads a length prefix; returns where that length-delimited value ends. */
  lengthEnd(): number {
    const length = this.varint();
    return this.pos + length;
  }

  /** `length` bytes (a copy). */
  bytes(length: number): Uint8Array {
    if (length <= WINDOW) {
      this.ensure(length);
      const start = this.pos - this.windowStart;
      this.pos += length;
      return this.window.slice(start, start + length);
    }
    const out = new Uint8Array(length);
    if (this.source.readInto(out, this.pos, length) !== length) throw new Error(`short read at ${this.pos}`);
    this.pos += length;
    return out;
  }

  string(length: number): string {
    if (length > WINDOW) return utf8.decode(this.bytes(length));
    this.ensure(length);
    const start = this.pos - this.windowStart;
    this.pos += length;
    return utf8.decode(this.window.subarray(start, start + length));
  }

  float32(): number {
    const b = this.bytes(4);
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
  }

  skip(length: number): void {
    if (this.pos + length > this.source.size) throw new Error(`truncated protobuf: skipping ${length} bytes at ${this.pos}`);
    this.pos += length;
  }

  /** Skips the value of a field whose tag was just read. */
  skipValue(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varintBig();
        return;
      case WIRE_FIXED64:
        this.skip(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.skip(this.varint());
        return;
      case WIRE_FIXED32:
        this.skip(4);
        return;
      default:
        throw new Error(`unsupported protobuf wire type ${wire} before ${this.pos}`);
    }
  }
}
