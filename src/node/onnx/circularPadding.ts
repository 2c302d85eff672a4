// Seamless tiling as a load-time graph edit: every 2-D Conv with padding pads circularly along the chosen axes.
//
// A1111 `modules/sd_hijack.py` apply_circular sets `padding_mode = 'circular'` on every torch.nn.Conv2d of the
// model; torch then pads the input with F.pad(mode='circular') and runs the conv with padding 0 (torch
// `nn/modules/conv.py` Conv2d._conv_forward). The same in ONNX, on any opset and execution provider: before the
// Conv, the last `begin` and first `end` columns (rows) are concatenated onto the other side —
// Concat(Slice(x, -begin, ∞), x, Slice(x, 0, end)) along W (axis 3) and/or H (axis 2) — and the Conv's own pads
// on those axes become 0. A single axis keeps the Conv's zero padding on the other one, as InvokeAI's seamless_x /
// seamless_y do (F.pad circular on one axis, constant on the other). ONNX Pad mode="wrap" would need opset 19.
//
// Convs in an NHWC layout (com.microsoft NhwcConv, ORT-optimised graphs) are not touched: they are not Conv ops.
import type { OnnxAttribute, OnnxModel, OnnxNode } from './onnxModel';
import { defaultOpset } from './onnxModel';
import type { EditableGraph, GraphEdit } from './graphEdit';
import { makeTensor, type AttributeValue, type NodeSpec } from './onnxWriter';
import type { TilingMode } from '../../common/tilingMode';
import { tilingAxes } from '../../common/tilingMode';

/** Bumped when the rewrite changes, so graphs cached with an older one are rebuilt. */
const EDIT_VERSION = 1;
/** ONNX NCHW: H is axis 2, W axis 3; Conv pads are [h_begin, w_begin, h_end, w_end] (onnx Operators.md Conv). */
const H_AXIS = 2;
const W_AXIS = 3;
/** Slice's end "to the end of the axis" (onnx Operators.md Slice: INT_MAX clamps to the dimension). */
const SLICE_TO_END = 9223372036854775807n;
/** Slice takes starts/ends/axes as inputs from opset 10 (attributes before). */
const SLICE_INPUTS_OPSET = 10;
const PREFIX = 'circular_padding';

/** The edit that makes padded convolutions circular along `mode`'s axes. */
export function circularPadding(mode: TilingMode): GraphEdit {
  return {
    key: `circular-padding/v${EDIT_VERSION}:${mode}`,
    apply: (graph) => applyCircularPadding(graph, mode),
  };
}

/** How many Convs the edit rewrites in a model (0: tiling changes nothing there). */
export function paddedConvCount(model: OnnxModel, mode: TilingMode): number {
  return model.graph.nodes.filter((node) => plan(model, node, mode) !== undefined).length;
}

interface ConvPlan {
  pads: number[];
  /** Axes to wrap, with their begin/end pads. */
  wraps: { axis: number; begin: number; end: number }[];
}

function isConv(node: OnnxNode): boolean {
  return node.opType === 'Conv' && (node.domain === '' || node.domain === 'ai.onnx');
}

function plan(model: OnnxModel, node: OnnxNode, mode: TilingMode): ConvPlan | undefined {
  if (!isConv(node)) return undefined;
  const pads = node.attributes.find((a) => a.name === 'pads');
  const autoPad = node.attributes.find((a) => a.name === 'auto_pad');
  if (autoPad?.type === 'string' && autoPad.value !== 'NOTSET' && autoPad.value !== 'VALID') {
    throw new Error(`${model.file}: Conv ${node.name} uses auto_pad=${autoPad.value}; seamless tiling needs explicit pads`);
  }
  if (pads?.type !== 'ints' || pads.value.length !== 4) return undefined; // no padding, or not a 2-D conv
  const [hBegin, wBegin, hEnd, wEnd] = pads.value;
  const axes = tilingAxes(mode);
  const wraps: ConvPlan['wraps'] = [];
  // Width first, then height: the corners then come from the diagonally opposite corner, as torch's circular pad.
  if (axes.x && (wBegin > 0 || wEnd > 0)) wraps.push({ axis: W_AXIS, begin: wBegin, end: wEnd });
  if (axes.y && (hBegin > 0 || hEnd > 0)) wraps.push({ axis: H_AXIS, begin: hBegin, end: hEnd });
  if (wraps.length === 0) return undefined;
  return { pads: [...pads.value], wraps };
}

