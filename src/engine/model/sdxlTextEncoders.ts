// SDXL's second text encoder beside the first (diffusers `pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py`:
// tokenizer + text_encoder (CLIP ViT-L) and tokenizer_2 + text_encoder_2 (OpenCLIP ViT-bigG with projection)), and
// the layout checks: the SDXL folder is text_encoder_2/ + tokenizer_2/ beside the SD components and a UNet with
// text_embeds/time_ids; the refiner (text_encoder_2/ alone, time_ids with the aesthetic score) is refused.
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import type { SdxlAddedConditioning } from '../components/sdxlUnetInputs';
import { sdxlTextEncoderOutputs, type SdxlTextEncoderOutputs } from '../components/sdxlTextEncoderOutputs';
import type { GraphSignature } from '../components/componentShapes';
import type { TextEncoder } from '../components/textEncoder';
import type { ClipTokenizer } from '../tokenizer/clipTokenizer';
import type { ModelFolder } from './modelFolder';

export interface SdxlTextEncoders {
  tokenizer2: ClipTokenizer;
  textEncoder2: TextEncoder;
  /** text_encoder's penultimate output (its pooled output is not used by SDXL). */
  outputs1: SdxlTextEncoderOutputs;
  /** text_encoder_2's penultimate and pooled outputs. */
  outputs2: SdxlTextEncoderOutputs & { pooledName: string };
  /** model_index.json force_zeros_for_empty_prompt (diffusers register_to_config; true for SDXL base and Turbo). */
  forceZerosForEmptyPrompt: boolean;
}

/** Whether the folder is laid out as the SDXL refiner: text_encoder_2 alone. */
export function isRefinerLayout(folder: ModelFolder): boolean {
  return folder.hasSecondTextEncoder && !folder.components.text_encoder;
}

export function refinerRefusal(folder: ModelFolder, reason: string): RpcFailure {
  return new RpcFailure(
    ErrorCode.ModelMismatch,
    `${folder.dir} is an SDXL refiner (${reason}). The refiner only refines SDXL base images (image-to-image with aesthetic-score time_ids) and is not supported: use an SDXL base, SDXL-Turbo or fine-tuned SDXL folder (text_encoder/ and text_encoder_2/).`,
  );
}

/** Checks that an SDXL-layout folder's UNet is an SDXL UNet and the encoders export what SDXL needs. */
export function checkSdxlLayout(
  folder: ModelFolder,
  unet: { addedCond?: SdxlAddedConditioning },
  encoder1: GraphSignature | undefined,
  encoder2: GraphSignature,
): { outputs1: SdxlTextEncoderOutputs | undefined; outputs2: SdxlTextEncoderOutputs & { pooledName: string } } {
  if (!unet.addedCond) {
    throw new RpcFailure(
      ErrorCode.ModelMismatch,
      `${folder.dir} has text_encoder_2/, but its UNet has no text_embeds/time_ids inputs: it is not an SDXL UNet export.`,
    );
  }
  const outputs2 = sdxlTextEncoderOutputs('text_encoder_2', encoder2.outputs);
  if (outputs2.pooledName === undefined) {
    throw new RpcFailure(
      ErrorCode.ModelMismatch,
      `text_encoder_2: SDXL's UNet takes the pooled text_embeds, but this graph has no "text_embeds" (optimum) or 2-D "text_embeddings" (ONNX Runtime demo) output.`,
    );
  }
  const outputs1 = encoder1 ? sdxlTextEncoderOutputs('text_encoder', encoder1.outputs) : undefined;
  return { outputs1, outputs2: { ...outputs2, pooledName: outputs2.pooledName } };
}

export function forceZerosForEmptyPrompt(folder: ModelFolder): boolean {
  // diffusers StableDiffusionXLPipeline.__init__(force_zeros_for_empty_prompt=True): absent means true.
  return folder.modelIndex.force_zeros_for_empty_prompt !== false;
}
