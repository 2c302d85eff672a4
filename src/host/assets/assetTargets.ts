// "Generate Image Here" targets: the size presets, custom sizes, output formats, the cover-crop that turns the
// generated image into the exact target size. No vscode, no sharp: unit-tested.

export const ASSET_FORMATS = ['png', 'webp', 'jpeg'] as const;
export type AssetFormat = (typeof ASSET_FORMATS)[number];

export const ASSET_FORMAT_EXTENSIONS: Readonly<Record<AssetFormat, string>> = { png: 'png', webp: 'webp', jpeg: 'jpg' };

export interface AssetSize {
  width: number;
  height: number;
}

export interface AssetTarget extends AssetSize {
  id: string;
  label: string;
}

export const ICON_SIZES = [16, 32, 48, 64, 128, 256, 512] as const;
/** Open Graph / Twitter card size. */
export const SOCIAL_CARD: AssetSize = { width: 1200, height: 630 };
export const SQUARE_LARGE: AssetSize = { width: 1024, height: 1024 };
/** Largest custom side accepted (sharp handles more, but an asset this large is almost surely a typo). */
export const MAX_ASSET_SIDE = 8192;

export const ASSET_TARGET_PRESETS: readonly AssetTarget[] = [
  ...ICON_SIZES.map((s) => ({ id: `icon-${s}`, label: `Icon ${s}×${s}`, width: s, height: s })),
  { id: 'square-1024', label: `Square ${SQUARE_LARGE.width}×${SQUARE_LARGE.height}`, ...SQUARE_LARGE },
  { id: 'social-card', label: `Social card ${SOCIAL_CARD.width}×${SOCIAL_CARD.height}`, ...SOCIAL_CARD },
];

/** Parses "1200x630", "1200×630", "1200 X 630" or "256" (a square). Returns the size or a message. */
export function parseAssetSize(text: string): AssetSize | { error: string } {
  const match = /^\s*(\d+)\s*(?:[x×*,]\s*(\d+))?\s*(?:px)?\s*$/i.exec(text);
  if (!match) return { error: 'Enter a size as WIDTHxHEIGHT, e.g. 1200x630, or one number for a square.' };
  const width = Number(match[1]);
  const height = match[2] === undefined ? width : Number(match[2]);
  for (const [name, value] of [
    ['Width', width],
    ['Height', height],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) return { error: `${name} must be at least 1 pixel.` };
    if (value > MAX_ASSET_SIDE) return { error: `${name} must be at most ${MAX_ASSET_SIDE} pixels.` };
  }
  return { width, height };
}

/** Scale the source so that it covers the target, then cut the centre: no distortion, no borders. */
export interface CoverCrop {
  resizeWidth: number;
  resizeHeight: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

export function planCoverCrop(source: AssetSize, target: AssetSize): CoverCrop {
  if (source.width < 1 || source.height < 1) throw new Error('The source image is empty.');
  const scale = Math.max(target.width / source.width, target.height / source.height);
  const resizeWidth = Math.max(target.width, Math.round(source.width * scale));
  const resizeHeight = Math.max(target.height, Math.round(source.height * scale));
  return {
    resizeWidth,
    resizeHeight,
    left: Math.floor((resizeWidth - target.width) / 2),
    top: Math.floor((resizeHeight - target.height) / 2),
    width: target.width,
    height: target.height,
  };
}
