// SGM / original-LDM UNet module names (`input_blocks.4.1.transformer_blocks.0.attn1.to_q`, as kohya sd-scripts
// `library/sdxl_original_unet.py` names SDXL's UNet and as compvis checkpoints name SD 1.x's) turned into diffusers
// module names (`down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q`), in kohya's underscore spelling.
// The block arithmetic is diffusers `loaders/lora_conversion_utils.py` `_maybe_map_sgm_blocks_to_diffusers`:
// input_blocks.i (i ≥ 1) → down_blocks.((i−1) // (L+1)), layer (i−1) % (L+1), inner block 0 = resnets, 1 =
// attentions, `op` = downsamplers.0; middle_block.0/1/2 → mid_block.resnets.0 / attentions.0 / resnets.1;
// output_blocks.i → up_blocks.(i // (L+1)), layer i % (L+1), inner 2 = upsamplers.0 (L = layers_per_block). The
// layer renames inside resnets (in_layers.2 → conv1, out_layers.3 → conv2, emb_layers.1 → time_emb_proj,
// skip_connection → conv_shortcut, op → conv) are `_convert_kohya_lora_to_diffusers`'s; the top-level ones
// (time_embed, label_emb, input_blocks.0.0, out.2) follow diffusers `scripts/convert_original_stable_diffusion_to_diffusers.py`
// (`convert_ldm_unet_checkpoint`).

const TOP_LEVEL: ReadonlyArray<[RegExp, string]> = [
  [/^time_embed_0(?=_|$)/, 'time_embedding_linear_1'],
  [/^time_embed_2(?=_|$)/, 'time_embedding_linear_2'],
  [/^label_emb_0_0(?=_|$)/, 'add_embedding_linear_1'],
  [/^label_emb_0_2(?=_|$)/, 'add_embedding_linear_2'],
  [/^input_blocks_0_0(?=_|$)/, 'conv_in'],
  [/^out_0(?=_|$)/, 'conv_norm_out'],
  [/^out_2(?=_|$)/, 'conv_out'],
];

/** Inside a resnet block: LDM ResBlock layer names → diffusers ResnetBlock2D. */
const RESNET_LAYERS: ReadonlyArray<[RegExp, string]> = [
  [/^in_layers_0(?=_|$)/, 'norm1'],
  [/^in_layers_2(?=_|$)/, 'conv1'],
  [/^out_layers_0(?=_|$)/, 'norm2'],
  [/^out_layers_3(?=_|$)/, 'conv2'],
  [/^emb_layers_1(?=_|$)/, 'time_emb_proj'],
  [/^skip_connection(?=_|$)/, 'conv_shortcut'],
];

const INNER = ['resnets', 'attentions', 'upsamplers'] as const;

/** Whether a kohya UNet module name (without `lora_unet_`) uses SGM/LDM block names. */
export function isSgmName(name: string): boolean {
  return /^(input_blocks|middle_block|output_blocks|time_embed|label_emb|out)_\d/.test(name);
}

function renameInner(kind: string, rest: string): string {
  if (kind !== 'resnets') return rest;
  for (const [pattern, replacement] of RESNET_LAYERS) if (pattern.test(rest)) return rest.replace(pattern, replacement);
  return rest;
}

/**
 * The diffusers name (underscore spelling) of an SGM/LDM module name, or undefined when it is none of the block
 * patterns. `layersPerBlock`: the UNet config's layers_per_block (2 for SD 1.x, 2.x and SDXL).
 */
export function sgmToDiffusersName(name: string, layersPerBlock: number): string | undefined {
  for (const [pattern, replacement] of TOP_LEVEL) if (pattern.test(name)) return name.replace(pattern, replacement);
  const perBlock = layersPerBlock + 1;
  let m = /^input_blocks_(\d+)_(\d+)_(.+)$/.exec(name);
  if (m) {
    const i = Number(m[1]);
    const inner = Number(m[2]);
    const block = Math.floor((i - 1) / perBlock);
    if (i < 1) return undefined;
    if (m[3] === 'op' || m[3].startsWith('op_')) return `down_blocks_${block}_downsamplers_0_${m[3].replace(/^op/, 'conv')}`;
    const kind = INNER[inner];
    if (kind === undefined || kind === 'upsamplers') return undefined;
    return `down_blocks_${block}_${kind}_${(i - 1) % perBlock}_${renameInner(kind, m[3])}`;
  }
  m = /^middle_block_(\d+)_(.+)$/.exec(name);
  if (m) {
    const part = [['resnets', 0], ['attentions', 0], ['resnets', 1]][Number(m[1])] as [string, number] | undefined;
    if (!part) return undefined;
    return `mid_block_${part[0]}_${part[1]}_${renameInner(part[0], m[2])}`;
  }
  m = /^output_blocks_(\d+)_(\d+)_(.+)$/.exec(name);
  if (m) {
    const i = Number(m[1]);
    const inner = Number(m[2]);
    // A block without attention has its upsampler second (SD 1.x output_blocks.2.1.conv): an attention block has
    // no `conv` child, so inner 1 + conv is that upsampler (diffusers' map assumes attention, as in SDXL).
    const kind = inner === 1 && /^conv(_|$)/.test(m[3]) ? 'upsamplers' : INNER[inner];
    if (kind === undefined) return undefined;
    const layer = kind !== 'upsamplers' ? i % perBlock : 0;
    return `up_blocks_${Math.floor(i / perBlock)}_${kind}_${layer}_${renameInner(kind, m[3])}`;
  }
  return undefined;
}