function applyCircularPadding(graph: EditableGraph, mode: TilingMode): void {
  const model = graph.model;
  const slicesAsInputs = (defaultOpset(model) ?? SLICE_INPUTS_OPSET) >= SLICE_INPUTS_OPSET;
  const names = new Map<string, number>();
  for (const node of model.graph.nodes) names.set(node.name, (names.get(node.name) ?? 0) + 1);
  const constants = new Set<string>();
  const constant = (value: bigint): string => {
    const name = `${PREFIX}/${value === SLICE_TO_END ? 'end' : value.toString()}`;
    if (!constants.has(name)) {
      constants.add(name);
      graph.addInitializer(makeTensor(name, BigInt64Array.of(value), [1]));
    }
    return name;
  };
  for (const node of model.graph.nodes) {
    const conv = plan(model, node, mode);
    if (!conv) continue;
    if (node.name === '' || names.get(node.name) !== 1) {
      throw new Error(`${model.file}: a padded Conv has ${node.name === '' ? 'no name' : `the name ${node.name} twice`}; seamless tiling needs named nodes`);
    }
    const nodes: NodeSpec[] = [];
    let input = node.inputs[0];
    const pads = [...conv.pads];
    for (const { axis, begin, end } of conv.wraps) {
      const base = `${node.name}/${PREFIX}/axis${axis}`;
      const slice = (suffix: string, start: bigint, stop: bigint): string => {
        const output = `${base}/${suffix}`;
        nodes.push(
          slicesAsInputs
            ? { opType: 'Slice', name: output, inputs: [input, constant(start), constant(stop), constant(BigInt(axis))], outputs: [output] }
            : {
                opType: 'Slice',
                name: output,
                inputs: [input],
                outputs: [output],
                attributes: { starts: ints([start]), ends: ints([stop]), axes: ints([BigInt(axis)]) },
              },
        );
        return output;
      };
      const parts = [
        ...(begin > 0 ? [slice('before', BigInt(-begin), SLICE_TO_END)] : []),
        input,
        ...(end > 0 ? [slice('after', 0n, BigInt(end))] : []),
      ];
      const output = `${base}/wrapped`;
      nodes.push({ opType: 'Concat', name: output, inputs: parts, outputs: [output], attributes: { axis: { type: 'int', value: axis } } });
      input = output;
      // pads = [h_begin, w_begin, h_end, w_end]
      const at = axis === H_AXIS ? 0 : 1;
      pads[at] = 0;
      pads[at + 2] = 0;
    }
    const attributes: Record<string, AttributeValue> = {};
    for (const attribute of node.attributes) attributes[attribute.name] = attributeSpec(model, node, attribute);
    attributes.pads = { type: 'ints', value: pads };
    nodes.push({ opType: node.opType, name: node.name, domain: node.domain, inputs: [input, ...node.inputs.slice(1)], outputs: node.outputs, attributes });
    graph.replaceNode(node.name, nodes);
  }
}

function ints(value: readonly bigint[]): AttributeValue {
  return { type: 'ints', value };
}

/** A Conv attribute as the writer takes it (a Conv has only ints, int and string attributes). */
function attributeSpec(model: OnnxModel, node: OnnxNode, attribute: OnnxAttribute): AttributeValue {
  switch (attribute.type) {
    case 'int':
    case 'float':
    case 'string':
    case 'ints':
    case 'floats':
      return { type: attribute.type, value: attribute.value } as AttributeValue;
    default:
      throw new Error(`${model.file}: Conv ${node.name} has a ${attribute.type} attribute ${attribute.name} that cannot be copied`);
  }
}
