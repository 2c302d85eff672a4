// Weighted, chunked prompts → text-encoder hidden states, as stable-diffusion-webui `modules/sd_hijack_clip.py`
// forward / process_tokens: every 77-token chunk is encoded alone, weighted by the emphasis mode
// (`modules/sd_emphasis.py`), and the chunks are concatenated on the sequence axis (torch.hstack(zs)); the pooled
// output (SDXL's text_embeds) is the first chunk's (zs[0].pooled), taken before the weights, unweighted.
import type { EmphasisMode } from '../../common/prompt/emphasisMode';
import type { PromptChunks } from '../../common/prompt/promptChunks';
import { applyEmphasis } from './applyEmphasis';

/** One encoded row: hidden states [row length × hiddenSize], and the pooled vector when the encoder has one. */
export interface EncodedChunk {
  hidden: Float32Array;
  pooled?: Float32Array;
}

/** Encodes a batch of id rows (each one chunk, e.g. 77 ids) → one EncodedChunk per row, in order. */
export type ChunkEncoder = (rows: readonly (readonly number[])[]) => Promise<EncodedChunk[]>;

export interface WeightedPromptEmbedding {
  /** [sequenceLength × hiddenSize]: the weighted chunks one after another. */
  hidden: Float32Array;
  /** chunks × row length (77 × k). */
  sequenceLength: number;
  hiddenSize: number;
  /** The first chunk's pooled output, when the encoder returns one. */
  pooled?: Float32Array;
}

/**
 * Encodes every chunk of every prompt in one call to `encode` (so a negative and a positive prompt share one
 * encoder batch), then weights and concatenates each prompt's chunks. Returns one embedding per prompt, in order.
 */
export async function encodeWeightedPrompts(
  prompts: readonly PromptChunks[],
  encode: ChunkEncoder,
  emphasis: EmphasisMode,
): Promise<WeightedPromptEmbedding[]> {
  const rows = prompts.flatMap((p) => p.chunks.map((c) => c.ids));
  if (rows.length === 0) return [];
  const rowLength = rows[0].length;
  if (rows.some((r) => r.length !== rowLength)) throw new Error('Prompt chunks of different lengths cannot be encoded together.');
  const encoded = await encode(rows);
  if (encoded.length !== rows.length) throw new Error(`The text encoder returned ${encoded.length} rows for ${rows.length} prompt chunks.`);
  const hiddenSize = encoded[0].hidden.length / rowLength;
  if (!Number.isInteger(hiddenSize) || hiddenSize < 1 || encoded.some((e) => e.hidden.length !== rowLength * hiddenSize)) {
    throw new Error(`The text encoder's hidden states do not fit rows of ${rowLength} tokens.`);
  }

  const results: WeightedPromptEmbedding[] = [];
  let row = 0;
  for (const prompt of prompts) {
    const sequenceLength = prompt.chunks.length * rowLength;
    const hidden = new Float32Array(sequenceLength * hiddenSize);
    prompt.chunks.forEach((chunk, i) => {
      hidden.set(applyEmphasis(encoded[row + i].hidden, chunk.weights, hiddenSize, emphasis), i * rowLength * hiddenSize);
    });
    const pooled = prompt.chunks.length > 0 ? encoded[row].pooled : undefined;
    results.push({ hidden, sequenceLength, hiddenSize, ...(pooled ? { pooled: pooled.slice() } : {}) });
    row += prompt.chunks.length;
  }
  return results;
}

/**
 * Embeddings of the same sequence length side by side on the hidden axis, e.g. SDXL's CLIP-L (768) and OpenCLIP
 * bigG (1280) → 2048 (Stability-AI generative-models `sgm/modules/encoders/modules.py` GeneralConditioner.forward,
 * which A1111's `modules/sd_models_xl.py` get_learned_conditioning calls: the embedders' crossattn outputs are
 * concatenated on the last dim).
 */
export function concatenateHiddenAxis(parts: readonly WeightedPromptEmbedding[]): { hidden: Float32Array; sequenceLength: number; hiddenSize: number } {
  if (parts.length === 0) throw new Error('Nothing to concatenate.');
  const sequenceLength = parts[0].sequenceLength;
  if (parts.some((p) => p.sequenceLength !== sequenceLength)) {
    throw new Error(`Text encoders gave ${parts.map((p) => p.sequenceLength).join(' and ')} tokens; they must match.`);
  }
  const hiddenSize = parts.reduce((s, p) => s + p.hiddenSize, 0);
  const hidden = new Float32Array(sequenceLength * hiddenSize);
  for (let t = 0; t < sequenceLength; t++) {
    let offset = t * hiddenSize;
    for (const p of parts) {
      hidden.set(p.hidden.subarray(t * p.hiddenSize, (t + 1) * p.hiddenSize), offset);
      offset += p.hiddenSize;
    }
  }
  return { hidden, sequenceLength, hiddenSize };
}
