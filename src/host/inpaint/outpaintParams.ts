// From the prompt bar's settings, the Expand canvas margins and the document's image to the engine's outpaint
// parameters (the engine extends the canvas, masks the new area plus the overlap, and inpaints it; the document's
// mask is not used). Pure: no vscode import (types only).
import type { GenerationParams } from '../jobs/generationService';
import type { InpaintExpand, InpaintSettings } from '../../common/protocol/inpaintEditorProtocol';
import { engineSeed } from '../generate/engineSeed';

/** Prompt, sampling and strength as for inpaint; mask blur, "only masked" and padding do not apply (the engine sets them). */
export function buildOutpaintParams(settings: InpaintSettings, initImage: Uint8Array, expand: InpaintExpand): GenerationParams {
  const params: GenerationParams = {
    task: 'outpaint',
    prompt: settings.prompt,
    steps: settings.steps,
    guidanceScale: settings.guidanceScale,
    scheduler: settings.scheduler,
    batchCount: settings.batchCount,
    initImage,
    margins: { ...expand.margins },
    overlap: expand.overlap,
    strength: settings.strength,
  };
  if (settings.negativePrompt.trim() !== '') params.negativePrompt = settings.negativePrompt;
  if (settings.seed !== null) params.seed = engineSeed(settings.seed);
  return params;
}

/** The title of the progress notification and status bar item. */
export function outpaintJobTitle(settings: InpaintSettings, fileName: string): string {
  const prompt = settings.prompt.trim().replace(/\s+/g, ' ');
  const short = prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt;
  return short ? `Expanding ${fileName}: "${short}"` : `Expanding ${fileName}`;
}
