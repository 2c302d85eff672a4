// SDXL conditioning, as diffusers' StableDiffusionXLPipeline (`pipelines/stable_diffusion_xl/
// pipeline_stable_diffusion_xl.py` encode_prompt, _get_add_time_ids, __call__), read with A1111's prompt syntax
// per encoder (stable-diffusion-webui `modules/sd_hijack_clip.py`, each SDXL embedder tokenised and weighted on its
// own, `modules/sd_models_xl.py` get_learned_conditioning concatenating their outputs):
//   encoder_hidden_states = concat(text_encoder's penultimate hidden state, text_encoder_2's) on the hidden axis,
//     in that order (tokenizer_2 pads with "!", id 0, after the EOS);
//   text_embeds = text_encoder_2's pooled output (of the first chunk, A1111 zs[0].pooled);
//   time_ids = [orig_h, orig_w, crop_top, crop_left, target_h, target_w] (sdxlTimeIds.ts), the same for both halves;
//   no negative prompt and force_zeros_for_empty_prompt → the negative embeddings and pooled vector are zeros
//     (diffusers zero_out_negative_prompt). The panel and the CLI cannot tell an empty negative prompt from none, so
//     an empty (or blank) negative prompt counts as none here.
// Classifier-free guidance stays one batch [negative, prompt] as for SD (noisePrediction.ts).
import type { EmphasisMode } from '../../common/prompt/emphasisMode';
import type { TextEncoder } from '../components/textEncoder';
import { TEXT_EMBEDS, TIME_IDS } from '../components/sdxlUnetInputs';
import type { SdxlTextEncoders } from '../model/sdxlTextEncoders';
import { clipPromptTokenizer } from '../prompt/clipPromptTokenizer';
import { encodePromptPair, type PromptPairConditioning } from '../prompt/encodePromptPair';
import { concatenateHiddenAxis, type ChunkEncoder } from '../prompt/encodeWeightedPrompts';
import type { ClipTokenizer } from '../tokenizer/clipTokenizer';
import { sdxlTimeIds, type SdxlSizeConditioning } from './sdxlTimeIds';
import { ENCODER_HIDDEN_STATES, type Conditioner, type ConditioningInfotext, type ConditioningInput, type UnetConditioning } from './unetConditioning';

export interface SdxlConditionerOptions {
  emphasis?: EmphasisMode;
  /** Chunks the UNet takes when its sequence length is fixed; omit for any. */
  maxChunks?: number;
  /** The generated size (time_ids). */
  size: SdxlSizeConditioning;
  /** The UNet's input names for the pooled vector and the time ids (default text_embeds, time_ids). */
  textEmbedsName?: string;
  timeIdsName?: string;
}

/** A ChunkEncoder reading one hidden-state output (and the pooled one) of a text encoder. */
function chunkEncoder(encoder: TextEncoder, hiddenName: string, pooledName?: string): ChunkEncoder {
  return async (rows) => {
    const names = pooledName ? [hiddenName, pooledName] : [hiddenName];
    const out = await encoder.encodeNamed(rows, names);
    const hidden = out[hiddenName];
    const pooled = pooledName ? out[pooledName] : undefined;
    return rows.map((_, i) => ({
      hidden: hidden.data.slice(i * hidden.itemSize, (i + 1) * hidden.itemSize),
      ...(pooled ? { pooled: pooled.data.slice(i * pooled.itemSize, (i + 1) * pooled.itemSize) } : {}),
    }));
  };
}

export class SdxlConditioner implements Conditioner {
  constructor(
    private readonly tokenizer: ClipTokenizer,
    private readonly textEncoder: TextEncoder,
    private readonly sdxl: SdxlTextEncoders,
    private readonly options: SdxlConditionerOptions,
  ) {}

  async encode(prompt: string, negativePrompt: string, guided: boolean): Promise<UnetConditioning> {
    const zeroNegative = guided && this.sdxl.forceZerosForEmptyPrompt && negativePrompt.trim() === '';
    const negative = guided && !zeroNegative ? negativePrompt : null;
    const common = {
      prompt,
      negativePrompt: negative,
      ...(this.options.emphasis ? { emphasis: this.options.emphasis } : {}),
      ...(this.options.maxChunks !== undefined ? { maxChunks: this.options.maxChunks } : {}),
    };
    const first: PromptPairConditioning = await encodePromptPair({
      ...common,
      tokenizer: clipPromptTokenizer(this.tokenizer),
      encode: chunkEncoder(this.textEncoder, this.sdxl.outputs1.hiddenName),
    });
    const second: PromptPairConditioning = await encodePromptPair({
      ...common,
      tokenizer: clipPromptTokenizer(this.sdxl.tokenizer2),
      encode: chunkEncoder(this.sdxl.textEncoder2, this.sdxl.outputs2.hiddenName, this.sdxl.outputs2.pooledName),
    });
    const cond = concatenateHiddenAxis([first.cond, second.cond]);
    const pooled = second.cond.pooled;
    if (!pooled) throw new Error(`text_encoder_2 returned no ${this.sdxl.outputs2.pooledName}.`);
    let uncondHidden: Float32Array | null = null;
    let uncondPooled: Float32Array | null = null;
    if (guided) {
      if (first.uncond && second.uncond) {
        uncondHidden = concatenateHiddenAxis([first.uncond, second.uncond]).hidden;
        uncondPooled = second.uncond.pooled ?? new Float32Array(pooled.length);
      } else {
        // diffusers: negative_prompt_embeds = torch.zeros_like(prompt_embeds), negative_pooled = zeros_like(pooled).
        uncondHidden = new Float32Array(cond.hidden.length);
        uncondPooled = new Float32Array(pooled.length);
      }
    }
    const timeIds = sdxlTimeIds(this.options.size);
    const inputs: ConditioningInput[] = [
      { name: ENCODER_HIDDEN_STATES, itemShape: [cond.sequenceLength, cond.hiddenSize], cond: cond.hidden, uncond: uncondHidden },
      { name: this.options.textEmbedsName ?? TEXT_EMBEDS, itemShape: [pooled.length], cond: pooled, uncond: uncondPooled },
      { name: this.options.timeIdsName ?? TIME_IDS, itemShape: [timeIds.length], cond: timeIds, uncond: guided ? timeIds : null },
    ];
    const warnings = [...new Set([...first.warnings, ...second.warnings])];
    const infotext: ConditioningInfotext = first.emphasisInfotext ? { emphasis: first.emphasisInfotext } : {};
    return { guided, inputs, warnings, ...(Object.keys(infotext).length ? { infotext } : {}) };
  }
}
