// A1111's "Send to inpaint": an image that carries its own generation parameters (PNG `parameters`, JPEG/WebP
// EXIF, as A1111 / Forge / we write them) opens in the inpaint editor with its prompt and negative prompt.
// The rest (steps, guidance, sampler) stays the editor's: those suit the inpaint model, not the original one.
import { parseA1111Parameters } from '../../common/metadata/a1111Parameters';
import type { InpaintSettings } from '../../common/protocol/inpaintEditorProtocol';

export function carryImageParameters(settings: InpaintSettings, parametersText: string | undefined): InpaintSettings {
  if (parametersText === undefined || parametersText.trim() === '') return settings;
  let parsed;
  try {
    parsed = parseA1111Parameters(parametersText);
  } catch {
    return settings; // not an infotext we can read: nothing to carry
  }
  if (parsed.prompt.trim() === '') return settings;
  return { ...settings, prompt: parsed.prompt, negativePrompt: parsed.negativePrompt ?? '' };
}
