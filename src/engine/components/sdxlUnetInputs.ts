// The SDXL UNet's added conditioning (diffusers UNet2DConditionModel with addition_embed_type "text_time", as
// huggingface/optimum `optimum/exporters/onnx/model_configs.py` UNetOnnxConfig exports it): `text_embeds`
// [batch, projection_dim] (text_encoder_2's pooled output) and `time_ids` [batch, 6] = original size, crop top-left,
// target size — [batch, 5] with the aesthetic score when unet/config.json says requires_aesthetics_score (the
// refiner; optimum `utils/input_generators.py` DummyTimestepInputGenerator: time_ids = 5 if requires_aesthetics_score
// else 6). Every name, dtype and width is read from the graph, the config only where a dim is symbolic.
import type { TensorSpec } from '../runtime/ort';
import { dimOf, mismatch, requireFloat, type GraphSignature } from './componentShapes';

export const TEXT_EMBEDS = 'text_embeds';
export const TIME_IDS = 'time_ids';

/** diffusers `_get_add_time_ids`: original_size + crops_coords_top_left + target_size. */
const TIME_IDS_WIDTH = 6;
/** diffusers StableDiffusionXLImg2ImgPipeline `_get_add_time_ids` with requires_aesthetics_score. */
const REFINER_TIME_IDS_WIDTH = 5;

export interface SdxlAddedConditioning {
  textEmbeds: TensorSpec;
  /** The pooled width the graph declares ('dynamic' when symbolic). */
  textEmbedsDim: number | 'dynamic';
  timeIds: TensorSpec;
  /** 6 (base, Turbo, inpainting) or 5 (the refiner, with the aesthetic score). */
  timeIdsWidth: number;
}

export function sdxlAddedConditioning(graph: GraphSignature, config: Record<string, unknown> | null): SdxlAddedConditioning | undefined {
  const component = 'unet';
  const textEmbeds = graph.inputs.find((i) => i.name === TEXT_EMBEDS);
  const timeIds = graph.inputs.find((i) => i.name === TIME_IDS);
  if (!textEmbeds && !timeIds) return undefined;
  if (!textEmbeds || !timeIds) {
    throw mismatch(component, `an SDXL UNet takes both "${TEXT_EMBEDS}" and "${TIME_IDS}"; this graph has only "${(textEmbeds ?? timeIds)!.name}".`);
  }
  requireFloat(component, textEmbeds);
  requireFloat(component, timeIds);
  if (textEmbeds.shape.length !== 2) throw mismatch(component, `"${TEXT_EMBEDS}" must be [batch, projection_dim], got [${textEmbeds.shape.join(', ')}].`);
  if (timeIds.shape.length !== 2) throw mismatch(component, `"${TIME_IDS}" must be [batch, 6] (or 5), got [${timeIds.shape.join(', ')}].`);
  const declared = dimOf(timeIds, 1);
  const width = declared !== 'dynamic' ? declared : config?.requires_aesthetics_score === true ? REFINER_TIME_IDS_WIDTH : TIME_IDS_WIDTH;
  if (width !== TIME_IDS_WIDTH && width !== REFINER_TIME_IDS_WIDTH) {
    throw mismatch(component, `"${TIME_IDS}" must have ${TIME_IDS_WIDTH} values per row (or ${REFINER_TIME_IDS_WIDTH} for the refiner), the graph declares ${width}.`);
  }
  return { textEmbeds, textEmbedsDim: dimOf(textEmbeds, 1), timeIds, timeIdsWidth: width };
}
