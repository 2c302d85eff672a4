// Where a LoRA layer lands in an ONNX graph exported by torch.onnx (diffusers convert script, optimum): nodes are
// named by module scope (`/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_k/MatMul`); a Linear becomes
// MatMul(x, Wᵀ) with an anonymous initializer (`onnx::MatMul_1234`, [in, out]) or Gemm (weight named after the
// parameter, [out, in] with transB = 1); a Conv keeps its parameter name (`down_blocks.0.resnets.0.conv1.weight`,
// [out, in, kh, kw]). The node name without its op, with '/' and '.' → '_', is kohya's module name — the mapping
// ssube/onnx-web `api/onnx_web/convert/diffusion/lora.py` blend_loras uses (fix_node_name). Parameter names of
// Conv/Gemm weights are matched too, for graphs whose nodes were renamed.
import type { OnnxModel, OnnxNode, OnnxTensorInfo } from '../../node/onnx/onnxModel';

export type WeightLayout =
  /** MatMul(x, W): the initializer holds Wᵀ [in, out]. */
  | 'transposed'
  /** Gemm with transB = 1, Conv: the initializer holds W as PyTorch does. */
  | 'torch';

export interface LoraTarget {
  node: string;
  weight: OnnxTensorInfo;
  layout: WeightLayout;
}

export type TargetLookup = { target: LoraTarget } | { reason: string };

const OPS = new Set(['MatMul', 'Conv', 'Gemm']);

/** kohya's module name of a torch.onnx node name: `/a.0/b/to_k/MatMul` → `a_0_b_to_k`; undefined for other names. */
export function moduleKeyOfNode(name: string): string | undefined {
  if (!name.startsWith('/')) return undefined;
  const parts = name.slice(1).split('/');
  if (parts.length < 2 || !/^(MatMul|Conv|Gemm)(_\d+)?$/.test(parts[parts.length - 1])) return undefined;
  return parts.slice(0, -1).join('_').replace(/\./g, '_');
}

export class GraphTargets {
  private readonly byKey = new Map<string, OnnxNode[]>();
  private readonly initializers = new Map<string, OnnxTensorInfo>();
  private readonly consumers = new Map<string, number>();

  constructor(readonly model: OnnxModel) {
    for (const t of model.graph.initializers) this.initializers.set(t.name, t);
    for (const node of model.graph.nodes) {
      for (const input of node.inputs) this.consumers.set(input, (this.consumers.get(input) ?? 0) + 1);
      if (!OPS.has(node.opType) || node.domain !== '' && node.domain !== 'ai.onnx') continue;
      const keys = new Set<string>();
      const fromName = moduleKeyOfNode(node.name);
      if (fromName) keys.add(fromName);
      const weight = node.inputs[1];
      if (node.opType !== 'MatMul' && weight?.endsWith('.weight') && this.initializers.has(weight)) {
        keys.add(weight.slice(0, -'.weight'.length).replace(/\./g, '_'));
      }
      for (const key of keys) {
        const list = this.byKey.get(key) ?? [];
        if (!list.includes(node)) list.push(node);
        this.byKey.set(key, list);
      }
    }
  }

  /** How many module keys the graph has (0: a graph whose names carry no module paths). */
  get size(): number {
    return this.byKey.size;
  }

  /** The weight a module's LoRA changes, or why there is none. `shape`: the delta's PyTorch shape. */
  find(key: string, shape: readonly number[]): TargetLookup {
    const nodes = (this.byKey.get(key) ?? []).filter((n) => this.initializers.has(n.inputs[1] ?? ''));
    if (nodes.length === 0) return { reason: this.byKey.has(key) ? 'its weight is not an initializer' : 'no such layer in the graph' };
    const weights = new Set(nodes.map((n) => n.inputs[1]));
    if (weights.size > 1) return { reason: `${weights.size} weights carry its name` };
    const node = nodes[0];
    const weight = this.initializers.get(node.inputs[1]) as OnnxTensorInfo;
    if (weight.type !== 'float32' && weight.type !== 'float16') return { reason: `its weight is ${weight.type} (only float32 and float16 weights are merged)` };
    const shared = this.consumers.get(weight.name) ?? 0;
    if (shared > nodes.length) return { reason: `its weight ${weight.name} is shared by ${shared} nodes` };
    let layout: WeightLayout;
    let expected: number[];
    if (node.opType === 'MatMul') {
      if (shape.length !== 2) return { reason: `a ${shape.length}-D delta for a MatMul` };
      layout = 'transposed';
      expected = [shape[1], shape[0]];
    } else if (node.opType === 'Gemm') {
      if (shape.length !== 2) return { reason: `a ${shape.length}-D delta for a Gemm` };
      const transB = node.attributes.find((a) => a.name === 'transB');
      const transposed = !(transB && transB.type === 'int' && transB.value === 1);
      layout = transposed ? 'transposed' : 'torch';
      expected = transposed ? [shape[1], shape[0]] : [...shape];
    } else {
      layout = 'torch';
      // A Linear LoRA on a 1×1 conv (proj_in/proj_out of SD 1.x are 1×1 convs) is the same matrix.
      expected = shape.length === 2 ? [shape[0], shape[1], 1, 1] : [...shape];
      const group = node.attributes.find((a) => a.name === 'group');
      if (group && group.type === 'int' && group.value !== 1) return { reason: 'a grouped convolution' };
    }
    if (weight.dims.length !== expected.length || weight.dims.some((d, i) => d !== expected[i])) {
      return { reason: `the LoRA's shape ${JSON.stringify(shape)} does not fit the weight ${JSON.stringify(weight.dims)}` };
    }
    return { target: { node: node.name, weight, layout } };
  }
}
