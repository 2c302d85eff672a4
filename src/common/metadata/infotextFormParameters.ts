// An A1111 infotext (ours, A1111's, Forge's) as the Generate panel's form parameters, as A1111's "PNG Info → Send to
// txt2img" fills its form (modules/infotext_utils.py parse_generation_parameters): prompt, negative prompt, steps,
// CFG, seed, size, sampler, denoising strength. Lenient where the CLI's --parameters is strict
// (src/cli/infotextArguments.ts): a value the panel cannot take is left out and said in `notes`, the rest is used.
import { LIMITS, inRange } from '../limits';
import { parseA1111Parameters } from './a1111Parameters';
import type { PanelParameters } from '../protocol/generatePanelProtocol';
import { samplerFromA1111 } from '../samplers';
import { parseSeed } from '../seed';

export type InfotextFormParameters = { parameters: PanelParameters; notes: string[] } | { error: string };

/** `from`: where the text came from (a file name, "the history"), shown in the form. */
export function infotextFormParameters(text: string | undefined, from: string): InfotextFormParameters {
  if (text === undefined || text.trim() === '') return { error: `${from} has no generation parameters (no A1111 "parameters" text or EXIF UserComment).` };
  let parsed: ReturnType<typeof parseA1111Parameters>;
  try {
    parsed = parseA1111Parameters(text);
  } catch (error) {
    return { error: `${from}: ${error instanceof Error ? error.message : String(error)}.` };
  }
  const notes: string[] = [];
  const parameters: PanelParameters = {
    prompt: parsed.prompt.slice(0, LIMITS.promptLength.max),
    negativePrompt: (parsed.negativePrompt ?? '').slice(0, LIMITS.promptLength.max),
    from,
  };
  if (Number.isInteger(parsed.steps) && inRange(parsed.steps, LIMITS.steps)) parameters.steps = parsed.steps;
  else notes.push(`steps ${parsed.steps} left out`);
  if (inRange(parsed.cfgScale, LIMITS.guidanceScale)) parameters.guidanceScale = parsed.cfgScale;
  else notes.push(`CFG scale ${parsed.cfgScale} left out`);
  if (Number.isInteger(parsed.width) && Number.isInteger(parsed.height) && inRange(parsed.width, LIMITS.size) && inRange(parsed.height, LIMITS.size)) {
    parameters.width = parsed.width;
    parameters.height = parsed.height;
  } else notes.push(`size ${parsed.width}×${parsed.height} left out`);
  // The raw text, not the parsed number: seeds above 2^53 would lose digits.
  const seedText = parsed.raw['Seed'];
  if (seedText !== undefined) {
    const seed = parseSeed(seedText);
    if ('seed' in seed) parameters.seed = seed.seed.toString();
    else if ('error' in seed) notes.push(`seed ${seedText.trim()} left out`);
  }
  if (parsed.sampler) {
    const sampler = samplerFromA1111(parsed.sampler, parsed.scheduleType);
    if (sampler.ok) parameters.scheduler = sampler.name;
    else notes.push(sampler.message);
  }
  if (parsed.denoisingStrength !== undefined && inRange(parsed.denoisingStrength, LIMITS.strength)) parameters.strength = parsed.denoisingStrength;
  return { parameters, notes };
}
