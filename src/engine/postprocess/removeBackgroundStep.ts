// `generate --remove-background M`: the last post-processing step cuts each image's subject out with a
// background-segmentation model (src/engine/background/: RMBG-1.4, rembg's u2net / isnet), so the PNG keeps alpha.
// The model is loaded once per job on the generation's execution provider, and released with the job.
import type { RasterImage } from '../../common/image/imageTypes';
import { BackgroundModel } from '../background/backgroundModel';
import { removeBackground } from '../background/removeBackground';
import type { PipelineJob } from '../pipelines/pipeline';
import { defaultMemoryBudgetBytes } from '../upscale/upscaleMemory';
import type { PostProcessStep } from './postProcessStep';

export async function removeBackgroundStep(
  choice: { model: string; preset?: string },
  job: PipelineJob,
): Promise<{ step: PostProcessStep; dispose: () => Promise<void> }> {
  const model = await BackgroundModel.load(choice.model, job.model.provider, choice.preset);
  return {
    step: {
      name: `remove the background (${model.info.preset.name})`,
      apply: async (image: RasterImage): Promise<RasterImage> =>
        (await removeBackground(image, model, { memoryBudgetBytes: defaultMemoryBudgetBytes(), ...(job.cancellation ? { cancellation: job.cancellation } : {}) })).image,
    },
    dispose: () => model.dispose(),
  };
}
