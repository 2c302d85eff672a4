// A .safetensors file read the way huggingface/safetensors lays it out (safetensors `README.md` "Format"): an
// 8-byte little-endian header length N, N bytes of JSON ({name: {dtype, shape, data_offsets: [begin, end]}} plus an
// optional "__metadata__" of string → string), then the tensors' bytes, offsets counted from the end of the header.
// Only the header is read here; each tensor is read on its own from its byte range, so a LoRA's unused tensors (or
// a whole checkpoint's) never enter memory.
import * as fs from 'node:fs';

export interface SafetensorsTensorInfo {
  name: string;
  /** safetensors dtype: 'F32', 'F16', 'BF16', 'F64', 'I64', … */
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  offset: number;
  length: number;
}

export interface SafetensorsHeader {
  file: string;
  /** Bytes before the first tensor (8 + N): where kohya's and A1111's LoRA hash starts. */
  dataStart: number;
  tensors: Map<string, SafetensorsTensorInfo>;
  /** "__metadata__" (kohya ss_* training facts, modelspec.*); {} when absent. */
  metadata: Record<string, string>;
}

/** safetensors refuses headers over 100 MB (safetensors `lib.rs` MAX_HEADER_SIZE). */
const MAX_HEADER_BYTES = 100_000_000;

const DTYPE_SIZE: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};

function readExactly(fd: number, length: number, position: number, file: string): Uint8Array {
  const out = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const n = fs.readSync(fd, out, done, length - done, position + done);
    if (n === 0) throw new Error(`${file}: the file ends at ${position + done}, ${length - done} bytes short`);
    done += n;
  }
  return out;
}

export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 8) throw new Error(`${file} is not a safetensors file (${size} bytes)`);
    const lengthBytes = readExactly(fd, 8, 0, file);
    const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
    if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
      throw new Error(`${file} is not a safetensors file (header length ${headerLength} of a ${size}-byte file)`);
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(readExactly(fd, headerLength, 8, file)));
    } catch (e) {
      throw new Error(`${file} is not a safetensors file (its header is not JSON: ${(e as Error).message})`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file}: the safetensors header is not an object`);
    const dataStart = 8 + headerLength;
    const tensors = new Map<string, SafetensorsTensorInfo>();
    let metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof value === 'object' && value !== null) {
          metadata = Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
        }
        continue;
      }
      const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const offsets = info.data_offsets;
      if (
        typeof info.dtype !== 'string' ||
        !Array.isArray(info.shape) || !info.shape.every((d) => Number.isInteger(d) && d >= 0) ||
        !Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[1] < offsets[0]
      ) {
        throw new Error(`${file}: tensor ${name} has a malformed header entry`);
      }
      const shape = info.shape as number[];
      const length = offsets[1] - offsets[0];
      const elementSize = DTYPE_SIZE[info.dtype];
      if (elementSize !== undefined && length !== elementSize * shape.reduce((a, b) => a * b, 1)) {
        throw new Error(`${file}: tensor ${name} (${info.dtype} ${JSON.stringify(shape)}) has ${length} bytes`);
      }
      if (dataStart + offsets[1] > size) throw new Error(`${file}: tensor ${name} lies past the end of the file`);
      tensors.set(name, { name, dtype: info.dtype, shape, offset: dataStart + offsets[0], length });
    }
    return { file, dataStart, tensors, metadata };
  } finally {
    fs.closeSync(fd);
  }
}

/** One tensor's raw little-endian bytes. */
export function readSafetensorsBytes(header: SafetensorsHeader, name: string): Uint8Array {
  const info = header.tensors.get(name);
  if (!info) throw new Error(`${header.file}: no tensor named ${name}`);
  const fd = fs.openSync(header.file, 'r');
  try {
    return readExactly(fd, info.length, info.offset, header.file);
  } finally {
    fs.closeSync(fd);
  }
}

/** bfloat16 bits → float32: the upper half of a float32 (safetensors BF16; ONNX TensorProto BFLOAT16). */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

/** float16 bits → float32 (IEEE-754 binary16, subnormals included). */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    out[i] = exponent === 0 ? sign * mantissa * 2 ** -24 : exponent === 0x1f ? (mantissa ? NaN : sign * Infinity) : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

/** A floating-point tensor as float32 (F32, F16, BF16, F64); other dtypes throw. */
export function readSafetensorsFloat32(header: SafetensorsHeader, name: string): Float32Array {
  const info = header.tensors.get(name);
  if (!info) throw new Error(`${header.file}: no tensor named ${name}`);
  const bytes = readSafetensorsBytes(header, name);
  // readExactly allocates a fresh, aligned buffer.
  switch (info.dtype) {
    case 'F32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    case 'F16':
      return float16ToFloat32(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2));
    case 'BF16':
      return bfloat16ToFloat32(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2));
    case 'F64':
      return Float32Array.from(new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8));
    default:
      throw new Error(`${header.file}: tensor ${name} is ${info.dtype}; a LoRA's tensors are F32, F16 or BF16`);
  }
}

export interface SafetensorsTensorToWrite {
  dtype: 'F32' | 'F16' | 'BF16';
  shape: readonly number[];
  /** Raw little-endian bytes of the dtype. */
  data: Uint8Array;
}

/** The bytes of a .safetensors file (header padded with spaces to a multiple of 8, as safetensors `serialize` does). */
export function encodeSafetensors(tensors: ReadonlyMap<string, SafetensorsTensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  while ((encoder.encode(json).length + 8) % 8 !== 0) json += ' ';
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}
