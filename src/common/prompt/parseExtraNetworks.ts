// AUTOMATIC1111's extra-network tags (`<lora:name:0.8>`, `<lyco:…>`, `<hypernet:…>`): stable-diffusion-webui
// `modules/extra_networks.py` parse_prompt (re_extra_net = `<(\w+):([^>]+)>`, every tag removed from the text that is
// encoded, arguments split on ':'), ExtraNetworkParams (an argument `key=value` is named, the rest positional) and
// `extensions-builtin/Lora/extra_networks_lora.py` activate (text-encoder multiplier = positional[1] or `te=`, default
// 1.0; UNet multiplier = positional[2] or `unet=`, default the text-encoder one). `lyco` is an alias of `lora` there.
// The prompt as written (tags included) is what the infotext keeps; this only says what to encode and what to apply.

export interface ExtraNetworkTag {
  /** The tag's kind as written: 'lora', 'lyco', 'hypernet', or any other word (A1111 skips unknown kinds). */
  kind: string;
  /** positional[0]: the network's name (file name without extension, or its alias). */
  name: string;
  /** Text-encoder multiplier (A1111 te_multiplier; the hypernet's only multiplier). */
  weight: number;
  /** UNet multiplier (A1111 unet_multiplier); equals `weight` unless given. */
  unetWeight: number;
  /** The tag exactly as it appears in the prompt. */
  tag: string;
  /** Every ':'-separated argument after the kind, as written. */
  args: string[];
}

export interface ExtraNetworksParse {
  /** The prompt with every `<kind:…>` tag removed (replaced by nothing, as A1111's re.sub does). */
  text: string;
  networks: ExtraNetworkTag[];
  /** Tags whose multiplier is not a number (A1111 raises in activate and skips that network). */
  problems: string[];
}

/** re_extra_net; `\w` as Python's (Unicode letters, numbers, '_'). */
const RE_EXTRA_NET = /<([\p{L}\p{N}_]+):([^>]+)>/gu;
/**
 * A finite Python float() literal (float() strips surrounding whitespace). float() also takes inf and nan; a
 * non-finite multiplier would poison every weight it scales, so it is refused here like a non-number.
 */
const PY_FLOAT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
/** extra_networks_default_multiplier's default (modules/shared_options.py). */
const DEFAULT_MULTIPLIER = 1.0;

export function parseExtraNetworks(prompt: string): ExtraNetworksParse {
  const networks: ExtraNetworkTag[] = [];
  const problems: string[] = [];
  const text = prompt.replace(RE_EXTRA_NET, (tag: string, kind: string, argText: string) => {
    const args = argText.split(':');
    const positional: string[] = [];
    const named = new Map<string, string>();
    for (const item of args) {
      // ExtraNetworkParams: item.split('=', 2) — exactly two parts make a named argument.
      const parts = item.split('=');
      if (parts.length === 2) named.set(parts[0], parts[1]);
      else positional.push(item);
    }
    const number = (value: string | undefined, fallback: number): number => {
      if (value === undefined) return fallback;
      if (!PY_FLOAT.test(value)) throw new Error(`"${value}" is not a finite number`);
      return Number(value.trim());
    };
    try {
      if (positional.length === 0) throw new Error('it has no name');
      let weight = number(positional[1], DEFAULT_MULTIPLIER);
      weight = number(named.get('te'), weight);
      let unetWeight = number(positional[2], weight);
      unetWeight = number(named.get('unet'), unetWeight);
      networks.push({ kind, name: positional[0], weight, unetWeight, tag, args });
    } catch (error) {
      problems.push(`${tag}: ${(error as Error).message}; it is ignored.`);
    }
    return '';
  });
  return { text, networks, problems };
}
