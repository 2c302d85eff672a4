// What a prompt and a negative prompt become: the named UNet inputs that carry the text (SD 1.x/2.x:
// `encoder_hidden_states`; SDXL adds the pooled `text_embeds` and `time_ids`, diffusers
// `pipeline_stable_diffusion_xl.py` added_cond_kwargs). The pipelines and the denoising loop only pass these
// through, batched as [uncond, cond] for classifier-free guidance (diffusers `torch.cat([negative, positive])`).

/** One named UNet input, per batch item. */
/** The UNet input the text encoder's hidden states feed (diffusers UNet2DConditionModel.forward). */
export const ENCODER_HIDDEN_STATES = 'encoder_hidden_states';

export interface ConditioningInput {
  /** The UNet graph input it feeds. */
  name: string;
  /** The shape of one batch item (e.g. [77, 768]); the UNet input is [batch, ...itemShape]. */
  itemShape: readonly number[];
  /** The prompt's values (product of itemShape). */
  cond: Float32Array;
  /** The negative prompt's; null when classifier-free guidance is off. */
  uncond: Float32Array | null;
}

export interface UnetConditioning {
  /** True when every input has an uncond half (classifier-free guidance on). */
  readonly guided: boolean;
  readonly inputs: readonly ConditioningInput[];
  /** What the user should know (a truncated prompt). */
  readonly warnings: readonly string[];
  /** Infotext fields the conditioning decides: A1111 `Clip skip` (when applied) and `Emphasis` (when not Original). */
  readonly infotext?: ConditioningInfotext;
}

export interface ConditioningInfotext {
  readonly clipSkip?: number;
  readonly emphasis?: string;
}

/** Turns prompt + negative prompt into UNet inputs; one per model family (or prompt syntax). */
export interface Conditioner {
  encode(prompt: string, negativePrompt: string, guided: boolean): Promise<UnetConditioning>;
}
