// LoRA as side branches instead of merged weights: each adapted node's output gets + (its LoRA's own two layers),
// as kohya sd-scripts `networks/lora.py` LoRAModule.forward computes it (org_forward(x) + lora_up(lora_down(x)) ·
// multiplier · scale): MatMul(x, Wᵀ) → + MatMul(MatMul(x, downᵀ), (s·up)ᵀ); Gemm (transA = 0) the same times its
// alpha; Conv(x, W) → + Conv(Conv(x, down; the node's strides, pads, dilations), s·up). The original weights are
// not touched or copied: the edited graph adds only the small factors, so ONNX Runtime loads it as fast as the
// plain model; each step pays rank-sized extra products.
import type { EditableGraph } from '../../node/onnx/graphEdit';
import type { OnnxAttribute, OnnxNode } from '../../node/onnx/onnxModel';
import type { AttributeValue, NodeSpec, TensorSpec } from '../../node/onnx/onnxWriter';
import { toFloat16Array } from '../tensor/float16';
import type { LoraFactors } from './loraDelta';
import type { LoraTarget } from './loraTargets';

export interface LoraBranch {
  target: LoraTarget;
  factors: LoraFactors;
}

/** Why a node cannot take a side branch (it is merged instead), or undefined. */
export function branchRefusal(node: OnnxNode): string | undefined {
  const attribute = (name: string) => node.attributes.find((a) => a.name === name);
  if (node.attributes.some((a) => a.type === 'tensor' || a.type === 'other')) return 'an attribute that is not a number or text';
  if (node.opType === 'Gemm') {
    const transA = attribute('transA');
    if (transA && transA.type === 'int' && transA.value !== 0) return 'Gemm with transA';
  }
  if (node.opType === 'Conv') {
    const group = attribute('group');
    if (group && group.type === 'int' && group.value !== 1) return 'a grouped convolution';
  }
  return undefined;
}

function attributeSpec(a: OnnxAttribute): AttributeValue {
  switch (a.type) {
    case 'int':
    case 'float':
    case 'string':
    case 'ints':
    case 'floats':
      return { type: a.type, value: a.value } as AttributeValue;
    default:
      throw new Error(`attribute ${a.name} cannot be copied`);
  }
}

function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

function tensor(name: string, values: Float32Array, dims: number[], half: boolean): TensorSpec {
  const data = half ? toFloat16Array(values) : values;
  return { name, type: half ? 'float16' : 'float32', dims, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

/** Replaces each adapted node by itself plus its branches (several LoRAs on one node: several branches). */
export function addLoraBranches(graph: EditableGraph, branches: readonly LoraBranch[]): void {
  const byNode = new Map<string, LoraBranch[]>();
  for (const b of branches) byNode.set(b.target.node, [...(byNode.get(b.target.node) ?? []), b]);
  for (const [name, list] of byNode) {
    const node = graph.model.graph.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`${graph.model.file}: no node named ${name}`);
    const attributes = Object.fromEntries(node.attributes.map((a) => [a.name, attributeSpec(a)]));
    const x = node.inputs[0];
    const y = node.outputs[0];
    const base = `${name}/lora/base`;
    const nodes: NodeSpec[] = [{ opType: node.opType, inputs: node.inputs, outputs: [base, ...node.outputs.slice(1)], name, domain: node.domain, attributes }];
    let sum = base;
    list.forEach(({ target, factors }, i) => {
      const half = target.weight.type === 'float16';
      const prefix = `${name}/lora/${i}`;
      let branch: string;
      if (node.opType === 'Conv') {
        const kernel = factors.shape.length === 4 ? factors.shape.slice(2) : [1, 1];
        const inFeatures = factors.shape[1];
        graph.addInitializer(tensor(`${prefix}/down`, factors.down, [factors.rank, inFeatures, ...kernel], half));
        graph.addInitializer(tensor(`${prefix}/up`, factors.up, [factors.out, factors.rank, 1, 1], half));
        const convAttributes = Object.fromEntries(
          Object.entries(attributes).filter(([k]) => ['strides', 'pads', 'dilations', 'auto_pad'].includes(k)),
        );
        nodes.push({ opType: 'Conv', inputs: [x, `${prefix}/down`], outputs: [`${prefix}/hidden`], name: `${prefix}/down_conv`, attributes: { ...convAttributes, kernel_shape: { type: 'ints', value: kernel } } });
        nodes.push({ opType: 'Conv', inputs: [`${prefix}/hidden`, `${prefix}/up`], outputs: [`${prefix}/out`], name: `${prefix}/up_conv`, attributes: { kernel_shape: { type: 'ints', value: [1, 1] } } });
        branch = `${prefix}/out`;
      } else {
        const alpha = node.attributes.find((a) => a.name === 'alpha');
        const gemmAlpha = node.opType === 'Gemm' && alpha && alpha.type === 'float' ? alpha.value : 1;
        const up = gemmAlpha === 1 ? factors.up : factors.up.map((v) => v * gemmAlpha);
        graph.addInitializer(tensor(`${prefix}/down`, transpose(factors.down, factors.rank, factors.inner), [factors.inner, factors.rank], half));
        graph.addInitializer(tensor(`${prefix}/up`, transpose(up, factors.out, factors.rank), [factors.rank, factors.out], half));
        nodes.push({ opType: 'MatMul', inputs: [x, `${prefix}/down`], outputs: [`${prefix}/hidden`], name: `${prefix}/down_matmul` });
        nodes.push({ opType: 'MatMul', inputs: [`${prefix}/hidden`, `${prefix}/up`], outputs: [`${prefix}/out`], name: `${prefix}/up_matmul` });
        branch = `${prefix}/out`;
      }
      const next = i === list.length - 1 ? y : `${prefix}/sum`;
      nodes.push({ opType: 'Add', inputs: [sum, branch], outputs: [next], name: `${prefix}/add` });
      sum = next;
    });
    graph.replaceNode(name, nodes);
  }
}
