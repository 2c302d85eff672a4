import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import type { TensorSpec } from '../runtime/ort';

/** A dimension as declared: a fixed number, or 'dynamic' for a symbolic/unknown one. */
export type Dim = number | 'dynamic';

export function dimOf(spec: TensorSpec, index: number): Dim {
  const d = spec.shape[index];
  return typeof d === 'number' && d > 0 ? d : 'dynamic';
}

export function mismatch(component: string, message: string): RpcFailure {
  return new RpcFailure(ErrorCode.ModelMismatch, `${component}: ${message}`);
}

export function requireInput(component: string, inputs: readonly TensorSpec[], names: readonly string[]): TensorSpec {
  const found = inputs.find((i) => names.includes(i.name));
  if (!found) {
    throw mismatch(
      component,
      `expected an input named ${names.map((n) => `"${n}"`).join(' or ')}, the graph has ${describeSpecs(inputs)}.`,
    );
  }
  return found;
}

export function requireOutput(component: string, outputs: readonly TensorSpec[], names: readonly string[]): TensorSpec {
  const found = outputs.find((o) => names.includes(o.name));
  if (!found) {
    throw mismatch(
      component,
      `expected an output named ${names.map((n) => `"${n}"`).join(' or ')}, the graph has ${describeSpecs(outputs)}.`,
    );
  }
  return found;
}

export function requireFloat(component: string, spec: TensorSpec): 'float32' | 'float16' {
  if (spec.type === 'float32' || spec.type === 'float16') return spec.type;
  throw mismatch(component, `"${spec.name}" must be float32 or float16, the graph declares ${spec.type}.`);
}

export function describeSpecs(specs: readonly TensorSpec[]): string {
  return specs.map((s) => `${s.name}: ${s.type}[${s.shape.join(', ')}]`).join('; ') || 'none';
}

/**
 * Runs `total` items through a graph whose batch dim may be fixed: in chunks of the fixed size, padding the
 * last chunk by repeating its final item. `run(start, count, padded)` returns `padded` items of `itemSize` floats.
 */
export async function runInBatches(
  total: number,
  batch: Dim,
  itemSize: number,
  run: (start: number, count: number, padded: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  const chunk = batch === 'dynamic' ? total : batch;
  if (chunk === total) return run(0, total, total);
  const out = new Float32Array(total * itemSize);
  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start);
    const result = await run(start, count, chunk);
    out.set(result.subarray(0, count * itemSize), start * itemSize);
  }
  return out;
}

/** Concatenates `count` items (each `itemSize`) taken from `items` starting at `start`, repeating the last to `padded`. */
export function gatherBatch(items: readonly Float32Array[], start: number, count: number, padded: number): Float32Array {
  const itemSize = items[0].length;
  const out = new Float32Array(padded * itemSize);
  for (let i = 0; i < padded; i++) out.set(items[start + Math.min(i, count - 1)], i * itemSize);
  return out;
}
