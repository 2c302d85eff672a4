// The scales Upscale Image… offers. A model upscales by its own factor (read from its graph by the engine); another
// scale is that, then Lanczos to the asked size (src/engine/upscale/upscaleImage.ts). Pure: unit-tested.
import { LIMITS } from '../../common/limits';

export interface ScaleChoice {
  label: string;
  description?: string;
  /** undefined: the model's own scale. */
  scale?: number;
  /** Ask for a number. */
  other?: true;
}

/** Lanczos with no scale given (the engine's default too). */
export const LANCZOS_DEFAULT_SCALE = 2;
const COMMON_SCALES = [1.5, 2, 3, 4] as const;

export function upscaleScaleChoices(withModel: boolean): ScaleChoice[] {
  const fixed = COMMON_SCALES.map((scale): ScaleChoice => ({
    label: `×${scale}`,
    scale,
    ...(!withModel && scale === LANCZOS_DEFAULT_SCALE ? { description: 'default' } : {}),
  }));
  return [
    ...(withModel ? [{ label: "The model's scale", description: 'default: read from the model' } satisfies ScaleChoice] : []),
    ...fixed,
    { label: 'Other…', description: `${LIMITS.upscaleScale.min}–${LIMITS.upscaleScale.max}`, other: true },
  ];
}

/** The typed scale, or why it is refused. */
export function parseScale(text: string): { scale: number } | { error: string } {
  const scale = Number(text.trim().replace(/^[x×]/i, ''));
  if (text.trim() === '' || !Number.isFinite(scale) || scale < LIMITS.upscaleScale.min || scale > LIMITS.upscaleScale.max) {
    return { error: `Enter a scale from ${LIMITS.upscaleScale.min} to ${LIMITS.upscaleScale.max} (for example 2 or 1.5).` };
  }
  return { scale };
}
