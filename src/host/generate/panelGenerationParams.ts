// From the Generate panel's form to the engine's parameters. Pure: no vscode import (types only).
import type { GenerationParams } from '../jobs/generationService';
import type { GenerateFormValues } from '../../common/protocol/generatePanelProtocol';
import { engineSeed } from './engineSeed';

/**
 * Without width and height the engine generates at the model's native size (or, for img2img, a size from the init
 * image), which it reads from the model itself: the panel never has to know it first.
 */
export function panelGenerationParams(form: GenerateFormValues, initImage: Uint8Array | undefined): GenerationParams {
  const params: GenerationParams = {
    prompt: form.prompt,
    steps: form.steps,
    guidanceScale: form.guidanceScale,
    scheduler: form.scheduler,
    batchCount: form.batchCount,
  };
  if (form.width !== undefined && form.height !== undefined) {
    params.width = form.width;
    params.height = form.height;
  }
  if (form.negativePrompt.trim()) params.negativePrompt = form.negativePrompt;
  if (form.seed !== null) params.seed = engineSeed(form.seed);
  if (form.useInitImage && initImage) {
    params.initImage = initImage;
    params.strength = form.strength;
  }
  return params;
}
