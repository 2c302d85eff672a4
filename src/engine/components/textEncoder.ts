// CLIP text encoder (transformers CLIPTextModel as diffusers exports it): input_ids int32 or int64 [batch, sequence] → last_hidden_state
// [batch, sequence, hidden] (or `text_embeddings` in ORT demo engines).
import { intTensor, toFloat32, type OnnxSession, type OrtTensor } from '../runtime/ort';
import { mismatch, textEncoderShape, type Dim } from './componentShapes';

const COMPONENT = 'text_encoder';

export class TextEncoder {
  readonly idsType: 'int32' | 'int64';
  readonly batch: Dim;
  readonly sequenceLength: Dim;
  readonly hiddenSize: Dim;
  private readonly idsName: string;
  private readonly outputName: string;

  constructor(
    readonly session: OnnxSession,
    readonly component = COMPONENT,
  ) {
    const shape = textEncoderShape(session, component);
    this.idsType = shape.idsType;
    this.idsName = shape.idsName;
    this.outputName = shape.outputName;
    this.batch = shape.batch;
    this.sequenceLength = shape.sequenceLength;
    this.hiddenSize = shape.hiddenSize;
  }

  get outputTensorName(): string {
    return this.outputName;
  }

  /** Encodes padded id rows; returns one [sequence × hidden] Float32Array per row. */
  async encode(rows: readonly number[][]): Promise<{ embeddings: Float32Array[]; sequenceLength: number; hiddenSize: number }> {
    const sequenceLength = rows[0].length;
    const embeddings: Float32Array[] = [];
    let hiddenSize = 0;
    for await (const { out, count } of this.runChunks(rows, [this.outputName], COMPONENT)) {
      const tensor = out[this.outputName];
      hiddenSize = Number(tensor.dims[2]);
      const data = toFloat32(tensor);
      const rowSize = sequenceLength * hiddenSize;
      for (let i = 0; i < count; i++) embeddings.push(data.slice(i * rowSize, (i + 1) * rowSize));
    }
    return { embeddings, sequenceLength, hiddenSize };
  }

  /** The graph's output names (e.g. `last_hidden_state`, `hidden_states.0` … `hidden_states.12`). */
  get outputNames(): string[] {
    return this.session.outputs.map((o) => o.name);
  }

  /**
   * Encodes padded id rows and returns the named outputs, each [rows × sequence × hidden] as one Float32Array in row
   * order (for clip skip: a hidden-states layer, and what recovers the final layer norm).
   */
  async encodeOutputs(rows: readonly number[][], outputNames: readonly string[]): Promise<{ outputs: Record<string, Float32Array>; sequenceLength: number; hiddenSize: number }> {
    const sequenceLength = rows[0].length;
    const parts: Record<string, Float32Array[]> = Object.fromEntries(outputNames.map((name) => [name, []]));
    let hiddenSize = 0;
    for await (const { out, count } of this.runChunks(rows, outputNames, COMPONENT)) {
      for (const name of outputNames) {
        const tensor = out[name];
        if (tensor === undefined || tensor.dims.length !== 3) throw mismatch(COMPONENT, `the output ${name} is not [batch, sequence, hidden].`);
        hiddenSize = Number(tensor.dims[2]);
        parts[name].push(toFloat32(tensor).slice(0, count * sequenceLength * hiddenSize));
      }
    }
    const outputs: Record<string, Float32Array> = {};
    for (const name of outputNames) outputs[name] = concatenate(parts[name], rows.length * sequenceLength * hiddenSize);
    return { outputs, sequenceLength, hiddenSize };
  }

  /**
   * Encodes padded id rows and returns the named outputs of any rank ([rows, …]), each one Float32Array in row order
   * with its per-row size (SDXL: a [sequence × hidden] hidden state and the [projection] pooled vector).
   */
  async encodeNamed(rows: readonly (readonly number[])[], outputNames: readonly string[]): Promise<Record<string, { data: Float32Array; itemSize: number; itemDims: number[] }>> {
    const parts: Record<string, Float32Array[]> = Object.fromEntries(outputNames.map((name) => [name, []]));
    const itemDims: Record<string, number[]> = {};
    for await (const { out, count } of this.runChunks(rows, outputNames, this.component)) {
      for (const name of outputNames) {
        const tensor = out[name];
        if (tensor === undefined || tensor.dims.length < 2) throw mismatch(this.component, `the output ${name} is not [batch, …].`);
        itemDims[name] = tensor.dims.slice(1).map(Number);
        const itemSize = itemDims[name].reduce((a, b) => a * b, 1);
        parts[name].push(toFloat32(tensor).slice(0, count * itemSize));
      }
    }
    const result: Record<string, { data: Float32Array; itemSize: number; itemDims: number[] }> = {};
    for (const name of outputNames) {
      const itemSize = itemDims[name].reduce((a, b) => a * b, 1);
      result[name] = { data: concatenate(parts[name], rows.length * itemSize), itemSize, itemDims: itemDims[name] };
    }
    return result;
  }

  /**
   * Runs the graph on padded id rows for `outputNames` and yields each run's outputs with how many of its rows are
   * real: a fixed batch dim runs chunks of that size, the last one padded with its final row. A fixed sequence dim
   * must match the rows' length, else the error names `component`.
   */
  private async *runChunks(rows: readonly (readonly number[])[], outputNames: readonly string[], component: string): AsyncGenerator<{ out: Record<string, OrtTensor>; count: number }> {
    const sequenceLength = rows[0].length;
    if (this.sequenceLength !== 'dynamic' && this.sequenceLength !== sequenceLength) {
      throw mismatch(component, `the graph takes ${this.sequenceLength} tokens but the tokenizer produces ${sequenceLength}.`);
    }
    const chunk = this.batch === 'dynamic' ? rows.length : this.batch;
    for (let start = 0; start < rows.length; start += chunk) {
      const count = Math.min(chunk, rows.length - start);
      const ids: number[] = [];
      for (let i = 0; i < chunk; i++) ids.push(...rows[start + Math.min(i, count - 1)]);
      const out = await this.session.run({ [this.idsName]: intTensor(this.idsType, ids, [chunk, sequenceLength]) }, outputNames);
      yield { out, count };
    }
  }
}

/** The parts one after the other in a Float32Array of `length`. */
function concatenate(parts: readonly Float32Array[], length: number): Float32Array {
  const joined = new Float32Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
