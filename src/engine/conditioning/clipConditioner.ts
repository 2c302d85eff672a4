// Stable Diffusion 1.x/2.x conditioning, as diffusers' StableDiffusionPipeline.encode_prompt: CLIP tokens padded or
// truncated to the tokenizer's max length, the text encoder's last hidden state as `encoder_hidden_states`, one
// encoder run for [negative, prompt] when the encoder's batch allows.
import type { ClipTokenizer } from '../tokenizer/clipTokenizer';
import type { TextEncoder } from '../components/textEncoder';
import type { Conditioner, UnetConditioning } from './unetConditioning';

/** The UNet input the text encoder's hidden states feed (diffusers UNet2DConditionModel.forward). */
export const ENCODER_HIDDEN_STATES = 'encoder_hidden_states';

export class ClipConditioner implements Conditioner {
  constructor(
    private readonly tokenizer: ClipTokenizer,
    private readonly textEncoder: TextEncoder,
  ) {}

  async encode(prompt: string, negativePrompt: string, guided: boolean): Promise<UnetConditioning> {
    const warnings: string[] = [];
    const tokenize = (text: string, label: string): number[] => {
      const t = this.tokenizer.encode(text);
      if (t.truncated) {
        warnings.push(
          `The ${label} is ${t.tokenCount} tokens; the model reads ${this.tokenizer.maxLength - 2}. Ignored: "${t.droppedText ?? ''}".`,
        );
      }
      return t.ids;
    };
    const rows = guided ? [tokenize(negativePrompt, 'negative prompt'), tokenize(prompt, 'prompt')] : [tokenize(prompt, 'prompt')];
    const { embeddings, sequenceLength, hiddenSize } = await this.textEncoder.encode(rows);
    return {
      guided,
      inputs: [
        {
          name: ENCODER_HIDDEN_STATES,
          itemShape: [sequenceLength, hiddenSize],
          cond: embeddings[embeddings.length - 1],
          uncond: guided ? embeddings[0] : null,
        },
      ],
      warnings,
    };
  }
}
