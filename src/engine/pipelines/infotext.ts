// The A1111 infotext of one generated image (A1111 `modules/processing.py` create_infotext): the common fields, then
// the task's own (denoising strength; mask blur and "only masked" padding for inpainting).
import { formatA1111Parameters } from '../../common/metadata/a1111Parameters';
import { samplerInfotextFields } from '../../common/metadata/samplerLabel';
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import { ENGINE_VERSION } from '../../common/version';
import type { GenerateRequest } from '../generateRequest';

export interface InfotextFacts {
  seed: bigint;
  scheduler: ConcreteSchedulerName;
  width: number;
  height: number;
  model: string;
  modelHash?: string;
}

function taskFields(request: GenerateRequest): { denoisingStrength?: number; extra: [string, string | number][] } {
  switch (request.task) {
    case 'txt2img':
      return { extra: [] };
    case 'img2img':
      return { denoisingStrength: request.strength, extra: [] };
    case 'inpaint':
      return {
        denoisingStrength: request.strength,
        extra: [
          ['Mask blur', request.maskBlur],
          ...(request.inpaintArea === 'masked'
            ? ([
                ['Inpaint area', 'Only masked'],
                ['Masked area padding', request.maskPadding],
              ] satisfies [string, string | number][])
            : []),
        ],
      };
  }
}

export function infotextFor(request: GenerateRequest, facts: InfotextFacts): string {
  const task = taskFields(request);
  return formatA1111Parameters({
    prompt: request.prompt,
    ...(request.negativePrompt ? { negativePrompt: request.negativePrompt } : {}),
    steps: request.steps,
    ...samplerInfotextFields(facts.scheduler),
    cfgScale: request.guidanceScale,
    seed: facts.seed,
    width: facts.width,
    height: facts.height,
    ...(facts.modelHash ? { modelHash: facts.modelHash } : {}),
    model: facts.model,
    ...(task.denoisingStrength !== undefined ? { denoisingStrength: task.denoisingStrength } : {}),
    extra: [...task.extra, ['RNG', 'CPU'], ['Version', `Local Diffusion ${ENGINE_VERSION}`]],
  });
}
