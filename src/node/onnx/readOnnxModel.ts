// Reads an ONNX model's structure without its weights: inputs/outputs with element types and dims (symbolic ones
// too), opsets, nodes, and every initializer's name, type, dims and data location. Field numbers are those of
// onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto,
// TensorShapeProto); repeated scalars are accepted packed and unpacked, as protobuf parsers must.
// TensorProto.raw_data is skipped (its position recorded), so reading a 1.7 GB model.onnx touches only its
// few megabytes of structure; external data files are never opened.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnxTypeName } from './onnxDataType';
import type {
  FileSpan,
  OnnxAttribute,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxOpset,
  OnnxTensorInfo,
  OnnxValueInfo,
  OnnxDim,
  OnnxTensorData,
} from './onnxModel';
import {
  FileByteSource,
  MemoryByteSource,
  ProtoCursor,
  WIRE_FIXED32,
  WIRE_LENGTH_DELIMITED,
  type ByteSource,
} from './protoCursor';

/** Reads `file`'s structure (see the header). Synchronous: a few small positioned reads. */
export function readOnnxModel(file: string): OnnxModel {
  const absolute = path.resolve(file);
  const fd = fs.openSync(absolute, 'r');
  try {
    const stat = fs.fstatSync(fd);
    const model = parseModel(new FileByteSource(fd));
    return { ...model, file: absolute, fileSize: stat.size, mtimeMs: stat.mtimeMs };
  } finally {
    fs.closeSync(fd);
  }
}

/** The same from bytes in memory (`file` names it in messages and resolves external data locations). */
export function parseOnnxModel(bytes: Uint8Array, file = 'model.onnx'): OnnxModel {
  return { ...parseModel(new MemoryByteSource(bytes)), file: path.resolve(file), fileSize: bytes.length, mtimeMs: 0 };
}

type ParsedModel = Omit<OnnxModel, 'file' | 'fileSize' | 'mtimeMs'>;

function parseModel(source: ByteSource): ParsedModel {
  const c = new ProtoCursor(source);
  const end = source.size;
  const fields: (FileSpan & { field: number })[] = [];
  let irVersion = 0;
  let producerName = '';
  let producerVersion = '';
  const opsets: OnnxOpset[] = [];
  let graph: OnnxGraph | undefined;
  let graphSpan: FileSpan = { offset: 0, length: 0 };
  while (c.pos < end) {
    const start = c.pos;
    const { field, wire } = c.tag();
    if (field === 1 && wire !== WIRE_LENGTH_DELIMITED) irVersion = c.int64();
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) producerName = c.string(c.varint());
    else if (field === 3 && wire === WIRE_LENGTH_DELIMITED) producerVersion = c.string(c.varint());
    else if (field === 7 && wire === WIRE_LENGTH_DELIMITED) {
      const length = c.varint();
      graphSpan = { offset: c.pos, length };
      graph = parseGraph(c, c.pos + length);
    } else if (field === 8 && wire === WIRE_LENGTH_DELIMITED) opsets.push(parseOpset(c, c.varint()));
    else c.skipValue(wire);
    fields.push({ field, offset: start, length: c.pos - start });
  }
  if (!graph) throw new Error('not an ONNX model: no graph (ModelProto.graph)');
  return { irVersion, producerName, producerVersion, opsets, graph, fields, graphSpan };
}

function checkEnd(c: ProtoCursor, end: number, what: string): void {
  if (c.pos !== end) throw new Error(`malformed ${what}: ends at ${c.pos}, its length says ${end}`);
}

// OperatorSetIdProto: domain 1, version 2.
function parseOpset(c: ProtoCursor, length: number): OnnxOpset {
  const end = c.pos + length;
  const opset: OnnxOpset = { domain: '', version: 0 };
  while (c.pos < end) {
    const { field, wire } = c.tag();
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) opset.domain = c.string(c.varint());
    else if (field === 2 && wire !== WIRE_LENGTH_DELIMITED) opset.version = c.int64();
    else c.skipValue(wire);
  }
  checkEnd(c, end, 'OperatorSetIdProto');
  return opset;
}

