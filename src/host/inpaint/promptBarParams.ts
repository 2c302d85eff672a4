// What every inpaint-editor job takes from the prompt bar (inpaint and Expand canvas alike): the prompt, the sampling
// settings, the strength, the negative prompt when there is one and the seed when one is fixed; and the job's title.
// Pure: no vscode import (types only).
import type { InpaintParams } from '../../common/protocol/engineProtocol';
import type { InpaintSettings } from '../../common/protocol/inpaintEditorProtocol';
import { engineSeed } from '../generate/engineSeed';

/** The fields inpaint and outpaint share (OutpaintParams has them as InpaintParams does). */
export type PromptBarParams = Pick<InpaintParams, 'prompt' | 'steps' | 'guidanceScale' | 'scheduler' | 'batchCount' | 'strength' | 'negativePrompt' | 'seed'>;

export function promptBarParams(settings: InpaintSettings): PromptBarParams {
  const params: PromptBarParams = {
    prompt: settings.prompt,
    steps: settings.steps,
    guidanceScale: settings.guidanceScale,
    scheduler: settings.scheduler,
    batchCount: settings.batchCount,
    strength: settings.strength,
  };
  if (settings.negativePrompt.trim() !== '') params.negativePrompt = settings.negativePrompt;
  if (settings.seed !== null) params.seed = engineSeed(settings.seed);
  return params;
}

/** The title of the progress notification and status bar item: `Inpainting photo.png: "a red…"`. */
export function promptBarJobTitle(verb: string, settings: InpaintSettings, fileName: string): string {
  const prompt = settings.prompt.trim().replace(/\s+/g, ' ');
  const short = prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt;
  return short ? `${verb} ${fileName}: "${short}"` : `${verb} ${fileName}`;
}
