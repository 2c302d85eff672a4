// A small builder over onnxWriter's specs: declare inputs/outputs/initializers, chain ops by value name.
//
//   const g = new GraphBuilder('add');
//   const x = g.addInput('x', 'float32', ['batch', 3]);
//   g.addOutput('y', 'float32', ['batch', 3], g.op1('Add', [x, g.constFloat(1)]));
//   await writeOnnxModel('add.onnx', g.toModel());
//
// Attributes: integers become INT / INTS, other numbers FLOAT / FLOATS, strings STRING. A FLOAT attribute
// whose value happens to be integral must be written floatAttr(1); a tensor attribute tensorAttr(...).

import {
  makeTensor,
  ONNX_DATA_TYPE,
  type AttributeValue,
  type Dim,
  type GraphSpec,
  type ModelSpec,
  type NodeSpec,
  type TensorElemType,
  type TensorSpec,
  type ValueInfoSpec,
} from '../../src/node/onnx/onnxWriter';

export type InitializerData = Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array;

export type AttrInput = number | bigint | string | readonly number[] | AttributeValue;

export interface OpOptions {
  /** Number of outputs (auto-named), or their explicit names. Default 1. */
  outputs?: number | readonly string[];
  name?: string;
  domain?: string;
}

export function floatAttr(value: number): AttributeValue {
  return { type: 'float', value };
}

export function floatsAttr(value: readonly number[]): AttributeValue {
  return { type: 'floats', value };
}

export function tensorAttr(value: TensorSpec): AttributeValue {
  return { type: 'tensor', value };
}

function toAttribute(value: AttrInput): AttributeValue {
  if (typeof value === 'bigint') return { type: 'int', value };
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'int', value } : { type: 'float', value };
  if (typeof value === 'string') return { type: 'string', value };
  if (Array.isArray(value)) {
    const list = value as readonly number[];
    return list.every(Number.isInteger) ? { type: 'ints', value: list } : { type: 'floats', value: list };
  }
  return value as AttributeValue;
}

/** ONNX data type number for Cast's `to` attribute. */
export function onnxType(type: TensorElemType): number {
  return ONNX_DATA_TYPE[type];
}

export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: TensorSpec[] = [];
  private readonly inputs: ValueInfoSpec[] = [];
  private readonly outputs: ValueInfoSpec[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly name = 'graph') {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`GraphBuilder: value name '${name}' is already used`);
    this.names.add(name);
    return name;
  }

  /** An unused value name (not yet claimed). */
  private unusedName(hint: string): string {
    let name: string;
    do name = `${hint}_${this.counter++}`;
    while (this.names.has(name));
    return name;
  }

  private fresh(hint: string): string {
    return this.claim(this.unusedName(hint));
  }

  addInput(name: string, type: TensorElemType, dims: readonly Dim[]): string {
    this.inputs.push({ name: this.claim(name), type, dims: [...dims] });
    return name;
  }

  /**
   * Declares a graph output. With `source` (an existing value of another name) an Identity node copies it to
   * `name`; without it, some op must produce `name` (op(..., { outputs: [name] })).
   */
  addOutput(name: string, type: TensorElemType, dims: readonly Dim[], source?: string): string {
    if (source !== undefined && source !== name) this.op('Identity', [source], {}, { outputs: [name] });
    this.outputs.push({ name, type, dims: [...dims] });
    return name;
  }

  /** Adds an initializer; Uint16Array means float16 bits, Uint8Array uint8 (or pass `type`). */
  addInitializer(name: string, data: InitializerData, dims: readonly number[], type?: TensorElemType): string {
    this.initializers.push(makeTensor(this.claim(name), data, dims, type));
    return name;
  }

  /** Adds a node and returns its output value names. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrInput>> = {}, options: OpOptions = {}): string[] {
    const wanted = options.outputs ?? 1;
    const outputs = typeof wanted === 'number'
      ? Array.from({ length: wanted }, () => this.fresh(opType))
      : wanted.map((n) => this.claim(n));
    const attributes: Record<string, AttributeValue> = {};
    for (const [key, value] of Object.entries(attrs)) attributes[key] = toAttribute(value);
    this.nodes.push({
      opType,
      inputs: [...inputs],
      outputs,
      name: options.name ?? `${opType}_node_${this.nodes.length}`,
      domain: options.domain,
      attributes,
    });
    return outputs;
  }

  /** op() for single-output nodes. */
  op1(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrInput>> = {}, options: OpOptions = {}): string {
    return this.op(opType, inputs, attrs, options)[0];
  }

  /** float32 initializer; a single number without dims is a scalar (shape []). */
  constFloat(values: number | ArrayLike<number>, dims?: readonly number[], name?: string): string {
    const data = typeof values === 'number' ? Float32Array.of(values) : Float32Array.from(values);
    return this.addInitializer(name ?? this.unusedName('const_f32'), data, dims ?? (typeof values === 'number' ? [] : [data.length]));
  }

  /** int64 initializer; a single number without dims is a scalar (shape []). */
  constInt64(values: number | bigint | ArrayLike<number | bigint>, dims?: readonly number[], name?: string): string {
    const list = typeof values === 'number' || typeof values === 'bigint' ? [values] : Array.from(values);
    const data = BigInt64Array.from(list, (v) => BigInt(v));
    return this.addInitializer(name ?? this.unusedName('const_i64'), data, dims ?? (typeof values === 'object' ? [data.length] : []));
  }

  /** Cast to `type` (returns `value` unchanged when `from` already is that type). */
  cast(value: string, to: TensorElemType, from?: TensorElemType): string {
    if (from === to) return value;
    return this.op1('Cast', [value], { to: onnxType(to) });
  }

  toGraph(): GraphSpec {
    return {
      name: this.name,
      nodes: [...this.nodes],
      initializers: [...this.initializers],
      inputs: [...this.inputs],
      outputs: [...this.outputs],
    };
  }

  toModel(options: Omit<ModelSpec, 'graph'> = {}): ModelSpec {
    return { ...options, graph: this.toGraph() };
  }
}
