// Generation defaults that come from the model rather than from Stable Diffusion 1.x: SDXL's guidance 5
// (diffusers `pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py` __call__ guidance_scale=5.0) and the
// few-step distilled SDXL models' no-CFG, few-step use (SDXL-Turbo: guidance_scale=0.0, 1–4 steps, trailing
// timestep spacing; diffusers `docs/source/en/api/pipelines/stable_diffusion/sdxl_turbo.md`). Read first from the
// model's own scheduler/scheduler_config.json, then the family.
import type { ModelFamily, ModelInfo } from '../../common/protocol/engineProtocol';
import type { SchedulerConfig } from '../schedulers/schedulerConfig';

/** diffusers StableDiffusionXLPipeline.__call__ guidance_scale default. */
export const SDXL_DEFAULT_GUIDANCE = 5;
/**
 * SDXL-Turbo's steps: its docs use 1 for text-to-image and 2 with strength 0.5 for image-to-image (int(steps ×
 * strength) ≥ 1); 4, the top of the range, keeps image-to-image at the usual strengths running.
 */
export const DISTILLED_DEFAULT_STEPS = 4;

export function modelDefaults(family: ModelFamily, schedulerConfig: SchedulerConfig): ModelInfo['defaults'] | undefined {
  if (family !== 'sdxl' && family !== 'sdxl-refiner') return undefined;
  if (schedulerConfig.timestep_spacing === 'trailing') {
    return {
      steps: DISTILLED_DEFAULT_STEPS,
      guidanceScale: 0,
      source: 'scheduler/scheduler_config.json has timestep_spacing "trailing": a few-step distilled SDXL (SDXL-Turbo: 1–4 steps, guidance 0)',
    };
  }
  return { guidanceScale: SDXL_DEFAULT_GUIDANCE, source: 'SDXL (diffusers StableDiffusionXLPipeline guidance_scale 5.0)' };
}
