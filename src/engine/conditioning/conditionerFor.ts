import type { EmphasisMode } from '../../common/prompt/emphasisMode';
import type { PipelineModel } from '../model/pipelineModel';
import { A1111Conditioner } from './a1111Conditioner';
import { clipSkipFor } from './clipSkipFor';
import { SdxlConditioner } from './sdxlConditioner';
import type { SdxlSizeConditioning } from './sdxlTimeIds';
import type { Conditioner, UnetConditioning } from './unetConditioning';

export interface ConditionerChoice {
  emphasis?: EmphasisMode;
  /** A1111 "Clip skip"; 1 or absent = the encoder's usual output. */
  clipSkip?: number;
  /** The generated size: SDXL's time_ids. */
  size?: SdxlSizeConditioning;
}

/**
 * The conditioner for the loaded model's family. SD 1.x/2.x: one CLIP encoder, prompts read with A1111's syntax
 * (emphasis, BREAK, 75-token chunks; a plain prompt of up to 75 tokens encodes exactly as the plain CLIP path,
 * diffusers' encode_prompt, test/fixtures/plainClipConditioner.ts). A UNet exported with a fixed sequence length takes only as many chunks as fit; the rest is
 * dropped with a warning. Clip skip where the text encoder exposes its hidden states (clipSkipFor.ts), else a
 * warning. SDXL: both encoders' penultimate states, the pooled text_embeds and time_ids (sdxlConditioner.ts).
 */
export function conditionerFor(model: PipelineModel, choice: ConditionerChoice = {}): Conditioner {
  const sequence = model.unet.hiddenSequence;
  const chunkLength = model.tokenizer.maxLength;
  if (model.sdxl) {
    const added = model.unet.addedCond;
    const size = choice.size ?? { width: model.info.nativeWidth, height: model.info.nativeHeight };
    const conditioner = new SdxlConditioner(model.tokenizer, model.textEncoder, model.sdxl, {
      size,
      ...(choice.emphasis ? { emphasis: choice.emphasis } : {}),
      ...(sequence !== 'dynamic' ? { maxChunks: Math.max(1, Math.floor(sequence / chunkLength)) } : {}),
      ...(added ? { textEmbedsName: added.textEmbeds.name, timeIdsName: added.timeIds.name } : {}),
    });
    const clipSkip = choice.clipSkip ?? 1;
    return clipSkip <= 1
      ? conditioner
      : withWarning(conditioner, `Clip skip ${clipSkip} is ignored for SDXL models: they always condition on the penultimate layer of both text encoders.`);
  }
  const clipSkip = clipSkipFor(model, choice.clipSkip ?? 1);
  const conditioner = new A1111Conditioner(model.tokenizer, model.textEncoder, {
    ...(choice.emphasis ? { emphasis: choice.emphasis } : {}),
    ...(sequence !== 'dynamic' ? { maxChunks: Math.max(1, Math.floor(sequence / chunkLength)) } : {}),
    ...(clipSkip.encoding ? { clipSkip: clipSkip.encoding } : {}),
  });
  return clipSkip.warning === undefined ? conditioner : withWarning(conditioner, clipSkip.warning);
}

function withWarning(conditioner: Conditioner, warning: string): Conditioner {
  return {
    async encode(prompt, negativePrompt, guided): Promise<UnetConditioning> {
      const conditioning = await conditioner.encode(prompt, negativePrompt, guided);
      return { ...conditioning, warnings: [warning, ...conditioning.warnings] };
    },
  };
}
