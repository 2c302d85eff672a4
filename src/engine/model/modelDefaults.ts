// Generation defaults that come from the model rather than from Stable Diffusion 1.x: SDXL's guidance 5
// (diffusers `pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py` __call__ guidance_scale=5.0) and the
// few-step distilled SDXL models' no-CFG, few-step use (SDXL-Turbo: guidance_scale=0.0, 1–4 steps, trailing
// timestep spacing; diffusers `docs/source/en/api/pipelines/stable_diffusion/sdxl_turbo.md`). Read first from the
// model's own scheduler/scheduler_config.json, then the catalog entry it was installed from (its recommended steps
// and guidance, kept in the install manifest), then the family. The sampler is the scheduler config's either way.
import type { ModelFamily, ModelInfo } from '../../common/protocol/engineProtocol';
import type { CatalogRecommendation } from '../../node/modelStore/catalog';
import type { SchedulerConfig } from '../schedulers/schedulerConfig';

/** diffusers StableDiffusionXLPipeline.__call__ guidance_scale default. */
export const SDXL_DEFAULT_GUIDANCE = 5;
/**
 * SDXL-Turbo's steps: its docs use 1 for text-to-image and 2 with strength 0.5 for image-to-image (int(steps ×
 * strength) ≥ 1); 4, the top of the range, keeps image-to-image at the usual strengths running.
 */
export const DISTILLED_DEFAULT_STEPS = 4;

export function modelDefaults(
  family: ModelFamily,
  schedulerConfig: SchedulerConfig,
  catalog?: { id: string; recommended?: CatalogRecommendation },
): ModelInfo['defaults'] | undefined {
  const sdxl = family === 'sdxl' || family === 'sdxl-refiner';
  if (sdxl && schedulerConfig.timestep_spacing === 'trailing') {
    return {
      steps: DISTILLED_DEFAULT_STEPS,
      guidanceScale: 0,
      source: 'scheduler/scheduler_config.json has timestep_spacing "trailing": a few-step distilled SDXL (SDXL-Turbo: 1–4 steps, guidance 0)',
    };
  }
  if (catalog?.recommended) {
    const { steps, guidanceScale } = catalog.recommended;
    return { steps, guidanceScale, source: `the recommended settings of the catalog entry "${catalog.id}" it was installed from` };
  }
  if (!sdxl) return undefined;
  return { guidanceScale: SDXL_DEFAULT_GUIDANCE, source: 'SDXL (diffusers StableDiffusionXLPipeline guidance_scale 5.0)' };
}
