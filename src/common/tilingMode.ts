// Seamless tiling ("Tiling" in AUTOMATIC1111, `p.tiling`; "Seamless" X/Y in InvokeAI): every padded convolution of
// the UNet and the VAE pads circularly along the chosen axes, so the image continues across its own edges.
// A1111 `modules/sd_hijack.py` apply_circular sets padding_mode='circular' on both axes; the single-axis modes
// follow InvokeAI's seamless_x / seamless_y.
import { parseA1111Parameters } from './metadata/a1111Parameters';

export const TILING_MODES = ['xy', 'x', 'y'] as const;
/** x: left and right edges continue each other; y: top and bottom; xy: both. */
export type TilingMode = (typeof TILING_MODES)[number];

export function isTilingMode(value: unknown): value is TilingMode {
  return typeof value === 'string' && (TILING_MODES as readonly string[]).includes(value);
}

/** Whether a mode wraps the width (x) and the height (y). */
export function tilingAxes(mode: TilingMode): { x: boolean; y: boolean } {
  return { x: mode.includes('x'), y: mode.includes('y') };
}

/** A1111 create_infotext writes `Tiling: True`; it has no axis, so a single axis adds `Tiling axes: X` (or Y). */
export function tilingInfotextFields(mode: TilingMode | undefined): [string, string][] {
  if (mode === undefined) return [];
  return mode === 'xy' ? [['Tiling', 'True']] : [['Tiling', 'True'], ['Tiling axes', mode.toUpperCase()]];
}

/** Reads the infotext's fields back: `Tiling: True` alone is both axes (as A1111 means it). */
export function tilingFromInfotext(raw: Readonly<Record<string, string>>): TilingMode | undefined {
  if (raw['Tiling']?.trim().toLowerCase() !== 'true') return undefined;
  const axes = raw['Tiling axes']?.trim().toLowerCase();
  return isTilingMode(axes) ? axes : 'xy';
}

/** The tiling an image's infotext records (undefined: none, or not an infotext). */
export function tilingOfInfotext(text: string): TilingMode | undefined {
  try {
    return tilingFromInfotext(parseA1111Parameters(text).raw);
  } catch {
    return undefined;
  }
}

/** The tiled preview's layout: 3×3 for both axes, 3 side by side for x, 3 stacked for y. */
export function tiledPreviewGrid(mode: TilingMode): { columns: number; rows: number } {
  const { x, y } = tilingAxes(mode);
  return { columns: x ? 3 : 1, rows: y ? 3 : 1 };
}
