// One table of limits for every surface that takes generation parameters: the engine's request validation, the
// CLI, the Generate panel, the inpaint editor and their message schemas all read these, so a value one accepts is
// never refused by another.

/** A closed range of numbers. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
}

export const LIMITS = {
  /** Width and height in pixels (before snapping to what the model's UNet takes). */
  size: { min: 8, max: 4096 },
  /** Denoising steps (A1111's slider goes to 150). */
  steps: { min: 1, max: 150 },
  /** Classifier-free guidance scale (A1111's CFG slider goes to 30). */
  guidanceScale: { min: 0, max: 30 },
  /** Images in one job. */
  batchCount: { min: 1, max: 16 },
  /** img2img / inpaint denoising strength, (0, 1]: the minimum is the smallest step a form offers. */
  strength: { min: 0.01, max: 1 },
  /** Gaussian feather of the mask in pixels (A1111 "Mask blur"). */
  maskBlur: { min: 0, max: 64 },
  /** Context around the mask for "only masked" inpainting (A1111 "Only masked padding"). */
  maskPadding: { min: 0, max: 512 },
  /** A preview every N steps; 0 = none. */
  previewEverySteps: { min: 0, max: 1000 },
  /** Hires fix: the second pass's size over the first's (A1111's "Upscale by" slider goes to 4). */
  hiresScale: { min: 1, max: 4 },
  /** Hires fix: steps of the second pass; 0 = the first pass's steps (A1111 "Hires steps"). */
  hiresSteps: { min: 0, max: 150 },
  /** Outpainting: pixels added on one side of the canvas. */
  outpaintMargin: { min: 0, max: 2048 },
  /** Outpainting: how far the feathered mask reaches into the original, in pixels. */
  outpaintOverlap: { min: 0, max: 256 },
  /**
   * A1111 "Clip skip" (CLIP_stop_at_last_layers): 1 = the text encoder's last layer; N = the N-th layer from the end
   * (A1111's slider goes to 12, CLIP ViT-L's layer count).
   */
  clipSkip: { min: 1, max: 12 },
  /** Characters in a prompt or a negative prompt. */
  promptLength: { min: 0, max: 10_000 },
  /** `upscale --scale`: the output's size over the input's. */
  upscaleScale: { min: 1, max: 8 },
  /** `upscale --tile`: the core of one tile in input pixels. */
  upscaleTile: { min: 32, max: 4096 },
  /** `upscale --tile-pad`: context read around each tile, in input pixels. */
  upscaleTilePad: { min: 0, max: 256 },
  /** `--memory-mb` of upscale / remove-background: the budget the image and one tile must fit, in MiB. */
  memoryMb: { min: 1, max: 1_048_576 },
  /** Width and height of an image a result or an opened document may have (JPEG's own limit). */
  imageSide: { min: 1, max: 65_535 },
  /** The inpaint editor's brush diameter in image pixels. */
  brushSize: { min: 1, max: 2048 },
  /** Numbers in one stroke's `points` (two per point). */
  strokeCoordinates: { min: 2, max: 131_072 },
  /** Mask coordinates may lie this far outside the image (strokes that start off-canvas). */
  maskCoordinate: { min: -(2 ** 20), max: 2 ** 20 },
  /** The mask tools' grow (> 0) or shrink (< 0) by a disc of this radius in pixels; 0 is no op. */
  maskGrowPixels: { min: -64, max: 64 },
  /** The mask tools' Gaussian feather, sigma in pixels (above 0). */
  maskFeatherSigma: { min: 0, max: 32 },
  /** Generations the history keeps (the oldest beyond `max` are pruned, files and all). */
  historyEntries: { min: 0, max: 200 },
  /** Bytes of image files the history keeps (the oldest beyond `max` are pruned): 512 MiB. */
  historyBytes: { min: 0, max: 512 * 1024 * 1024 },
} as const satisfies Record<string, NumberRange>;

export type LimitName = keyof typeof LIMITS;

export function inRange(value: number, range: NumberRange): boolean {
  return Number.isFinite(value) && value >= range.min && value <= range.max;
}

export function clampToRange(value: number, range: NumberRange): number {
  return Math.min(range.max, Math.max(range.min, value));
}
