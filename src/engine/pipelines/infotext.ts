// The A1111 infotext of one generated image (A1111 `modules/processing.py` create_infotext): the common fields, then
// the task's own (denoising strength; mask blur and "only masked" padding for inpainting).
import { formatA1111Parameters } from '../../common/metadata/a1111Parameters';
import { samplerInfotextFields } from '../../common/metadata/samplerLabel';
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import { tilingInfotextFields } from '../../common/tilingMode';
import { ENGINE_VERSION } from '../../common/version';
import type { ConditioningInfotext } from '../conditioning/unetConditioning';
import type { GenerateRequest, HiresFix } from '../generateRequest';

export interface InfotextFacts {
  seed: bigint;
  scheduler: ConcreteSchedulerName;
  width: number;
  height: number;
  model: string;
  modelHash?: string;
  /** A1111 "Lora hashes" (`extensions-builtin/Lora/extra_networks_lora.py`: `name: shorthash` joined by ', '). */
  loraHashes?: string;
  /** What the conditioning adds (A1111 `Clip skip`, `Emphasis`). */
  conditioning?: ConditioningInfotext;
}

/** What the upscale step of the hires fix is called in the infotext (A1111's upscaler names: "Lanczos" or the model's). */
export function hiresUpscalerName(hires: HiresFix): string {
  if (hires.upscaler === undefined) return 'Lanczos';
  const base = hires.upscaler.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? hires.upscaler;
  return base.replace(/\.onnx$/i, '');
}

function taskFields(request: GenerateRequest): { denoisingStrength?: number; extra: [string, string | number][] } {
  switch (request.task) {
    case 'txt2img':
      // A1111 create_infotext for the hires fix: "Denoising strength", "Hires upscale", "Hires steps" (when not
      // 0), "Hires upscaler".
      if (!request.hires) return { extra: [] };
      return {
        denoisingStrength: request.hires.strength,
        extra: [
          ['Hires upscale', request.hires.scale],
          ...(request.hires.steps ? ([['Hires steps', request.hires.steps]] satisfies [string, number][]) : []),
          ['Hires upscaler', hiresUpscalerName(request.hires)],
        ],
      };
    case 'outpaint':
      return { denoisingStrength: request.strength, extra: [] };
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
  const { clipSkip, emphasis } = facts.conditioning ?? {};
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
    ...(clipSkip !== undefined ? { clipSkip } : {}),
    ...(emphasis !== undefined ? { emphasis } : {}),
    // A1111 create_infotext order: … "RNG", "Tiling", extra generation params (Lora hashes), "Version".
    extra: [...task.extra, ['RNG', 'CPU'], ...tilingInfotextFields(request.tiling), ...(facts.loraHashes ? ([['Lora hashes', facts.loraHashes]] satisfies [string, string][]) : []), ['Version', `Local Diffusion ${ENGINE_VERSION}`]],
  });
}
