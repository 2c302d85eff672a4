// A decoded image with NaN or ±Inf is the fp16 VAE overflow of SDXL's original VAE (its activations exceed
// float16's range: black or NaN images; madebyollin/sdxl-vae-fp16-fix model card; diffusers upcasts such a VAE,
// `pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py` needs_upcasting / force_upcast). An ONNX session's
// dtype is fixed, so instead of writing a broken image the job fails with the fix.
import type { ModelInfo } from '../../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';

export function checkFinite(rgb: Float32Array, info: Pick<ModelInfo, 'vae' | 'name'>): void {
  let bad = 0;
  for (let i = 0; i < rgb.length; i++) if (!Number.isFinite(rgb[i])) bad++;
  if (bad === 0) return;
  const fp16 = info.vae.decoderDtype === 'float16';
  throw new RpcFailure(
    ErrorCode.ModelMismatch,
    `The VAE decoder of ${info.name} produced ${bad} NaN/Inf values (of ${rgb.length})${fp16 ? ': its float16 activations overflow, as the original SDXL VAE does in fp16' : ''}. No image was written. Use an fp16-fix VAE (madebyollin/sdxl-vae-fp16-fix exported to ONNX) or an fp32 VAE: put its vae_decoder/ (and vae_encoder/) in a folder and pass --vae DIR (setting localDiffusion.vae).`,
  );
}
