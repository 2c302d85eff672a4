// "Generate Image Here" plans one generation per distinct aspect ratio among the targets, each at about the model's
// native area with that aspect ratio, at a size the UNet takes (multiples of ModelInfo.sizeMultiple); every target is
// then brought to its exact size from its group's image (renderAsset.ts: a cover-crop and a Lanczos resize), so a
// 1200×630 social card is generated wide instead of cut out of a square and blown up. No vscode: unit-tested.
import type { AssetSize } from './assetTargets';

/** Targets whose aspect ratios differ by at most this share share a generation (16:9 at 1920×1080 and 1280×720). */
export const ASPECT_TOLERANCE = 0.02;

export interface AssetGeneration {
  /** The size to generate at: about the native area, the group's aspect ratio, each side a multiple of the UNet's. */
  size: AssetSize;
  /** The targets made from it, largest first, in the order they were asked within the group. */
  targets: AssetSize[];
}

export interface NativeSize {
  width: number;
  height: number;
  /** Sides must be multiples of this (ModelInfo.sizeMultiple). */
  sizeMultiple: number;
}

/** Groups the targets by aspect ratio (within ASPECT_TOLERANCE of the group's first) and sizes each group's generation. */
export function planAssetGenerations(targets: readonly AssetSize[], native: NativeSize): AssetGeneration[] {
  if (native.sizeMultiple < 1 || native.width < native.sizeMultiple || native.height < native.sizeMultiple) {
    throw new Error(`The model's native size ${native.width}×${native.height} (multiple ${native.sizeMultiple}) cannot be planned from.`);
  }
  const groups: { ratio: number; targets: AssetSize[] }[] = [];
  for (const target of targets) {
    const ratio = target.width / target.height;
    const group = groups.find((g) => Math.abs(Math.log(g.ratio / ratio)) <= Math.log1p(ASPECT_TOLERANCE));
    if (group) group.targets.push(target);
    else groups.push({ ratio, targets: [target] });
  }
  return groups.map((group) => ({
    size: generationSize(group.ratio, native),
    targets: [...group.targets].sort((a, b) => b.width * b.height - a.width * a.height),
  }));
}

/**
 * The size with about the native area and this aspect ratio, each side a multiple of `sizeMultiple` (at least one
 * multiple): of the four roundings of the exact sides, the one closest in aspect ratio, then in area.
 */
export function generationSize(ratio: number, native: NativeSize): AssetSize {
  const m = native.sizeMultiple;
  const area = native.width * native.height;
  const exactWidth = Math.sqrt(area * ratio);
  const exactHeight = Math.sqrt(area / ratio);
  const sides = (exact: number): number[] => [...new Set([Math.max(m, Math.floor(exact / m) * m), Math.max(m, Math.ceil(exact / m) * m)])];
  let best: AssetSize | undefined;
  let bestScore: [number, number] = [Infinity, Infinity];
  for (const width of sides(exactWidth)) {
    for (const height of sides(exactHeight)) {
      const score: [number, number] = [Math.abs(Math.log(width / height / ratio)), Math.abs(Math.log((width * height) / area))];
      if (score[0] < bestScore[0] - 1e-12 || (Math.abs(score[0] - bestScore[0]) <= 1e-12 && score[1] < bestScore[1])) {
        best = { width, height };
        bestScore = score;
      }
    }
  }
  return best as AssetSize;
}

/** What a target's file is called: the user's base name, with the size when several targets are written. */
export function assetTargetFileName(base: string, size: AssetSize, extension: string, several: boolean): string {
  return several ? `${base}-${size.width}x${size.height}.${extension}` : `${base}.${extension}`;
}

/** Why a base name cannot be a file name (path separators, reserved characters, dots at the ends), or undefined. */
export function assetBaseNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Enter a file name.';
  if (/[\\/:*?"<>|\u0000-\u001f]/.test(trimmed)) return 'A file name cannot contain \\ / : * ? " < > | or control characters.';
  if (/^\.|\.$/.test(trimmed)) return 'A file name cannot start or end with a dot.';
  if (trimmed.length > 120) return 'Use at most 120 characters.';
  return undefined;
}
