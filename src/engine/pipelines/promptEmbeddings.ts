// Prompt → text-encoder embeddings, as diffusers' _encode_prompt: CLIP tokens padded/truncated to the
// tokenizer's max length, one encoder run for [negative, prompt] when the encoder batch allows.
import type { PipelineModel } from '../model/pipelineModel';

export interface PromptEmbeddings {
  /** sequenceLength × hiddenSize for the prompt. */
  cond: Float32Array;
  /** The same for the negative prompt; null when classifier-free guidance is off. */
  uncond: Float32Array | null;
  sequenceLength: number;
  hiddenSize: number;
  warnings: string[];
}

export async function encodePrompts(
  model: PipelineModel,
  prompt: string,
  negativePrompt: string,
  withUncond: boolean,
): Promise<PromptEmbeddings> {
  const warnings: string[] = [];
  const tokenize = (text: string, label: string): number[] => {
    const t = model.tokenizer.encode(text);
    if (t.truncated) {
      warnings.push(
        `The ${label} is ${t.tokenCount} tokens; the model reads ${model.tokenizer.maxLength - 2}. Ignored: "${t.droppedText ?? ''}".`,
      );
    }
    return t.ids;
  };
  const rows = withUncond ? [tokenize(negativePrompt, 'negative prompt'), tokenize(prompt, 'prompt')] : [tokenize(prompt, 'prompt')];
  const { embeddings, sequenceLength, hiddenSize } = await model.textEncoder.encode(rows);
  return {
    cond: embeddings[embeddings.length - 1],
    uncond: withUncond ? embeddings[0] : null,
    sequenceLength,
    hiddenSize,
    warnings,
  };
}
