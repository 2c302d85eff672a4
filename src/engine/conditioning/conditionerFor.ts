import type { EmphasisMode } from '../../common/prompt/emphasisMode';
import type { PipelineModel } from '../model/pipelineModel';
import { A1111Conditioner } from './a1111Conditioner';
import type { Conditioner } from './unetConditioning';

/**
 * The conditioner for the loaded model's family. SD 1.x/2.x: one CLIP encoder, prompts read with A1111's syntax
 * (emphasis, BREAK, 75-token chunks; a plain prompt of up to 75 tokens encodes exactly as the plain CLIP path,
 * clipConditioner.ts). A UNet exported with a fixed sequence length takes only as many chunks as fit; the rest is
 * dropped with a warning. SDXL's two encoders go here.
 */
export function conditionerFor(model: PipelineModel, emphasis?: EmphasisMode): Conditioner {
  const sequence = model.unet.hiddenSequence;
  const chunkLength = model.tokenizer.maxLength;
  return new A1111Conditioner(model.tokenizer, model.textEncoder, {
    ...(emphasis ? { emphasis } : {}),
    ...(sequence !== 'dynamic' ? { maxChunks: Math.max(1, Math.floor(sequence / chunkLength)) } : {}),
  });
}
