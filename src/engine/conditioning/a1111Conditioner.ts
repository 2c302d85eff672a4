// A1111 prompt syntax behind the same Conditioner interface as the plain CLIP one: emphasis `(word:1.2)`, BREAK and
// prompts longer than 75 tokens as weighted, concatenated 77-token chunks (src/engine/prompt/encodePromptPair.ts,
// after stable-diffusion-webui `modules/sd_hijack_clip.py`). The pipelines do not change: the chunks simply make a
// longer `encoder_hidden_states` (77·k tokens), cond and uncond padded to the same count so CFG stays one batch.
// conditionerFor.ts chooses it once generation reads A1111 syntax (the prompt-syntax issue).
import type { EmphasisMode } from '../../common/prompt/emphasisMode';
import type { TextEncoder } from '../components/textEncoder';
import { clipPromptTokenizer } from '../prompt/clipPromptTokenizer';
import { encodePromptPair } from '../prompt/encodePromptPair';
import type { ClipTokenizer } from '../tokenizer/clipTokenizer';
import { ENCODER_HIDDEN_STATES } from './clipConditioner';
import type { Conditioner, UnetConditioning } from './unetConditioning';

export class A1111Conditioner implements Conditioner {
  constructor(
    private readonly tokenizer: ClipTokenizer,
    private readonly textEncoder: TextEncoder,
    private readonly options: { emphasis?: EmphasisMode; maxChunks?: number } = {},
  ) {}

  async encode(prompt: string, negativePrompt: string, guided: boolean): Promise<UnetConditioning> {
    const pair = await encodePromptPair({
      prompt,
      negativePrompt: guided ? negativePrompt : null,
      tokenizer: clipPromptTokenizer(this.tokenizer),
      encode: async (rows) => (await this.textEncoder.encode(rows.map((r) => [...r]))).embeddings.map((hidden) => ({ hidden })),
      ...(this.options.emphasis ? { emphasis: this.options.emphasis } : {}),
      ...(this.options.maxChunks !== undefined ? { maxChunks: this.options.maxChunks } : {}),
    });
    const { cond, uncond } = pair;
    return {
      guided,
      inputs: [{ name: ENCODER_HIDDEN_STATES, itemShape: [cond.sequenceLength, cond.hiddenSize], cond: cond.hidden, uncond: uncond?.hidden ?? null }],
      warnings: pair.warnings,
    };
  }
}
