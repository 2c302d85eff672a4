// `generate --parameters FILE`: regenerate from an AUTOMATIC1111 infotext, as A1111's "PNG Info → Send to txt2img"
// does (modules/infotext_utils.py parse_generation_parameters). FILE is an image carrying the infotext (PNG
// `parameters` chunk, JPEG/WebP EXIF UserComment: ours, A1111's, Forge's) or a text file holding it. Options given
// on the command line win over the infotext's values.
import { parseA1111Parameters } from '../common/metadata/a1111Parameters';
import { LIMITS } from '../common/limits';
import { isEmphasisMode } from '../common/prompt/emphasisMode';
import { samplerFromA1111 } from '../common/samplers';
import { parseSeed } from '../common/seed';
import { tilingFromInfotext } from '../common/tilingMode';
import { UsageError, type GenerateCommand } from './cliArgs';

/** The fields of a generate command that an infotext gives, read from its text. */
export function argumentsFromInfotext(text: string, given: ReadonlySet<string> = new Set()): Partial<GenerateCommand> {
  let parsed: ReturnType<typeof parseA1111Parameters>;
  try {
    parsed = parseA1111Parameters(text);
  } catch (e) {
    throw new UsageError(`--parameters: ${(e as Error).message}.`);
  }
  const out: Partial<GenerateCommand> = { prompt: parsed.prompt };
  if (parsed.negativePrompt) out.negativePrompt = parsed.negativePrompt;
  if (Number.isInteger(parsed.steps) && parsed.steps > 0) out.steps = parsed.steps;
  if (Number.isFinite(parsed.cfgScale)) out.guidanceScale = parsed.cfgScale;
  if (parsed.width > 0 && parsed.height > 0) {
    out.width = parsed.width;
    out.height = parsed.height;
  }
  // The raw text, not the parsed number: seeds above 2^53 would lose digits.
  const seedText = parsed.raw['Seed'];
  if (seedText !== undefined) {
    const seed = parseSeed(seedText);
    if ('error' in seed) throw new UsageError(`--parameters: ${seed.error}`);
    if ('seed' in seed) out.seed = seed.seed;
  }
  if (parsed.sampler) {
    const sampler = samplerFromA1111(parsed.sampler, parsed.scheduleType);
    if (!sampler.ok) throw new UsageError(`--parameters: ${sampler.message}`);
    out.scheduler = sampler.name;
  }
  // A1111 create_infotext writes "Clip skip" above 1; sd_hijack_clip.py writes "Emphasis" for a mode other than
  // Original (infotext_utils.py reads both back into their settings).
  const clipSkipText = parsed.raw['Clip skip'];
  if (clipSkipText !== undefined && !given.has('clipSkip')) {
    const clipSkip = Number(clipSkipText.trim());
    if (!Number.isInteger(clipSkip) || clipSkip < LIMITS.clipSkip.min || clipSkip > LIMITS.clipSkip.max) {
      throw new UsageError(`--parameters: "Clip skip: ${clipSkipText}" is not a whole number from ${LIMITS.clipSkip.min} to ${LIMITS.clipSkip.max}.`);
    }
    out.clipSkip = clipSkip;
  }
  const emphasis = parsed.raw['Emphasis']?.trim();
  if (emphasis !== undefined && !given.has('emphasis')) {
    if (!isEmphasisMode(emphasis)) throw new UsageError(`--parameters: unknown "Emphasis: ${emphasis}"; pass --emphasis to choose one.`);
    out.emphasis = emphasis;
  }
  // A1111 create_infotext writes "Tiling: True" (our single-axis modes add "Tiling axes").
  const tiling = tilingFromInfotext(parsed.raw);
  if (tiling !== undefined) out.tiling = tiling;
  if (parsed.denoisingStrength !== undefined && Number.isFinite(parsed.denoisingStrength)) out.strength = parsed.denoisingStrength;
  // The hires fix (A1111 create_infotext): "Hires upscale", "Hires steps"; its strength is "Denoising strength".
  // "Hires upscaler" names a model we cannot locate by name: the command line's --upscaler (or Lanczos) is used.
  const hiresScale = Number(parsed.raw['Hires upscale']);
  if (parsed.raw['Hires upscale'] !== undefined && Number.isFinite(hiresScale)) {
    out.hiresScale = hiresScale;
    if (out.strength !== undefined) out.hiresStrength = out.strength;
    const hiresSteps = Number(parsed.raw['Hires steps']);
    if (parsed.raw['Hires steps'] !== undefined && Number.isInteger(hiresSteps)) out.hiresSteps = hiresSteps;
  }
  return out;
}

/** The command with the infotext's values filled in wherever the command line gave none. */
export function withInfotext(cmd: GenerateCommand, given: ReadonlySet<string>, text: string): GenerateCommand {
  const fromInfotext = argumentsFromInfotext(text, given);
  const merged: GenerateCommand = { ...cmd };
  for (const [key, value] of Object.entries(fromInfotext) as [keyof GenerateCommand, unknown][]) {
    if (given.has(key) || value === undefined) continue;
    // A strength only means something for img2img / inpaint.
    if (key === 'strength' && cmd.image === undefined) continue;
    // The hires fix is text to image only.
    if ((key === 'hiresScale' || key === 'hiresStrength' || key === 'hiresSteps') && cmd.image !== undefined) continue;
    (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}
