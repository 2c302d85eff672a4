// A1111 prompt syntax behind the same Conditioner interface as the plain CLIP one: emphasis `(word:1.2)`, BREAK and
// prompts longer than 75 tokens as weighted, concatenated 77-token chunks (src/engine/prompt/encodePromptPair.ts,
// after stable-diffusion-webui `modules/sd_hijack_clip.py`). The pipelines do not change: the chunks simply make a
// longer `encoder_hidden_states` (77·k tokens), cond and uncond padded to the same count so CFG stays one batch.
// Clip skip (A1111 encode_with_transformers) reads another text-encoder output when the conditioner is given one
// (src/engine/prompt/clipSkip.ts; conditionerFor.ts decides from the model's outputs).
import type { EmphasisMode } from '../../common/prompt/emphasisMode';
import type { TextEncoder } from '../components/textEncoder';
import { clipPromptTokenizer } from '../prompt/clipPromptTokenizer';
import { clipSkipHidden, type ClipSkipSelection } from '../prompt/clipSkip';
import { encodePromptPair } from '../prompt/encodePromptPair';
import type { ChunkEncoder } from '../prompt/encodeWeightedPrompts';
import type { ClipTokenizer } from '../tokenizer/clipTokenizer';
import { ENCODER_HIDDEN_STATES, type Conditioner, type ConditioningInfotext, type UnetConditioning } from './unetConditioning';

/** Which hidden state to condition on instead of the encoder's usual output (A1111 "Clip skip: N"). */
export interface ClipSkipEncoding {
  /** The N of "Clip skip: N", for the infotext. */
  clipSkip: number;
  selection: Extract<ClipSkipSelection, { available: true }>;
  /** The text encoder's config layer_norm_eps, for the final layer norm. */
  layerNormEps: number;
}

export interface A1111ConditionerOptions {
  emphasis?: EmphasisMode;
  /** Chunks the UNet takes when its sequence length is fixed; omit for any. */
  maxChunks?: number;
  /** Absent: the encoder's usual output (clip skip 1). */
  clipSkip?: ClipSkipEncoding;
}

export class A1111Conditioner implements Conditioner {
  constructor(
    private readonly tokenizer: ClipTokenizer,
    private readonly textEncoder: TextEncoder,
    private readonly options: A1111ConditionerOptions = {},
  ) {}

  async encode(prompt: string, negativePrompt: string, guided: boolean): Promise<UnetConditioning> {
    const warnings: string[] = [];
    const pair = await encodePromptPair({
      prompt,
      negativePrompt: guided ? negativePrompt : null,
      tokenizer: clipPromptTokenizer(this.tokenizer),
      encode: this.options.clipSkip ? this.clipSkipEncoder(this.options.clipSkip, warnings) : this.lastHiddenStateEncoder(),
      ...(this.options.emphasis ? { emphasis: this.options.emphasis } : {}),
      ...(this.options.maxChunks !== undefined ? { maxChunks: this.options.maxChunks } : {}),
    });
    const { cond, uncond } = pair;
    const applied = this.options.clipSkip && !warnings.length ? this.options.clipSkip.clipSkip : undefined;
    const infotext: ConditioningInfotext = {
      ...(applied !== undefined ? { clipSkip: applied } : {}),
      ...(pair.emphasisInfotext ? { emphasis: pair.emphasisInfotext } : {}),
    };
    return {
      guided,
      inputs: [{ name: ENCODER_HIDDEN_STATES, itemShape: [cond.sequenceLength, cond.hiddenSize], cond: cond.hidden, uncond: uncond?.hidden ?? null }],
      warnings: [...pair.warnings, ...warnings],
      ...(Object.keys(infotext).length ? { infotext } : {}),
    };
  }

  private lastHiddenStateEncoder(): ChunkEncoder {
    return async (rows) => (await this.textEncoder.encode(rows.map((r) => [...r]))).embeddings.map((hidden) => ({ hidden }));
  }

  /**
   * hidden_states[-N] (through the final layer norm for SD 1.x), all rows in one run so every token is a point for
   * the norm's fit. Where the norm cannot be recovered, the usual output with a warning (and no `Clip skip` in the
   * infotext: it describes what was done).
   */
  private clipSkipEncoder(encoding: ClipSkipEncoding, warnings: string[]): ChunkEncoder {
    return async (rows) => {
      const { selection } = encoding;
      const names = [...new Set([selection.outputName, ...selection.alsoFetch])];
      const { outputs, sequenceLength, hiddenSize } = await this.textEncoder.encodeOutputs(rows.map((r) => [...r]), names);
      const skipped = clipSkipHidden(selection, outputs, hiddenSize, encoding.layerNormEps);
      if (skipped === undefined) {
        warnings.push(
          `Clip skip ${encoding.clipSkip} was not applied: this text encoder's last_hidden_state is not a layer norm of its last hidden_states output, so the final layer norm could not be recovered.`,
        );
        return this.lastHiddenStateEncoder()(rows);
      }
      const rowSize = sequenceLength * hiddenSize;
      return rows.map((_, i) => ({ hidden: skipped.slice(i * rowSize, (i + 1) * rowSize) }));
    };
  }
}
