// Reads one tensor's bytes on demand, wherever readOnnxModel found them: raw_data inside model.onnx, an external
// data file next to it (onnx/external_data_helper.py: location relative to the model's folder), or the typed
// fields of small tensors (onnx.proto: float_data, int32_data for every type of 32 bits or less, int64_data,
// double_data, uint64_data), converted to raw little-endian bytes as raw_data holds them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnxElementSize } from './onnxDataType';
import type { OnnxModel, OnnxTensorInfo } from './onnxModel';
import { FileByteSource, ProtoCursor, WIRE_FIXED32, WIRE_FIXED64, WIRE_LENGTH_DELIMITED } from './protoCursor';

function readRange(file: string, offset: number, length: number | undefined): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const n = length ?? size - offset;
    if (offset + n > size) throw new Error(`${file} has ${size} bytes; ${n} wanted at ${offset}`);
    const out = new Uint8Array(n);
    for (let done = 0; done < n; ) {
      const got = fs.readSync(fd, out, done, n - done, offset + done);
      if (got === 0) throw new Error(`${file}: short read at ${offset + done}`);
      done += got;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** The path of an external data file; locations may not leave the model's folder (as ONNX Runtime checks). */
export function externalDataPath(model: OnnxModel, location: string): string {
  const dir = path.dirname(model.file);
  const resolved = path.resolve(dir, location);
  if (path.isAbsolute(location) || path.relative(dir, resolved).startsWith('..')) {
    throw new Error(`${model.file}: external data location ${location} is outside the model's folder`);
  }
  return resolved;
}

/** The tensor's data as raw little-endian bytes (TensorProto.raw_data layout). */
export function readTensorBytes(model: OnnxModel, tensor: OnnxTensorInfo): Uint8Array {
  const data = tensor.data;
  switch (data.kind) {
    case 'embedded':
      return readRange(model.file, data.offset, data.length);
    case 'external':
      return readRange(externalDataPath(model, data.location), data.offset, data.length);
    case 'typed':
      return decodeTypedFields(model, tensor);
    case 'empty':
      return new Uint8Array(0);
  }
}

/** Reads the named initializers' bytes (a map by name); unknown names throw. */
export function readInitializers(model: OnnxModel, names: readonly string[]): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const name of names) {
    const tensor = model.graph.initializers.find((t) => t.name === name);
    if (!tensor) throw new Error(`${model.file}: no initializer named ${name}`);
    out.set(name, readTensorBytes(model, tensor));
  }
  return out;
}

function decodeTypedFields(model: OnnxModel, tensor: OnnxTensorInfo): Uint8Array {
  const size = onnxElementSize(tensor.dataType);
  if (size === undefined) throw new Error(`${tensor.name}: ${tensor.type} data in typed fields is not supported`);
  const fd = fs.openSync(model.file, 'r');
  try {
    const c = new ProtoCursor(new FileByteSource(fd));
    c.pos = tensor.tensor.offset;
    const end = tensor.tensor.offset + tensor.tensor.length;
    const values: (number | bigint)[] = [];
    const read = (field: number, wire: number): void => {
      if (field === 4 || field === 10) {
        const one = (): void => void values.push(field === 4 ? c.float32() : float64(c.bytes(8)));
        if (wire === WIRE_LENGTH_DELIMITED) for (const stop = c.lengthEnd(); c.pos < stop; ) one();
        else if (wire === (field === 4 ? WIRE_FIXED32 : WIRE_FIXED64)) one();
        else c.skipValue(wire);
        return;
      }
      const one = (): void => void values.push(c.varintBig());
      if (wire === WIRE_LENGTH_DELIMITED) for (const stop = c.lengthEnd(); c.pos < stop; ) one();
      else one();
    };
    while (c.pos < end) {
      const { field, wire } = c.tag();
      if (field === (tensor.data as { field: number }).field) read(field, wire);
      else c.skipValue(wire);
    }
    const out = new Uint8Array(values.length * size);
    const view = new DataView(out.buffer);
    values.forEach((v, i) => writeElement(view, i * size, tensor.dataType, v));
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

function float64(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
}

// TensorProto.DataType: FLOAT 1, DOUBLE 11 from float fields; 64-bit ints from int64/uint64_data; the rest
// (int32, int16, int8, uint8, uint16, bool, float16/bfloat16 bits, float8) from int32_data's low bits.
function writeElement(view: DataView, at: number, dataType: number, value: number | bigint): void {
  if (dataType === 1) view.setFloat32(at, Number(value), true);
  else if (dataType === 11) view.setFloat64(at, Number(value), true);
  else if (dataType === 7 || dataType === 13) view.setBigUint64(at, BigInt.asUintN(64, BigInt(value)), true);
  else if (dataType === 6 || dataType === 12) view.setUint32(at, Number(BigInt.asUintN(32, BigInt(value))), true);
  else if (dataType === 4 || dataType === 5 || dataType === 10 || dataType === 16) view.setUint16(at, Number(BigInt.asUintN(16, BigInt(value))), true);
  else view.setUint8(at, Number(BigInt.asUintN(8, BigInt(value))));
}
