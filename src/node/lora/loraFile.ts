// A LoRA file's layers, read from its safetensors header alone: which module each pair of factors adapts, in which
// model part, with which rank and alpha. Two key layouts are understood:
// - kohya sd-scripts `networks/lora.py` (LoRANetwork: LORA_PREFIX_UNET = "lora_unet", LORA_PREFIX_TEXT_ENCODER =
//   "lora_te", SDXL's "lora_te1"/"lora_te2"; lora_name = prefix + "." + module path, with "." → "_"; tensors
//   `<lora_name>.lora_down.weight` [r, in(, kh, kw)], `.lora_up.weight` [out, r(, 1, 1)], `.alpha` (scalar; absent →
//   alpha = r, LoRAModule.__init__ `alpha = lora_dim if alpha is None`)). LoCon conv layers use the same keys.
// - PEFT / diffusers (diffusers `loaders/lora_pipeline.py` save_lora_weights: `unet.<module>.lora_A.weight` = down,
//   `.lora_B.weight` = up, `text_encoder.` / `text_encoder_2.` prefixes; no alpha = rank, i.e. scale 1), and the
//   older diffusers attention-processor keys (`….attn1.processor.to_q_lora.down.weight`, diffusers
//   `loaders/lora_conversion_utils.py`).
// LyCORIS' other networks are recognised by their tensor names and refused by name: LoHa (`hada_w1_a`), LoKr
// (`lokr_w1`), DoRA (`dora_scale`, PEFT `lora_magnitude_vector`), CP-decomposed LoCon (`lora_mid`), OFT, full diff.
import * as path from 'node:path';
import { readLoraMetadata, type LoraMetadata } from './loraMetadata';
import { readSafetensorsHeader, type SafetensorsHeader } from './safetensorsFile';
import { isSgmName, sgmToDiffusersName } from './sgmToDiffusers';

export type LoraTarget = 'unet' | 'text_encoder' | 'text_encoder_2';

export interface LoraModule {
  target: LoraTarget;
  /** The adapted module's diffusers path in kohya's underscore spelling: `down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k`. */
  key: string;
  /** The name in the file (`lora_unet_input_blocks_4_1_…`, `unet.down_blocks.0.….`), for messages. */
  sourceName: string;
  /** Tensor names of the factors: down [r, in(, kh, kw)], up [out, r(, 1, 1)]. */
  down: string;
  up: string;
  /** Tensor name of alpha, if the file has one. */
  alpha?: string;
  rank: number;
}

export type LoraFormat = 'kohya' | 'peft';

export interface LoraFile {
  file: string;
  /** The file name without .safetensors: what `<lora:name:…>` calls it. */
  name: string;
  header: SafetensorsHeader;
  format: LoraFormat;
  modules: LoraModule[];
  /** kohya UNet keys in SGM/LDM block names (converted to diffusers names in `modules`). */
  sgmNames: boolean;
  /** An SDXL LoRA by its keys (lora_te1_/lora_te2_, text_encoder_2.) or its metadata. */
  sdxl: boolean;
  metadata: LoraMetadata;
}

export interface ReadLoraOptions {
  /** The UNet's layers_per_block (unet/config.json), for SGM names; default 2 (SD 1.x, 2.x, SDXL). */
  layersPerBlock?: number;
}

/** Tensor-name fragments of network types this code does not merge, and what they are called. */
const REFUSED: ReadonlyArray<[RegExp, string]> = [
  [/\.hada_w[12]_[ab]$|\.hada_t[12]$/, 'LoHa (LyCORIS Hadamard product)'],
  [/\.lokr_w[12](_[ab])?$|\.lokr_t2$/, 'LoKr (LyCORIS Kronecker product)'],
  [/\.dora_scale$|\.lora_magnitude_vector(\.weight)?$/, 'DoRA (weight-decomposed LoRA)'],
  [/\.lora_mid\.weight$/, 'LoCon with CP decomposition (lora_mid, LyCORIS "use_tucker")'],
  [/\.oft_blocks$|\.oft_diag$/, 'OFT (orthogonal fine-tuning)'],
  [/\.diff$|\.diff_b$/, 'a full weight difference (LyCORIS "full")'],
  [/\.ia3_weight$|\.on_input$/, '(IA)³'],
  [/\.glora_[ab][12]\.weight$/, 'GLoRA'],
];

const KOHYA_PREFIX: ReadonlyArray<[string, LoraTarget]> = [
  ['lora_unet_', 'unet'],
  ['lora_te1_', 'text_encoder'],
  ['lora_te2_', 'text_encoder_2'],
  ['lora_te_', 'text_encoder'],
];

