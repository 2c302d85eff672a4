// Edits of a component's graph applied when it loads, before ONNX Runtime sees it (LoRA merges change
// initializers; circular padding rewrites Conv nodes). An edit sees the graph as readOnnxModel read it and
// records changes; untouched weights are never read, and the edited model keeps referring to them where they are.
import type { OnnxModel, OnnxTensorInfo } from './onnxModel';
import { readTensorBytes } from './readInitializer';
import type { NodeSpec, TensorSpec } from './onnxWriter';
import type { ModelRewrite } from './rewriteOnnxModel';

export interface GraphEdit {
  /** The edit and its parameters in one string: the same key on the same model gives the same graph (cache key). */
  readonly key: string;
  apply(graph: EditableGraph): void | Promise<void>;
}

export class EditableGraph {
  private readonly replaced = new Map<string, TensorSpec>();
  private readonly added: TensorSpec[] = [];
  private readonly nodes = new Map<string, readonly NodeSpec[]>();

  constructor(readonly model: OnnxModel) {}

  initializer(name: string): OnnxTensorInfo {
    const found = this.model.graph.initializers.find((t) => t.name === name);
    if (!found) throw new Error(`${this.model.file}: no initializer named ${name}`);
    return found;
  }

  /** The initializer's bytes: as an earlier edit left them, else read from the model's files. */
  read(name: string): Uint8Array {
    return this.replaced.get(name)?.rawData ?? readTensorBytes(this.model, this.initializer(name));
  }

  /** Replaces an existing initializer's data (and possibly its dims or type). */
  setInitializer(tensor: TensorSpec): void {
    this.initializer(tensor.name);
    this.replaced.set(tensor.name, tensor);
  }

  addInitializer(tensor: TensorSpec): void {
    const taken = this.model.graph.initializers.some((t) => t.name === tensor.name) || this.added.some((t) => t.name === tensor.name);
    if (taken) throw new Error(`${this.model.file}: an initializer named ${tensor.name} exists already`);
    this.added.push(tensor);
  }

  /** Replaces the named node by `nodes` (none: removes it), in its place in the graph. */
  replaceNode(name: string, nodes: readonly NodeSpec[]): void {
    if (!this.model.graph.nodes.some((n) => n.name === name)) throw new Error(`${this.model.file}: no node named ${name}`);
    this.nodes.set(name, nodes);
  }

  get changed(): boolean {
    return this.replaced.size > 0 || this.added.length > 0 || this.nodes.size > 0;
  }

  toRewrite(referenceEmbeddedFrom: number): ModelRewrite {
    return { replacedInitializers: this.replaced, addedInitializers: this.added, replacedNodes: this.nodes, referenceEmbeddedFrom };
  }
}

/** Applies `edits` in order; the rewrite that gives the edited model. */
export async function applyGraphEdits(model: OnnxModel, edits: readonly GraphEdit[], referenceEmbeddedFrom: number): Promise<ModelRewrite> {
  const graph = new EditableGraph(model);
  for (const edit of edits) await edit.apply(graph);
  return graph.toRewrite(referenceEmbeddedFrom);
}
