// An image's A1111 infotext → the spec entry that rebuilds it: prompt, negative prompt, seed, steps, guidance,
// sampler and size exactly as the infotext records them (modules/infotext_utils.py parse_generation_parameters
// reads the same keys). What a spec cannot express yet (img2img / inpaint strength, hires fix, clip skip, a
// non-default emphasis: the build runs plain txt2img with the engine's defaults) is refused by name, since the
// entry would build another image.
import type { A1111Parameters } from '../metadata/a1111Parameters';
import { samplerFromA1111 } from '../samplers';
import type { AssetImage } from './assetSpecSchema';

/** Infotext keys of options a spec entry cannot express (A1111 modules/processing.py create_infotext). */
const UNSUPPORTED_KEYS: ReadonlyArray<[key: string, what: string]> = [
  ['Denoising strength', 'image-to-image or inpainting (Denoising strength)'],
  ['Hires upscale', 'hires fix'],
  ['Hires resize', 'hires fix'],
  ['Mask blur', 'inpainting'],
];

export interface AssetEntryFromParametersOptions {
  /** Where the entry writes, relative to the spec's folder. */
  output: string;
  /** The spec's `model` value for this image; left out of the entry when it equals `defaultModel`. */
  model: string;
  defaultModel?: string;
}

export function assetEntryFromParameters(parameters: A1111Parameters & { raw?: Record<string, string> }, options: AssetEntryFromParametersOptions): AssetImage {
  for (const [key, what] of UNSUPPORTED_KEYS) {
    if (parameters.raw?.[key] !== undefined || (key === 'Denoising strength' && parameters.denoisingStrength !== undefined)) {
      throw new Error(`this image was made with ${what}; a spec entry builds text-to-image only, so it would not be the same image`);
    }
  }
  if (parameters.clipSkip !== undefined && parameters.clipSkip > 1) {
    throw new Error(`this image was made with Clip skip ${parameters.clipSkip}; spec builds use the text encoder's last layer, so it would not be the same image`);
  }
  if (parameters.emphasis !== undefined && parameters.emphasis !== 'Original') {
    throw new Error(`this image was made with emphasis "${parameters.emphasis}"; spec builds use "Original", so it would not be the same image`);
  }
  const sampler = samplerFromA1111(parameters.sampler, parameters.scheduleType);
  if (!sampler.ok) throw new Error(`${sampler.message}; edit "scheduler" in the entry if "${sampler.closest}" will do`);
  // The raw text, not the parsed number: seeds above 2^53 do not survive a JavaScript number.
  const seedText = parameters.raw?.Seed?.trim() ?? parameters.seed.toString();
  if (!/^-?\d+$/.test(seedText)) throw new Error(`the infotext's Seed is not a whole number: ${JSON.stringify(seedText)}`);
  const seed = BigInt(seedText);
  if (seed < 0n) throw new Error('this image has no fixed seed (Seed: -1)');
  const entry: AssetImage = {
    output: options.output,
    prompt: parameters.prompt,
    ...(parameters.negativePrompt ? { negativePrompt: parameters.negativePrompt } : {}),
    ...(options.model !== options.defaultModel ? { model: options.model } : {}),
    // A number while JSON keeps it exact, else its decimal string (the schema accepts both).
    seed: seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : seed.toString(),
    steps: parameters.steps,
    guidance: parameters.cfgScale,
    scheduler: sampler.name,
    width: parameters.width,
    height: parameters.height,
  };
  return entry;
}
