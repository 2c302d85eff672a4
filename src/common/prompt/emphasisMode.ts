// AUTOMATIC1111's "Emphasis mode" setting: stable-diffusion-webui `modules/sd_emphasis.py` (options, names and
// descriptions) and `modules/sd_hijack_clip.py` (tokenize_line skips the parser for "None"; forward records a
// non-default mode in the infotext as `Emphasis: <name>`).

export const EMPHASIS_MODES = ['Original', 'No norm', 'Ignore', 'None'] as const;
export type EmphasisMode = (typeof EMPHASIS_MODES)[number];

/** A1111's default (modules/shared_options.py "emphasis"). */
export const DEFAULT_EMPHASIS: EmphasisMode = 'Original';

/** sd_emphasis.py descriptions (its "empasised" typo fixed), for settings and CLI help. */
export const EMPHASIS_DESCRIPTIONS: Readonly<Record<EmphasisMode, string>> = {
  Original: 'the original emphasis implementation',
  'No norm': 'same as original, but without normalization (seems to work better for SDXL)',
  Ignore: 'treat all emphasised words as if they have no emphasis',
  None: 'disable the mechanism entirely and treat (:.1.1) as literal characters',
};

export function isEmphasisMode(value: unknown): value is EmphasisMode {
  return typeof value === 'string' && (EMPHASIS_MODES as readonly string[]).includes(value);
}

/** The infotext's `Emphasis` value, or undefined: A1111 writes it when a mode other than Original meets a `(` or `[`. */
export function emphasisInfotextValue(mode: EmphasisMode, encodedPrompts: readonly string[]): string | undefined {
  if (mode === DEFAULT_EMPHASIS) return undefined;
  return encodedPrompts.some((p) => p.includes('(') || p.includes('[')) ? mode : undefined;
}

/** The command line's spelling of each mode (`--emphasis no-norm`): lower case, a hyphen for the space. */
export const EMPHASIS_CLI_NAMES: Readonly<Record<string, EmphasisMode>> = Object.fromEntries(
  EMPHASIS_MODES.map((mode) => [mode.toLowerCase().replace(/ /g, '-'), mode]),
);
