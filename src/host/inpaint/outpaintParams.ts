// From the prompt bar's settings, the Expand canvas margins and the document's image to the engine's outpaint
// parameters (the engine extends the canvas, masks the new area plus the overlap, and inpaints it; the document's
// mask is not used). Pure: no vscode import (types only).
import type { GenerationParams } from '../jobs/generationService';
import type { InpaintExpand, InpaintSettings } from '../../common/protocol/inpaintEditorProtocol';
import { promptBarJobTitle, promptBarParams } from './promptBarParams';

/** Prompt, sampling and strength as for inpaint; mask blur, "only masked" and padding do not apply (the engine sets them). */
export function buildOutpaintParams(settings: InpaintSettings, initImage: Uint8Array, expand: InpaintExpand): GenerationParams {
  return { task: 'outpaint', ...promptBarParams(settings), initImage, margins: { ...expand.margins }, overlap: expand.overlap };
}

/** The title of the progress notification and status bar item. */
export function outpaintJobTitle(settings: InpaintSettings, fileName: string): string {
  return promptBarJobTitle('Expanding', settings, fileName);
}
