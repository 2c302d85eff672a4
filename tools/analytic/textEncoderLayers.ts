// The analytic text encoder exported with its hidden states (AnalyticModelOptions.textEncoderLayers = L), for clip
// skip: outputs `hidden_states.0` … `hidden_states.L` and last_hidden_state = final_layer_norm(hidden_states.L), as
// transformers' CLIPTextModel with output_hidden_states and optimum's names (huggingface/optimum
// `optimum/exporters/onnx/model_configs.py` CLIPTextOnnxConfig). Rows stay readable in closed form:
//   every layer below L: a concept word's row is +1 on its concept and −1 on the spare (last, unused) dimension;
//   layer L: the same, except MIXED_WORD's row is also +1 on MIXED_INTO's dimension (−2 on the spare);
//   final layer norm: scale 1, bias SPARE_BIAS on the spare dimension only, eps LAYER_NORM_EPS.
// So with clip skip 1 (last_hidden_state) "red" reads as red and green at once; with clip skip 2 (hidden_states.L−1
// through the same norm) as red alone. Filler and special tokens are zero rows in every layer (the norm maps them to
// the spare bias). The bias keeps each chunk's mean away from zero, as real CLIP states are, so A1111's
// mean-restoring emphasis stays defined.
import { concepts, EMBEDDING_DIM } from './concepts';
import { analyticVocabulary } from './tokenizerFiles';

export const MIXED_WORD = 'red';
export const MIXED_INTO = 'green';
/** The final layer norm's bias on the spare dimension. */
export const SPARE_BIAS = 0.25;
/** transformers CLIPTextConfig's default layer_norm_eps (written to text_encoder/config.json). */
export const LAYER_NORM_EPS = 1e-5;
export const SPARE_DIM = EMBEDDING_DIM - 1;

const f = Math.fround;

/** The embedding table [vocab, D] of hidden_states.k: `last` for k = L, else every layer below it. */
export function layerEmbedding(last: boolean): Float32Array {
  const vocabulary = analyticVocabulary();
  const table = new Float32Array(vocabulary.vocab.size * EMBEDDING_DIM);
  const mixedInto = concepts.findIndex((c) => c.word === MIXED_INTO);
  concepts.forEach((concept, dim) => {
    const id = vocabulary.vocab.get(concept.word + '</w>');
    if (id === undefined) throw new Error(`analytic layers: '${concept.word}' is not a token`);
    const row = id * EMBEDDING_DIM;
    table[row + dim] = 1;
    table[row + SPARE_DIM] = -1;
    if (last && concept.word === MIXED_WORD) {
      table[row + mixedInto] = 1;
      table[row + SPARE_DIM] = -2;
    }
  });
  return table;
}

/** The final layer norm's scale and bias [D]. */
export function finalNormParams(): { scale: Float32Array; bias: Float32Array } {
  const bias = new Float32Array(EMBEDDING_DIM);
  bias[SPARE_DIM] = SPARE_BIAS;
  return { scale: new Float32Array(EMBEDDING_DIM).fill(1), bias };
}

/** ONNX LayerNormalization over the last axis of rows [n·D] (scale 1, the spare bias), in float32. */
export function finalLayerNorm(rows: Float32Array): Float32Array {
  const { scale, bias } = finalNormParams();
  const out = new Float32Array(rows.length);
  for (let start = 0; start < rows.length; start += EMBEDDING_DIM) {
    let sum = 0;
    for (let c = 0; c < EMBEDDING_DIM; c++) sum = f(sum + rows[start + c]);
    const mean = f(sum / EMBEDDING_DIM);
    let sq = 0;
    for (let c = 0; c < EMBEDDING_DIM; c++) sq = f(sq + f(f(rows[start + c] - mean) ** 2));
    const inv = f(1 / f(Math.sqrt(f(f(sq / EMBEDDING_DIM) + LAYER_NORM_EPS))));
    for (let c = 0; c < EMBEDDING_DIM; c++) out[start + c] = f(f(f(f(rows[start + c] - mean) * inv) * scale[c]) + bias[c]);
  }
  return out;
}
