// What a LoRA file says about itself in its safetensors "__metadata__": kohya sd-scripts `train_network.py` writes
// ss_* keys (ss_network_module, ss_network_dim, ss_network_alpha, ss_base_model_version, ss_output_name, and
// ss_tag_frequency = JSON {dataset dir: {tag: count}}, the captions' tags), and the Stability AI model-spec keys
// (`modelspec.architecture`, `modelspec.title`, `modelspec.trigger_phrase`). A1111 `extensions-builtin/Lora/ui_edit_user_metadata.py`
// builds its "activation text" suggestions from ss_tag_frequency the same way: tags by total count.

export interface LoraMetadata {
  /** ss_network_module: 'networks.lora' (kohya LoRA / LoCon), 'lycoris.kohya', …; undefined when unsaid. */
  networkModule?: string;
  networkDim?: number;
  networkAlpha?: number;
  /** ss_base_model_version ('sd_v1', 'sdxl_base_v1-0', …) or modelspec.architecture. */
  baseModel?: string;
  title?: string;
  /** Trigger words: modelspec.trigger_phrase first, then ss_tag_frequency's tags, most frequent first. */
  triggerWords: string[];
  /** Every ss_* key as written. */
  training: Record<string, string>;
}

/** Trigger words kept for the UI (A1111 shows the top tags). */
const MAX_TRIGGER_WORDS = 20;

function numberOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function tagsByFrequency(text: string | undefined): string[] {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null) return [];
  const counts = new Map<string, number>();
  for (const dataset of Object.values(parsed as Record<string, unknown>)) {
    if (typeof dataset !== 'object' || dataset === null) continue;
    for (const [tag, count] of Object.entries(dataset as Record<string, unknown>)) {
      const name = tag.trim();
      if (name && typeof count === 'number') counts.set(name, (counts.get(name) ?? 0) + count);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([tag]) => tag);
}

export function readLoraMetadata(metadata: Record<string, string>): LoraMetadata {
  const training = Object.fromEntries(Object.entries(metadata).filter(([k]) => k.startsWith('ss_')));
  const phrase = metadata['modelspec.trigger_phrase']?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  const words = [...new Set([...phrase, ...tagsByFrequency(metadata.ss_tag_frequency)])].slice(0, MAX_TRIGGER_WORDS);
  const baseModel = metadata.ss_base_model_version ?? metadata['modelspec.architecture'];
  const title = metadata['modelspec.title'] ?? metadata.ss_output_name;
  const networkDim = numberOf(metadata.ss_network_dim);
  const networkAlpha = numberOf(metadata.ss_network_alpha);
  return {
    ...(metadata.ss_network_module ? { networkModule: metadata.ss_network_module } : {}),
    ...(networkDim !== undefined ? { networkDim } : {}),
    ...(networkAlpha !== undefined ? { networkAlpha } : {}),
    ...(baseModel ? { baseModel } : {}),
    ...(title ? { title } : {}),
    triggerWords: words,
    training,
  };
}
