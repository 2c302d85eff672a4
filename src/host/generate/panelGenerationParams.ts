// From the Generate panel's form to the engine's parameters. Pure: no vscode import (types only).
import type { GenerationParams } from '../jobs/generationService';
import type { GenerateFormValues } from '../../common/protocol/generatePanelProtocol';
import { engineSeed } from './engineSeed';

/**
 * Without width and height the engine generates at the model's native size (or, for img2img, a size from the init
 * image), which it reads from the model itself: the panel never has to know it first.
 */
export function panelGenerationParams(form: GenerateFormValues, initImage: Uint8Array | undefined, hiresUpscaler = ''): GenerationParams {
  const common = {
    prompt: form.prompt,
    steps: form.steps,
    guidanceScale: form.guidanceScale,
    scheduler: form.scheduler,
    batchCount: form.batchCount,
    ...(form.width !== undefined && form.height !== undefined ? { width: form.width, height: form.height } : {}),
    ...(form.negativePrompt.trim() ? { negativePrompt: form.negativePrompt } : {}),
    ...(form.seed !== null ? { seed: engineSeed(form.seed) } : {}),
    ...(form.tiling ? { tiling: form.tiling } : {}),
  };
  return form.useInitImage && initImage
    ? { task: 'img2img', ...common, initImage, strength: form.strength }
    : { task: 'txt2img', ...common, ...(form.hires ? { hires: { ...form.hires, ...(hiresUpscaler ? { upscaler: hiresUpscaler } : {}) } } : {}) };
}
