import type { PipelineModel } from '../model/pipelineModel';
import { ClipConditioner } from './clipConditioner';
import type { Conditioner } from './unetConditioning';

/** The conditioner for the loaded model's family (SD 1.x/2.x: one CLIP encoder; SDXL's two encoders go here). */
export function conditionerFor(model: PipelineModel): Conditioner {
  return new ClipConditioner(model.tokenizer, model.textEncoder);
}
