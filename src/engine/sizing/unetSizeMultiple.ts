// The sizes a UNet takes. diffusers' UNet2DConditionModel halves the latent grid in every down block but the last
// (`unets/unet_2d_condition.py`: `is_final_block = i == len(block_out_channels) - 1`, and only non-final blocks
// add a Downsample2D), and its up blocks concatenate skip connections of the same size: a latent side that does
// not divide by 2^(down blocks − 1) ends in ONNX Runtime's Concat shape error. So width and height must be
// multiples of vae scale factor × 2^(down blocks − 1) (64 for Stable Diffusion 1.x/2.x: 8 × 2^3).
// Without a config that says it, the graph does: Downsample2D is a stride-2 Conv (or an AvgPool2d with
// use_conv=False, `models/downsampling.py`), and no other layer of the UNet strides.
import type { OnnxModel } from '../../node/onnx/onnxModel';

/**
 * Pixels that width and height must be multiples of: from unet/config.json, else from the UNet's graph (read only
 * when the config says nothing; structure only, see readOnnxModel), else the VAE's multiple alone.
 */
export function unetSizeMultiple(
  unetConfig: Readonly<Record<string, unknown>> | null,
  vaeScaleFactor: number,
  unetGraph?: () => OnnxModel,
): number {
  const blocks = downBlockCount(unetConfig);
  if (blocks !== null) return vaeScaleFactor * 2 ** Math.max(0, blocks - 1);
  return vaeScaleFactor * (unetGraph ? graphDownsampling(unetGraph()) : 1);
}

/** diffusers' config: `down_block_types` (one per block), else `block_out_channels` (the same length); null if neither. */
function downBlockCount(config: Readonly<Record<string, unknown>> | null): number | null {
  const types = config?.down_block_types;
  if (Array.isArray(types) && types.length > 0) return types.length;
  const channels = config?.block_out_channels;
  if (Array.isArray(channels) && channels.length > 0) return channels.length;
  return null;
}

const STRIDED_OPS = new Set(['Conv', 'AveragePool', 'MaxPool']);

/**
 * The factor by which the graph's down-sampling layers shrink the latent grid: the product of the strides of its
 * strided Conv / pooling nodes (the largest of each node's spatial strides), 1 when none strides.
 */
export function graphDownsampling(model: OnnxModel): number {
  let factor = 1;
  for (const node of model.graph.nodes) {
    if (!STRIDED_OPS.has(node.opType) || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
    const strides = node.attributes.find((a) => a.name === 'strides');
    if (strides?.type !== 'ints' || strides.value.length === 0) continue;
    factor *= Math.max(...strides.value);
  }
  return factor;
}

export { sizeForUnet } from '../../common/sizing/generationSize';
