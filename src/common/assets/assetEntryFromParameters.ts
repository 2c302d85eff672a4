// An image's A1111 infotext → the spec entry that rebuilds it: prompt, negative prompt, seed, steps, guidance,
// sampler and size exactly as the infotext records them (modules/infotext_utils.py parse_generation_parameters
// reads the same keys), tiling, and a hires fix with the Lanczos upscaler. What a spec cannot express yet (img2img /
// inpaint strength, a hires fix with an upscaler model, clip skip, a non-default emphasis: the build runs txt2img
// with the engine's defaults) is refused by name, since the entry would build another image.
import type { A1111Parameters } from '../metadata/a1111Parameters';
import { samplerFromA1111 } from '../samplers';
import { tilingFromInfotext } from '../tilingMode';
import type { AssetImage } from './assetSpecSchema';

/** Infotext keys of options a spec entry cannot express (A1111 modules/processing.py create_infotext). */
const UNSUPPORTED_KEYS: ReadonlyArray<[key: string, what: string]> = [
  ['Hires resize', 'hires fix to a fixed size (Hires resize)'],
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
    if (parameters.raw?.[key] !== undefined) {
      throw new Error(`this image was made with ${what}; a spec entry builds text-to-image only, so it would not be the same image`);
    }
  }
  const hires = hiresOf(parameters);
  // Without a hires fix, a denoising strength means image-to-image or inpainting.
  if (!hires && parameters.denoisingStrength !== undefined) {
    throw new Error('this image was made with image-to-image or inpainting (Denoising strength); a spec entry builds text-to-image only, so it would not be the same image');
  }
  const tiling = parameters.raw ? tilingFromInfotext(parameters.raw) : undefined;
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
    ...(tiling !== undefined ? { tiling } : {}),
    ...(hires ? { hires } : {}),
  };
  return entry;
}

/** A1111's hires keys ("Hires upscale", "Hires steps", "Hires upscaler", "Denoising strength") → the spec's `hires`. */
function hiresOf(parameters: A1111Parameters & { raw?: Record<string, string> }): AssetImage['hires'] | undefined {
  const raw = parameters.raw ?? {};
  if (raw['Hires upscale'] === undefined) return undefined;
  const upscaler = raw['Hires upscaler']?.trim();
  if (upscaler !== undefined && upscaler.toLowerCase() !== 'lanczos') {
    throw new Error(`this image's hires fix used the upscaler "${upscaler}"; spec builds upscale with Lanczos, so it would not be the same image`);
  }
  const scale = Number(raw['Hires upscale']);
  if (!Number.isFinite(scale)) throw new Error(`the infotext's Hires upscale is not a number: ${JSON.stringify(raw['Hires upscale'])}`);
  const steps = raw['Hires steps'] !== undefined ? Number(raw['Hires steps']) : undefined;
  return {
    scale,
    ...(parameters.denoisingStrength !== undefined ? { strength: parameters.denoisingStrength } : {}),
    ...(steps !== undefined && Number.isInteger(steps) ? { steps } : {}),
  };
}
