// Whether and how "Clip skip: N" applies to the loaded model, with A1111's rules per family
// (stable-diffusion-webui `modules/sd_hijack_clip.py` FrozenCLIPEmbedderWithCustomWords.encode_with_transformers for
// SD 1.x: N ≥ 2 is final_layer_norm(hidden_states[-N]); `modules/sd_hijack_open_clip.py` for SD 2.x, which ignores
// the setting: its OpenCLIP embedder always takes the penultimate layer, and diffusers' SD 2.x text encoders were
// converted with that layer as their last). Models of an unknown family follow the SD 1.x rule.
import type { ClipSkipEncoding } from './a1111Conditioner';
import type { PipelineModel } from '../model/pipelineModel';
import { clipSkipOutput } from '../prompt/clipSkip';

/** transformers CLIPTextConfig's default layer_norm_eps, for exports without text_encoder/config.json. */
const CLIP_LAYER_NORM_EPS = 1e-5;

export interface ClipSkipPlan {
  /** Present when clip skip applies: the hidden state to read. */
  encoding?: ClipSkipEncoding;
  /** Why a clip skip above 1 does not apply. */
  warning?: string;
}

export function clipSkipFor(model: PipelineModel, clipSkip: number): ClipSkipPlan {
  if (clipSkip <= 1) return {};
  if (model.info.family === 'sd2') {
    return { warning: `Clip skip ${clipSkip} is ignored for SD 2.x models (as A1111 does): their text encoder already ends at the penultimate layer.` };
  }
  const selection = clipSkipOutput(model.textEncoder.outputNames, clipSkip, { finalLayerNorm: true });
  if (!selection.available) return { warning: `${selection.reason} Generated without clip skip.` };
  const eps = model.folder.components.text_encoder?.config?.['layer_norm_eps'];
  return { encoding: { clipSkip, selection, layerNormEps: typeof eps === 'number' && eps > 0 ? eps : CLIP_LAYER_NORM_EPS } };
}