// GraphProto: node 1, name 2, initializer 5, input 11, output 12 (value_info 13, sparse_initializer 15, … kept as spans).
function parseGraph(c: ProtoCursor, end: number): OnnxGraph {
  const graph: OnnxGraph = { name: '', inputs: [], outputs: [], nodes: [], initializers: [], fields: [] };
  while (c.pos < end) {
    const start = c.pos;
    const { field, wire } = c.tag();
    if (wire === WIRE_LENGTH_DELIMITED && [1, 2, 5, 11, 12].includes(field)) {
      const length = c.varint();
      if (field === 1) graph.nodes.push(parseNode(c, c.pos + length, start));
      else if (field === 2) graph.name = c.string(length);
      else if (field === 5) graph.initializers.push(parseTensor(c, length));
      else (field === 11 ? graph.inputs : graph.outputs).push(parseValueInfo(c, c.pos + length));
    } else c.skipValue(wire);
    graph.fields.push({ field, offset: start, length: c.pos - start });
  }
  checkEnd(c, end, 'GraphProto');
  return graph;
}

// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
function parseNode(c: ProtoCursor, end: number, tagStart: number): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [], span: { offset: tagStart, length: 0 } };
  while (c.pos < end) {
    const { field, wire } = c.tag();
    if (wire !== WIRE_LENGTH_DELIMITED) {
      c.skipValue(wire);
      continue;
    }
    const length = c.varint();
    if (field === 1) node.inputs.push(c.string(length));
    else if (field === 2) node.outputs.push(c.string(length));
    else if (field === 3) node.name = c.string(length);
    else if (field === 4) node.opType = c.string(length);
    else if (field === 5) node.attributes.push(parseAttribute(c, c.pos + length));
    else if (field === 7) node.domain = c.string(length);
    else c.skip(length);
  }
  checkEnd(c, end, 'NodeProto');
  node.span.length = end - tagStart;
  return node;
}

/** A repeated scalar field, packed (one length-delimited run) or not (one value per tag). */
function repeated(c: ProtoCursor, wire: number, read: () => number, out: number[]): void {
  if (wire !== WIRE_LENGTH_DELIMITED) {
    out.push(read());
    return;
  }
  const end = c.lengthEnd();
  while (c.pos < end) out.push(read());
  checkEnd(c, end, 'packed field');
}

// AttributeProto: name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, strings 9, type 20 (AttributeType:
// FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5, FLOATS 6, INTS 7, STRINGS 8).
function parseAttribute(c: ProtoCursor, end: number): OnnxAttribute {
  let name = '';
  let type = 0;
  let f = 0;
  let i = 0;
  let s = '';
  let t: OnnxTensorInfo | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  while (c.pos < end) {
    const { field, wire } = c.tag();
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) name = c.string(c.varint());
    else if (field === 20 && wire !== WIRE_LENGTH_DELIMITED) type = c.varint();
    else if (field === 2 && wire === WIRE_FIXED32) f = c.float32();
    else if (field === 3 && wire !== WIRE_LENGTH_DELIMITED) i = c.int64();
    else if (field === 4 && wire === WIRE_LENGTH_DELIMITED) s = c.string(c.varint());
    else if (field === 5 && wire === WIRE_LENGTH_DELIMITED) t = parseTensor(c, c.varint());
    else if (field === 7) repeated(c, wire, () => c.float32(), floats);
    else if (field === 8) repeated(c, wire, () => c.int64(), ints);
    else if (field === 9 && wire === WIRE_LENGTH_DELIMITED) strings.push(c.string(c.varint()));
    else c.skipValue(wire);
  }
  checkEnd(c, end, 'AttributeProto');
  switch (type) {
    case 1:
      return { name, type: 'float', value: f };
    case 2:
      return { name, type: 'int', value: i };
    case 3:
      return { name, type: 'string', value: s };
    case 4:
      if (t) return { name, type: 'tensor', value: t };
      break;
    case 6:
      return { name, type: 'floats', value: floats };
    case 7:
      return { name, type: 'ints', value: ints };
    case 8:
      return { name, type: 'strings', value: strings };
  }
  return { name, type: 'other', attributeType: type };
}

