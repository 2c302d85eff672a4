// A prompt and its negative as one text encoder sees them in AUTOMATIC1111 (stable-diffusion-webui): extra-network
// tags taken out of the prompt (`modules/processing.py` parses only the positive prompts with
// `modules/extra_networks.py` parse_prompts), both tokenised into weighted 77-token chunks (`modules/sd_hijack_clip.py`
// tokenize_line), cut to what a fixed-sequence UNet takes, padded to the same chunk count so classifier-free guidance
// stays one batch, encoded in one encoder batch, weighted per chunk (`modules/sd_emphasis.py`) and concatenated.
// For SDXL call it once per text encoder (each with its own tokenizer and encoder) and join the results with
// concatenateHiddenAxis; the pooled output to use is the second encoder's cond/uncond `pooled`.
import { DEFAULT_EMPHASIS, emphasisInfotextValue, type EmphasisMode } from '../../common/prompt/emphasisMode';
import { padToSameChunkCount } from '../../common/prompt/padToSameChunkCount';
import { parseExtraNetworks, type ExtraNetworkTag } from '../../common/prompt/parseExtraNetworks';
import { tokenizePromptChunks, type PromptChunks } from '../../common/prompt/promptChunks';
import type { PromptTokenizer } from '../../common/prompt/promptTokenizer';
import { truncatePromptChunks } from '../../common/prompt/truncatePromptChunks';
import { encodeWeightedPrompts, type ChunkEncoder, type WeightedPromptEmbedding } from './encodeWeightedPrompts';

export interface PromptPairInput {
  prompt: string;
  /** The negative prompt; null when classifier-free guidance is off (no uncond is encoded). */
  negativePrompt: string | null;
  tokenizer: PromptTokenizer;
  encode: ChunkEncoder;
  /** Default "Original". */
  emphasis?: EmphasisMode;
  /** A1111 comma_padding_backtrack; default 20. */
  commaPaddingBacktrack?: number;
  /** Chunks the UNet's encoder_hidden_states takes when its sequence length is fixed (e.g. 77 → 1); omit for any. */
  maxChunks?: number;
}

export interface PromptPairConditioning {
  cond: WeightedPromptEmbedding;
  uncond: WeightedPromptEmbedding | null;
  /** The prompt's `<lora:…>` (and other extra-network) tags, for the LoRA code to apply. */
  networks: ExtraNetworkTag[];
  /** Truncation and unreadable-tag messages, for the job's warnings. */
  warnings: string[];
  /** The infotext's `Emphasis` value when A1111 would write one. */
  emphasisInfotext?: string;
  /** A1111 token counts (before truncation) of the prompt and the negative prompt. */
  tokenCount: { prompt: number; negativePrompt: number | null };
}

export async function encodePromptPair(input: PromptPairInput): Promise<PromptPairConditioning> {
  const emphasis = input.emphasis ?? DEFAULT_EMPHASIS;
  const options = { emphasis, commaPaddingBacktrack: input.commaPaddingBacktrack };
  const extra = parseExtraNetworks(input.prompt);
  const warnings = [...extra.problems];

  const chunked: Array<{ chunks: PromptChunks; label: string }> = [];
  if (input.negativePrompt !== null) {
    chunked.push({ chunks: tokenizePromptChunks(input.negativePrompt, input.tokenizer, options), label: 'negative prompt' });
  }
  chunked.push({ chunks: tokenizePromptChunks(extra.text, input.tokenizer, options), label: 'prompt' });

  const fitted = chunked.map(({ chunks, label }) => {
    if (input.maxChunks === undefined) return chunks;
    const t = truncatePromptChunks(chunks, input.maxChunks, input.tokenizer, label);
    if (t.warning) warnings.push(t.warning);
    return t.prompt;
  });
  const encoded = await encodeWeightedPrompts(padToSameChunkCount(fitted, input.tokenizer), input.encode, emphasis);

  const hasUncond = input.negativePrompt !== null;
  const emphasisInfotext = emphasisInfotextValue(emphasis, hasUncond ? [input.negativePrompt!, extra.text] : [extra.text]);
  return {
    cond: encoded[encoded.length - 1],
    uncond: hasUncond ? encoded[0] : null,
    networks: extra.networks,
    warnings,
    ...(emphasisInfotext ? { emphasisInfotext } : {}),
    tokenCount: { prompt: chunked[chunked.length - 1].chunks.tokenCount, negativePrompt: hasUncond ? chunked[0].chunks.tokenCount : null },
  };
}
