// ONNX TensorProto.DataType (onnx/onnx.proto, `enum DataType`) and the element type names onnxruntime-common
// uses for tensors and session metadata (onnxruntime-node lib/backend.ts `dataTypeStrings`).

/** TensorProto.DataType code → the name onnxruntime-common gives it; types ORT's JS API has no name for are 'type<N>'. */
const NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

/** Bytes per element of the fixed-size types (4-bit types pack two per byte and are not listed). */
const SIZES: Record<number, number> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1,
};

export function onnxTypeName(code: number): string {
  return NAMES[code] ?? `type${code}`;
}

export function onnxTypeCode(name: string): number {
  for (const [code, n] of Object.entries(NAMES)) if (n === name) return Number(code);
  throw new Error(`Unknown ONNX element type "${name}".`);
}

/** Bytes per element, or undefined for strings and sub-byte types. */
export function onnxElementSize(code: number): number | undefined {
  return SIZES[code];
}