// TensorProto: dims 1, data_type 2, float_data 4, int32_data 5, string_data 6, int64_data 7, name 8, raw_data 9,
// double_data 10, uint64_data 11, external_data 13 (StringStringEntryProto: key 1, value 2), data_location 14
// (EXTERNAL = 1). External data keys follow onnx/external_data_helper.py: location, offset, length.
function parseTensor(c: ProtoCursor, length: number): OnnxTensorInfo {
  const tensor: FileSpan = { offset: c.pos, length };
  const end = c.pos + length;
  let name = '';
  let dataType = 0;
  const dims: number[] = [];
  let raw: { offset: number; length: number } | undefined;
  let typedField = 0;
  let external = false;
  const entries = new Map<string, string>();
  while (c.pos < end) {
    const { field, wire } = c.tag();
    if (field === 1) repeated(c, wire, () => c.int64(), dims);
    else if (field === 2 && wire !== WIRE_LENGTH_DELIMITED) dataType = c.varint();
    else if (field === 8 && wire === WIRE_LENGTH_DELIMITED) name = c.string(c.varint());
    else if (field === 9 && wire === WIRE_LENGTH_DELIMITED) {
      const n = c.varint();
      raw = { offset: c.pos, length: n };
      c.skip(n);
    } else if (field === 13 && wire === WIRE_LENGTH_DELIMITED) {
      const entryEnd = c.lengthEnd();
      let key = '';
      let value = '';
      while (c.pos < entryEnd) {
        const t = c.tag();
        if (t.field === 1 && t.wire === WIRE_LENGTH_DELIMITED) key = c.string(c.varint());
        else if (t.field === 2 && t.wire === WIRE_LENGTH_DELIMITED) value = c.string(c.varint());
        else c.skipValue(t.wire);
      }
      entries.set(key, value);
    } else if (field === 14 && wire !== WIRE_LENGTH_DELIMITED) external = c.varint() === 1;
    else {
      if ([4, 5, 6, 7, 10, 11].includes(field)) typedField = field;
      c.skipValue(wire);
    }
  }
  checkEnd(c, end, 'TensorProto');
  let data: OnnxTensorData;
  if (external) {
    const location = entries.get('location');
    if (!location) throw new Error(`initializer ${name}: external data without a location`);
    const lengthText = entries.get('length');
    data = { kind: 'external', location, offset: Number(entries.get('offset') ?? 0), length: lengthText === undefined ? undefined : Number(lengthText) };
  } else if (raw) data = { kind: 'embedded', ...raw };
  else if (typedField) data = { kind: 'typed', field: typedField };
  else data = { kind: 'empty' };
  return { name, dataType, type: onnxTypeName(dataType), dims, data, tensor };
}

// ValueInfoProto: name 1, type 2 → TypeProto: tensor_type 1 → { elem_type 1, shape 2 → TensorShapeProto: dim 1 →
// { dim_value 1, dim_param 2 } }. Other TypeProto kinds (sequence 4, map 5, sparse 8, optional 9) are 'non-tensor'.
function parseValueInfo(c: ProtoCursor, end: number): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', type: 'non-tensor', dims: [], hasShape: false };
  while (c.pos < end) {
    const { field, wire } = c.tag();
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) info.name = c.string(c.varint());
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) parseType(c, c.lengthEnd(), info);
    else c.skipValue(wire);
  }
  checkEnd(c, end, 'ValueInfoProto');
  return info;
}

function parseType(c: ProtoCursor, end: number, info: OnnxValueInfo): void {
  while (c.pos < end) {
    const { field, wire } = c.tag();
    if (field !== 1 || wire !== WIRE_LENGTH_DELIMITED) {
      c.skipValue(wire);
      continue;
    }
    const tensorEnd = c.lengthEnd();
    info.type = onnxTypeName(0);
    while (c.pos < tensorEnd) {
      const t = c.tag();
      if (t.field === 1 && t.wire !== WIRE_LENGTH_DELIMITED) info.type = onnxTypeName(c.varint());
      else if (t.field === 2 && t.wire === WIRE_LENGTH_DELIMITED) {
        info.hasShape = true;
        const shapeEnd = c.lengthEnd();
        while (c.pos < shapeEnd) {
          const d = c.tag();
          if (d.field === 1 && d.wire === WIRE_LENGTH_DELIMITED) info.dims.push(parseDim(c, c.lengthEnd()));
          else c.skipValue(d.wire);
        }
      } else c.skipValue(t.wire);
    }
  }
  checkEnd(c, end, 'TypeProto');
}

function parseDim(c: ProtoCursor, end: number): OnnxDim {
  let dim: OnnxDim = '';
  while (c.pos < end) {
    const { field, wire } = c.tag();
    if (field === 1 && wire !== WIRE_LENGTH_DELIMITED) dim = c.int64();
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) dim = c.string(c.varint());
    else c.skipValue(wire);
  }
  checkEnd(c, end, 'TensorShapeProto.Dimension');
  return dim;
}
