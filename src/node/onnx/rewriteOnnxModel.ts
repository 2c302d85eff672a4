// Writes a modified copy of a model read by readOnnxModel, as protobuf parts: every field it does not change
// is copied verbatim from the original file (doc strings, value_info, metadata, unknown fields included).
// Initializers can be kept, given new data, or turned into external-data references into the original
// model.onnx itself (TensorProto.external_data location/offset/length, data_location EXTERNAL, as
// onnx/external_data_helper.py writes them): ONNX Runtime then reads those weights from the original file
// instead of parsing them out of a protobuf it holds in memory, so the new graph is a few megabytes.
import * as path from 'node:path';
import type { OnnxModel, OnnxTensorInfo } from './onnxModel';
import { writeNode, writeTensor, type NodeSpec, type TensorSpec } from './onnxWriter';
import { ProtoWriter, type ProtoPart } from './protoWriter';

export interface ModelRewrite {
  /** Initializers whose data is replaced (same name; dims and type may change): embedded as raw_data. */
  replacedInitializers?: ReadonlyMap<string, TensorSpec>;
  /** New initializers (embedded as raw_data). */
  addedInitializers?: readonly TensorSpec[];
  /** Nodes (by name) replaced by zero or more nodes, in place. */
  replacedNodes?: ReadonlyMap<string, readonly NodeSpec[]>;
  /**
   * Embedded raw_data of at least this many bytes becomes an external reference into the original file
   * (undefined: keep everything embedded). The new model must then be loaded from the original's folder.
   */
  referenceEmbeddedFrom?: number;
}

const GRAPH_FIELD = 7;
const NODE_FIELD = 1;
const INITIALIZER_FIELD = 5;

/** The rewritten ModelProto as parts (file ranges into model.file for everything copied). */
export function rewriteOnnxModel(model: OnnxModel, rewrite: ModelRewrite): ProtoPart[] {
  const location = path.basename(model.file);
  const replaced = rewrite.replacedInitializers ?? new Map<string, TensorSpec>();
  const replacedNodes = rewrite.replacedNodes ?? new Map<string, readonly NodeSpec[]>();
  for (const name of replaced.keys()) {
    if (!model.graph.initializers.some((t) => t.name === name)) throw new Error(`${model.file}: no initializer named ${name}`);
  }
  for (const name of replacedNodes.keys()) {
    if (!model.graph.nodes.some((n) => n.name === name)) throw new Error(`${model.file}: no node named ${name}`);
  }
  const nodesAt = new Map(model.graph.nodes.map((n) => [n.span.offset, n]));
  const initializersAt = new Map<number, OnnxTensorInfo>();
  for (const t of model.graph.initializers) initializersAt.set(t.tensor.offset, t);

  const w = new ProtoWriter();
  for (const field of model.fields) {
    if (field.field !== GRAPH_FIELD) {
      w.rawFile({ file: model.file, ...field });
      continue;
    }
    w.message(GRAPH_FIELD, (g) => {
      for (const gf of model.graph.fields) {
        const node = gf.field === NODE_FIELD ? nodesAt.get(gf.offset) : undefined;
        if (node && replacedNodes.has(node.name)) {
          for (const spec of replacedNodes.get(node.name) as readonly NodeSpec[]) g.message(NODE_FIELD, (n) => writeNode(n, spec));
          continue;
        }
        const tensor = gf.field === INITIALIZER_FIELD ? findTensor(initializersAt, gf.offset, gf.length) : undefined;
        if (tensor) {
          const replacement = replaced.get(tensor.name);
          if (replacement) {
            g.message(INITIALIZER_FIELD, (t) => writeTensor(t, replacement));
            continue;
          }
          const threshold = rewrite.referenceEmbeddedFrom;
          if (threshold !== undefined && tensor.data.kind === 'embedded' && tensor.data.length >= threshold) {
            const ref = { location, offset: tensor.data.offset, length: tensor.data.length };
            g.message(INITIALIZER_FIELD, (t) => writeTensor(t, { name: tensor.name, dataType: tensor.dataType, dims: tensor.dims }, ref));
            continue;
          }
        }
        g.rawFile({ file: model.file, ...gf });
      }
      for (const added of rewrite.addedInitializers ?? []) g.message(INITIALIZER_FIELD, (t) => writeTensor(t, added));
    });
  }
  return w.toParts();
}

/** The initializer whose TensorProto lies inside the GraphProto field at [offset, offset + length). */
function findTensor(byOffset: ReadonlyMap<number, OnnxTensorInfo>, offset: number, length: number): OnnxTensorInfo | undefined {
  // The TensorProto starts after the field's tag (1 byte) and length varint (1–5 bytes).
  for (let header = 2; header <= 6; header++) {
    const t = byOffset.get(offset + header);
    if (t && t.tensor.offset + t.tensor.length === offset + length) return t;
  }
  return undefined;
}