/** Old diffusers attention-processor names → the module they adapt (UNet Attention, CLIP attention). */
const PROCESSOR_MODULE: Record<string, { unet: string; text: string }> = {
  to_q: { unet: 'to_q', text: 'q_proj' },
  to_k: { unet: 'to_k', text: 'k_proj' },
  to_v: { unet: 'to_v', text: 'v_proj' },
  to_out: { unet: 'to_out_0', text: 'out_proj' },
};

export class UnsupportedLoraError extends Error {}

function underscore(modulePath: string): string {
  return modulePath.replace(/[./]/g, '_');
}

export function readLoraFile(file: string, options: ReadLoraOptions = {}): LoraFile {
  const header = readSafetensorsHeader(file);
  const names = [...header.tensors.keys()];
  for (const [pattern, type] of REFUSED) {
    const found = names.find((n) => pattern.test(n));
    if (found) {
      throw new UnsupportedLoraError(
        `${path.basename(file)} is ${type} (tensor ${found}); only LoRA and LoCon (lora_down/lora_up, lora_A/lora_B) files can be applied.`,
      );
    }
  }
  const layersPerBlock = options.layersPerBlock ?? 2;
  const modules: LoraModule[] = [];
  let sgmNames = false;
  let kohya = 0;
  let peft = 0;
  const rankOf = (down: string): number => header.tensors.get(down)?.shape[0] ?? 0;
  for (const name of names) {
    let m = /^(lora_(?:unet|te1|te2|te)_.+)\.lora_down\.weight$/.exec(name);
    if (m) {
      const base = m[1];
      const [prefix, target] = KOHYA_PREFIX.find(([p]) => base.startsWith(p)) as [string, LoraTarget];
      let key = base.slice(prefix.length);
      if (target === 'unet' && isSgmName(key)) {
        sgmNames = true;
        key = sgmToDiffusersName(key, layersPerBlock) ?? key;
      }
      const up = `${base}.lora_up.weight`;
      if (!header.tensors.has(up)) throw new Error(`${path.basename(file)}: ${name} has no ${up}`);
      const alpha = header.tensors.has(`${base}.alpha`) ? `${base}.alpha` : undefined;
      modules.push({ target, key, sourceName: base, down: name, up, ...(alpha ? { alpha } : {}), rank: rankOf(name) });
      kohya++;
      continue;
    }
    m = /^(?:(unet|text_encoder|text_encoder_2)\.|base_model\.model\.)(.+)\.lora_A(?:\.default)?\.weight$/.exec(name);
    if (m) {
      const modulePath = m[2];
      const target: LoraTarget = (m[1] as LoraTarget | undefined) ?? (modulePath.startsWith('text_model.') ? 'text_encoder' : 'unet');
      const base = name.slice(0, name.length - (name.endsWith('.default.weight') ? '.lora_A.default.weight' : '.lora_A.weight').length);
      const up = name.replace(/\.lora_A(\.default)?\.weight$/, '.lora_B$1.weight');
      if (!header.tensors.has(up)) throw new Error(`${path.basename(file)}: ${name} has no ${up}`);
      const alpha = header.tensors.has(`${base}.alpha`) ? `${base}.alpha` : undefined;
      modules.push({ target, key: underscore(modulePath), sourceName: base, down: name, up, ...(alpha ? { alpha } : {}), rank: rankOf(name) });
      peft++;
      continue;
    }
    m = /^(unet|text_encoder|text_encoder_2)\.(.+?)\.(?:processor\.)?(to_q|to_k|to_v|to_out)_lora\.down\.weight$/.exec(name);
    if (m) {
      const target = m[1] as LoraTarget;
      const moduleName = PROCESSOR_MODULE[m[3]][target === 'unet' ? 'unet' : 'text'];
      const up = name.replace(/\.down\.weight$/, '.up.weight');
      if (!header.tensors.has(up)) throw new Error(`${path.basename(file)}: ${name} has no ${up}`);
      modules.push({ target, key: `${underscore(m[2])}_${moduleName}`, sourceName: name.replace(/\.down\.weight$/, ''), down: name, up, rank: rankOf(name) });
      peft++;
    }
  }
  if (modules.length === 0) {
    throw new UnsupportedLoraError(
      `${path.basename(file)} has no LoRA layers this code reads (kohya lora_down/lora_up or PEFT lora_A/lora_B keys); its first tensors: ${names.slice(0, 3).join(', ') || 'none'}.`,
    );
  }
  const metadata = readLoraMetadata(header.metadata);
  const sdxl =
    modules.some((m) => m.target === 'text_encoder_2') ||
    names.some((n) => n.startsWith('lora_te1_')) ||
    /sdxl|stable-diffusion-xl/i.test(metadata.baseModel ?? '');
  return {
    file,
    name: path.basename(file).replace(/\.safetensors$/i, ''),
    header,
    format: kohya >= peft ? 'kohya' : 'peft',
    modules,
    sgmNames,
    sdxl,
    metadata,
  };
}
