// CLIP text encoder (transformers CLIPTextModel as diffusers exports it): input_ids int32 or int64 [batch, sequence] → last_hidden_state
// [batch, sequence, hidden] (or `text_embeddings` in ORT demo engines).
import { intTensor, toFloat32, type OnnxSession } from '../runtime/ort';
import { mismatch, textEncoderShape, type Dim } from './componentShapes';

const COMPONENT = 'text_encoder';

export class TextEncoder {
  readonly idsType: 'int32' | 'int64';
  readonly batch: Dim;
  readonly sequenceLength: Dim;
  readonly hiddenSize: Dim;
  private readonly idsName: string;
  private readonly outputName: string;

  constructor(readonly session: OnnxSession) {
    const shape = textEncoderShape(session);
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
    if (this.sequenceLength !== 'dynamic' && this.sequenceLength !== sequenceLength) {
      throw mismatch(COMPONENT, `the graph takes ${this.sequenceLength} tokens but the tokenizer produces ${sequenceLength}.`);
    }
    // A fixed batch dim: run in chunks of that size, padding the last chunk with its final row.
    const chunk = this.batch === 'dynamic' ? rows.length : this.batch;
    const embeddings: Float32Array[] = [];
    let hiddenSize = 0;
    for (let start = 0; start < rows.length; start += chunk) {
      const count = Math.min(chunk, rows.length - start);
      const ids: number[] = [];
      for (let i = 0; i < chunk; i++) ids.push(...rows[start + Math.min(i, count - 1)]);
      const out = await this.session.run({ [this.idsName]: intTensor(this.idsType, ids, [chunk, sequenceLength]) }, [
        this.outputName,
      ]);
      const tensor = out[this.outputName];
      hiddenSize = Number(tensor.dims[2]);
      const data = toFloat32(tensor);
      const rowSize = sequenceLength * hiddenSize;
      for (let i = 0; i < count; i++) embeddings.push(data.slice(i * rowSize, (i + 1) * rowSize));
    }
    return { embeddings, sequenceLength, hiddenSize };
  }
}
