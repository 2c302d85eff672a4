// From the prompt bar's settings and a snapshot of the document to the engine's inpaint parameters.
// Pure: no vscode import (types only).
import type { GenerationParams } from '../jobs/generationService';
import type { InpaintSettings } from '../../common/protocol/inpaintEditorProtocol';
import { engineSeed } from '../generate/engineSeed';

/**
 * The engine sizes the job itself: with "whole", the image's size when it suits the model, else its aspect
 * at about the model's native area (scaled back and composited); with "masked", the crop around the mask
 * at the model's size. So no width/height is passed.
 */
export function buildInpaintParams(settings: InpaintSettings, initImage: Uint8Array, maskPng: Uint8Array): GenerationParams {
  const params: GenerationParams = {
    task: 'inpaint',
    prompt: settings.prompt,
    steps: settings.steps,
    guidanceScale: settings.guidanceScale,
    scheduler: settings.scheduler,
    batchCount: settings.batchCount,
    initImage,
    mask: maskPng,
    strength: settings.strength,
    maskBlur: settings.maskBlur,
    inpaintArea: settings.inpaintArea,
    maskPadding: settings.maskPadding,
  };
  if (settings.negativePrompt.trim() !== '') params.negativePrompt = settings.negativePrompt;
  if (settings.seed !== null) params.seed = engineSeed(settings.seed);
  return params;
}

/** The title of the progress notification and status bar item. */
export function inpaintJobTitle(settings: InpaintSettings, fileName: string): string {
  const prompt = settings.prompt.trim().replace(/\s+/g, ' ');
  const short = prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt;
  return short ? `Inpainting ${fileName}: "${short}"` : `Inpainting ${fileName}`;
}
