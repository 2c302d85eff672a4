// ONNX model writer: specs (TensorSpec, NodeSpec, GraphSpec, ModelSpec) to a ModelProto, for the test models
// tools/ builds and for graphs the engine rewrites at load (rewriteOnnxModel.ts).
// Field numbers and enums are those of onnx/onnx.proto (proto2 syntax, so repeated scalars are written
// unpacked, one tag per element). Wire format: https://protobuf.dev/programming-guides/encoding/
// External data follows onnx/external_data_helper.py: TensorProto.external_data = [location, offset, length]
// (values are decimal strings) and data_location = EXTERNAL; the side file sits next to model.onnx.

import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProtoWriter, writeProtoParts } from './protoWriter';

/** ONNX TensorProto.DataType values (onnx.proto). */
export const ONNX_DATA_TYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
} as const;

export type TensorElemType = keyof typeof ONNX_DATA_TYPE;

/** Bytes per element of each data type. */
export const ELEMENT_SIZE: Record<TensorElemType, number> = {
  float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1, float16: 2, float64: 8,
};

/** A dimension: a fixed size, or a symbolic name (dim_param). */
export type Dim = number | string;

/** A tensor with its data as raw little-endian bytes (TensorProto.raw_data). */
export interface TensorSpec {
  name: string;
  type: TensorElemType;
  dims: readonly number[];
  rawData: Uint8Array;
}

export interface ValueInfoSpec {
  name: string;
  type: TensorElemType;
  dims: readonly Dim[];
}

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export type AttributeValue =
  | { type: 'int'; value: number | bigint }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: readonly (number | bigint)[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: TensorSpec };

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorSpec[];
  inputs: readonly ValueInfoSpec[];
  outputs: readonly ValueInfoSpec[];
}

export interface ModelSpec {
  graph: GraphSpec;
  /** ModelProto.ir_version; default 8 (ONNX 1.10+, accepted by every onnxruntime since 1.10). */
  irVersion?: number;
  /** Default-domain opset; default 17. */
  opsetVersion?: number;
  /** Opsets of other domains the nodes use (e.g. com.microsoft contrib ops). */
  extraOpsets?: readonly { domain: string; version: number }[];
  producerName?: string;
  producerVersion?: string;
}

export interface ExternalDataOptions {
  /** Side file name, relative to the .onnx file (e.g. 'model.onnx_data' or 'weights.pb'). */
  location: string;
  /** Initializers with at least this many bytes go to the side file (optimum uses 100). Default 1024. */
  threshold?: number;
}

export interface EncodedModel {
  /** The .onnx file. */
  model: Uint8Array;
  /** The side file's bytes when external data was requested and used, else null. */
  externalData: Uint8Array | null;
}

export const DEFAULT_IR_VERSION = 8;
export const DEFAULT_OPSET_VERSION = 17;
const DEFAULT_EXTERNAL_THRESHOLD = 1024;
/** Offsets in the side file are aligned; big tensors to 64 KiB so ORT can memory-map them (as onnx does). */
const SMALL_ALIGNMENT = 64;
const LARGE_ALIGNMENT = 65536;
const LARGE_TENSOR_BYTES = 1 << 20;

/** Where an externally stored tensor lives (location relative to the .onnx file's folder). */
export interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

/** A tensor's header only: written with `external` (its data stays where it is). */
export interface TensorHeader {
  name: string;
  /** TensorProto.DataType code. */
  dataType: number;
  dims: readonly number[];
}

// TensorProto: dims 1, data_type 2, name 8, raw_data 9, external_data 13 (StringStringEntryProto key 1 value 2),
// data_location 14 (EXTERNAL = 1).
export function writeTensor(w: ProtoWriter, tensor: TensorSpec | TensorHeader, external?: ExternalRef): void {
  for (const d of tensor.dims) w.int(1, d);
  w.int(2, 'dataType' in tensor ? tensor.dataType : ONNX_DATA_TYPE[tensor.type]);
  w.string(8, tensor.name);
  if (external) {
    const entries: [string, string][] = [
      ['location', external.location],
      ['offset', String(external.offset)],
      ['length', String(external.length)],
    ];
    for (const [key, value] of entries) {
      w.message(13, (e) => {
        e.string(1, key);
        e.string(2, value);
      });
    }
    w.int(14, 1);
  } else if ('rawData' in tensor) {
    w.bytes(9, tensor.rawData);
  } else {
    throw new Error(`writeTensor ${tensor.name}: no data and no external location`);
  }
}

// AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20.
function writeAttribute(w: ProtoWriter, name: string, attr: AttributeValue): void {
  w.string(1, name);
  switch (attr.type) {
    case 'float':
      w.float(2, attr.value);
      break;
    case 'int':
      w.int(3, attr.value);
      break;
    case 'string':
      w.string(4, attr.value);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, attr.value));
      break;
    case 'floats':
      for (const f of attr.value) w.float(7, f);
      break;
    case 'ints':
      for (const i of attr.value) w.int(8, i);
      break;
  }
  w.int(20, ATTRIBUTE_TYPE[attr.type]);
}

// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
export function writeNode(w: ProtoWriter, node: NodeSpec): void {
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  if (node.name) w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, attr] of Object.entries(node.attributes ?? {})) w.message(5, (a) => writeAttribute(a, name, attr));
  if (node.domain) w.string(7, node.domain);
}

// ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → {elem_type 1, shape 2 → dim 1 → {dim_value 1 | dim_param 2}}.
export function writeValueInfo(w: ProtoWriter, info: ValueInfoSpec): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, ONNX_DATA_TYPE[info.type]);
      tensorType.message(2, (shape) => {
        for (const d of info.dims) {
          shape.message(1, (dim) => {
            if (typeof d === 'number') dim.int(1, d);
            else dim.string(2, d);
          });
        }
      });
    }),
  );
}

/** Initializer bytes laid out in one side file, with aligned offsets. */
class SideFile {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  constructor(readonly location: string) {}

  append(data: Uint8Array): ExternalRef {
    const alignment = data.length >= LARGE_TENSOR_BYTES ? LARGE_ALIGNMENT : SMALL_ALIGNMENT;
    const padding = (alignment - (this.size % alignment)) % alignment;
    if (padding) this.parts.push(new Uint8Array(padding));
    const offset = this.size + padding;
    this.parts.push(data);
    this.size = offset + data.length;
    return { location: this.location, offset, length: data.length };
  }

  get used(): boolean {
    return this.size > 0;
  }

  toParts(): Uint8Array[] {
    return [...this.parts];
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

// GraphProto: node 1, name 2, initializer 5, input 11, output 12.
function writeGraph(w: ProtoWriter, graph: GraphSpec, side: SideFile | null, threshold: number): void {
  for (const node of graph.nodes) w.message(1, (n) => writeNode(n, node));
  w.string(2, graph.name);
  for (const init of graph.initializers) {
    const external = side && init.rawData.length >= threshold ? side.append(init.rawData) : undefined;
    w.message(5, (t) => writeTensor(t, init, external));
  }
  for (const input of graph.inputs) w.message(11, (v) => writeValueInfo(v, input));
  for (const output of graph.outputs) w.message(12, (v) => writeValueInfo(v, output));
}

function encodeModelParts(model: ModelSpec, external?: ExternalDataOptions): { model: ProtoWriter; side: SideFile | null } {
  const side = external ? new SideFile(external.location) : null;
  const threshold = external?.threshold ?? DEFAULT_EXTERNAL_THRESHOLD;
  const w = new ProtoWriter();
  w.int(1, model.irVersion ?? DEFAULT_IR_VERSION);
  w.string(2, model.producerName ?? 'local-diffusion-tools');
  if (model.producerVersion) w.string(3, model.producerVersion);
  w.message(7, (g) => writeGraph(g, model.graph, side, threshold));
  // OperatorSetIdProto: domain 1 ('' = ai.onnx), version 2.
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, model.opsetVersion ?? DEFAULT_OPSET_VERSION);
  });
  for (const opset of model.extraOpsets ?? []) {
    w.message(8, (o) => {
      o.string(1, opset.domain);
      o.int(2, opset.version);
    });
  }
  return { model: w, side };
}

/** Serialises a ModelProto (ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8). */
export function encodeModel(model: ModelSpec, external?: ExternalDataOptions): EncodedModel {
  const { model: w, side } = encodeModelParts(model, external);
  return { model: w.finish(), externalData: side?.used ? side.finish() : null };
}

/**
 * Encodes and writes `modelPath`; with `external`, the side file goes next to it under external.location.
 * Written part by part (tensor data is never joined into one buffer). Returns the paths written.
 */
export async function writeOnnxModel(modelPath: string, model: ModelSpec, external?: ExternalDataOptions): Promise<string[]> {
  const { model: w, side } = encodeModelParts(model, external);
  await fs.mkdir(path.dirname(modelPath), { recursive: true });
  writeProtoParts(modelPath, w.toParts());
  const written = [modelPath];
  if (side?.used && external) {
    const sidePath = path.join(path.dirname(modelPath), external.location);
    writeProtoParts(sidePath, side.toParts());
    written.push(sidePath);
  }
  return written;
}

const littleEndian = os.endianness() === 'LE';

type RawSource = Float32Array | Float64Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

/** Little-endian bytes of a typed array (a copy). */
export function toRawBytes(data: RawSource): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (littleEndian || data.BYTES_PER_ELEMENT === 1) return bytes;
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  return bytes;
}

/** Builds a TensorSpec; Uint16Array holds float16 bits, Uint8Array is uint8 unless `type` says bool. */
export function makeTensor(name: string, data: RawSource, dims: readonly number[], type?: TensorElemType): TensorSpec {
  const inferred: TensorElemType =
    data instanceof Float32Array ? 'float32'
    : data instanceof Float64Array ? 'float64'
    : data instanceof Uint16Array ? 'float16'
    : data instanceof Int32Array ? 'int32'
    : data instanceof BigInt64Array ? 'int64'
    : data instanceof Int8Array ? 'int8'
    : 'uint8';
  const elemType = type ?? inferred;
  if (ELEMENT_SIZE[elemType] !== data.BYTES_PER_ELEMENT) throw new Error(`makeTensor ${name}: ${elemType} does not match the array type`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`makeTensor ${name}: dims [${dims.join(', ')}] need ${count} values, got ${data.length}`);
  return { name, type: elemType, dims: [...dims], rawData: toRawBytes(data) };
}
