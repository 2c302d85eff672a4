// What readOnnxModel gives: an ONNX model's structure (onnx/onnx.proto ModelProto → GraphProto) with every
// tensor's data left where it is: a position in model.onnx (raw_data) or in an external data file.

/** A byte range of the .onnx file: a whole field (tag included) of a message, kept for copying it verbatim. */
export interface FileSpan {
  offset: number;
  length: number;
}

/** A dimension: a fixed size, a symbolic name (dim_param), or '' when the graph says neither (as ORT reports it). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  /** 'float32', 'float16', 'int64', … (onnxDataType.ts); 'non-tensor' for sequences, maps and optionals. */
  type: string;
  /** [] also when the graph gives no shape at all (see hasShape). */
  dims: OnnxDim[];
  hasShape: boolean;
}

/** Where an initializer's (or a tensor attribute's) bytes are. */
export type OnnxTensorData =
  /** TensorProto.raw_data inside the .onnx file. */
  | { kind: 'embedded'; offset: number; length: number }
  /** data_location = EXTERNAL: `location` is relative to the .onnx file's folder; length undefined = to the end. */
  | { kind: 'external'; location: string; offset: number; length: number | undefined }
  /** Typed fields (float_data, int64_data, …): small tensors; read by decoding the TensorProto at `tensor`. */
  | { kind: 'typed'; field: number }
  | { kind: 'empty' };

export interface OnnxTensorInfo {
  name: string;
  /** TensorProto.data_type code (onnxDataType.ts). */
  dataType: number;
  type: string;
  dims: number[];
  data: OnnxTensorData;
  /** The whole TensorProto message (without its tag), to copy or decode it. */
  tensor: FileSpan;
}

export type OnnxAttribute =
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'int'; value: number }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'floats'; value: number[] }
  | { name: string; type: 'ints'; value: number[] }
  | { name: string; type: 'strings'; value: string[] }
  | { name: string; type: 'tensor'; value: OnnxTensorInfo }
  /** Graphs (If/Loop bodies), sparse tensors, type protos: kept as their bytes only. */
  | { name: string; type: 'other'; attributeType: number };

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
  /** The node's GraphProto field (tag included). */
  span: FileSpan;
}

export interface OnnxOpset {
  domain: string;
  version: number;
}

export interface OnnxGraph {
  name: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: OnnxNode[];
  initializers: OnnxTensorInfo[];
  /** Every GraphProto field in file order, tag included, with its field number (for rewriting). */
  fields: (FileSpan & { field: number })[];
}

export interface OnnxModel {
  /** Absolute path of the .onnx file. */
  file: string;
  /** Its size and mtime when read (cache keys). */
  fileSize: number;
  mtimeMs: number;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsets: OnnxOpset[];
  graph: OnnxGraph;
  /** Every ModelProto field in file order, tag included, with its field number; field 7 is the graph. */
  fields: (FileSpan & { field: number })[];
  /** The graph's message (without its tag). */
  graphSpan: FileSpan;
}

/** The default-domain opset version ('' or 'ai.onnx'), or undefined. */
export function defaultOpset(model: OnnxModel): number | undefined {
  return model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
}

/** Bytes of tensor data stored inside the .onnx file (raw_data). */
export function embeddedDataBytes(model: OnnxModel): number {
  let sum = 0;
  for (const t of model.graph.initializers) if (t.data.kind === 'embedded') sum += t.data.length;
  return sum;
}
