// Which outputs of an SDXL text encoder condition the UNet (diffusers `pipelines/stable_diffusion_xl/
// pipeline_stable_diffusion_xl.py` encode_prompt: `prompt_embeds.hidden_states[-2]`, the penultimate layer, from both
// encoders; the pooled output `prompt_embeds[0]` from text_encoder_2 only). Resolved by name, never by a fixed index:
//   optimum (huggingface/optimum `exporters/onnx/model_configs.py` CLIPTextOnnxConfig / CLIPTextWithProjectionOnnxConfig,
//     with output_hidden_states): hidden_states.0 … hidden_states.N → the penultimate is hidden_states.{N−1}
//     (optimum `onnxruntime/modeling_diffusion.py` ORTTextEncoder rebuilds the tuple with last_hidden_state last,
//     so [-2] is hidden_states.{N−1}); pooled `text_embeds`;
//   the ONNX Runtime SDXL demo (microsoft/onnxruntime `python/tools/transformers/models/stable_diffusion/
//     diffusion_models.py` CLIP/CLIPWithProj): one `hidden_states` output (already the penultimate layer) and a
//     pooled `text_embeddings` [batch, 1280].
// last_hidden_state is never used: it is after the final layer norm.
import type { TensorSpec } from '../runtime/ort';
import { mismatch, describeSpecs } from './componentShapes';

export interface SdxlTextEncoderOutputs {
  /** The penultimate hidden state's output name. */
  hiddenName: string;
  /** N when the graph lists hidden_states.0 … .N. */
  layers: number | null;
  /** The pooled [batch, projection] output; undefined when the encoder has none. */
  pooledName: string | undefined;
}

const HIDDEN_STATE = /^hidden_states\.(\d+)$/;

export function sdxlTextEncoderOutputs(component: string, outputs: readonly TensorSpec[]): SdxlTextEncoderOutputs {
  let layers = -1;
  for (const o of outputs) {
    const m = HIDDEN_STATE.exec(o.name);
    if (m) layers = Math.max(layers, Number(m[1]));
  }
  let hiddenName: string | undefined;
  if (layers >= 1 && outputs.some((o) => o.name === `hidden_states.${layers - 1}`)) hiddenName = `hidden_states.${layers - 1}`;
  else if (outputs.some((o) => o.name === 'hidden_states' && o.shape.length === 3)) hiddenName = 'hidden_states';
  if (hiddenName === undefined) {
    throw mismatch(
      component,
      `SDXL conditions on the penultimate hidden state, but this graph exports no hidden_states.N outputs (optimum) or "hidden_states" (ONNX Runtime demo); it has ${describeSpecs(outputs)}. Re-export it with output_hidden_states (optimum-cli export onnx does this for SDXL).`,
    );
  }
  const pooled = ['text_embeds', 'text_embeddings'].map((n) => outputs.find((o) => o.name === n && o.shape.length === 2)).find((o) => o !== undefined);
  return { hiddenName, layers: hiddenName === 'hidden_states' ? null : layers, pooledName: pooled?.name };
}
