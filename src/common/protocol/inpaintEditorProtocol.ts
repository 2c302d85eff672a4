// Host ⇄ inpaint editor webview (custom editor `localDiffusion.inpaintEditor`), discriminant `type`, each message
// declared once as a valibot schema: the schema gives the TypeScript type, the validator both sides run on every
// message they receive, and a JSON Schema. The host owns the image bytes, the mask and the edit stack; the webview
// is a view plus an intent source. Images, masks and previews travel as Uint8Array (structured clone), never
// base64; seeds as decimal strings (../seed.ts). Pure TypeScript: imports only from src/common.
import * as v from 'valibot';
import { countTokensMessageSchema, tokenCountsMessageSchema } from './tokenCountMessages';
import { listLorasMessageSchema, loraListMessageSchema } from './loraPickerMessages';
import { LIMITS, clampToRange, type NumberRange } from '../limits';
import { parseSeed } from '../seed';
import { jobProgressSchema, previewSideSchema, type JobProgress } from './generateProgressSchema';
import { messageParser } from './messageParser';
import {
  bytesSchema,
  counterSchema,
  imageSideSchema,
  integerIn,
  jobOutcomeSchema,
  numberIn,
  positiveNumberUpTo,
  promptTextSchema,
  schedulerNameSchema,
  seedTextSchema,
  textSchema,
} from './schemaParts';

// ─── Mask operations ─────────────────────────────────────────────────────────────────────────────
// A mask is width × height bytes, 0 = keep, 255 = repaint, values between = soft (grey).
// Every finished stroke or tool action is ONE MaskOp: one undo unit, stored as vector data
// (hot-exit backups stay small: no pixel history per stroke).

export const maskModeSchema = v.picklist(['paint', 'erase']);
export type MaskMode = v.InferOutput<typeof maskModeSchema>;

const coordinate = numberIn(LIMITS.maskCoordinate);
const opacity = positiveNumberUpTo({ min: 0, max: 1 });

export const maskOpSchema = v.variant('kind', [
  /** A brush or eraser stroke. `points` = [x0, y0, x1, y1, …] in image pixels (pixel i covers [i, i+1)). */
  v.object({
    kind: v.literal('stroke'),
    mode: maskModeSchema,
    size: numberIn(LIMITS.brushSize),
    hardness: numberIn({ min: 0, max: 1 }),
    opacity,
    points: v.pipe(
      v.array(coordinate),
      v.minLength(LIMITS.strokeCoordinates.min),
      v.maxLength(LIMITS.strokeCoordinates.max),
      v.check((points) => points.length % 2 === 0, 'points are x, y pairs'),
    ),
  }),
  /** A rectangle in image pixels (the covered pixel centres are painted / erased). */
  v.object({
    kind: v.literal('rect'),
    mode: maskModeSchema,
    x: coordinate,
    y: coordinate,
    width: numberIn({ min: 0, max: LIMITS.maskCoordinate.max }),
    height: numberIn({ min: 0, max: LIMITS.maskCoordinate.max }),
    opacity,
  }),
  v.object({ kind: v.literal('invert') }),
  v.object({ kind: v.literal('clear') }),
  v.object({ kind: v.literal('fill') }),
  /** Grow (pixels > 0) or shrink (pixels < 0) by a disc of that radius. */
  v.object({ kind: v.literal('grow'), pixels: v.pipe(integerIn(LIMITS.maskGrowPixels), v.notValue(0)) }),
  /** Gaussian feather; sigma in pixels, kernel half-width int(2.5·sigma + 0.5) (A1111 mask blur). */
  v.object({ kind: v.literal('feather'), sigma: positiveNumberUpTo(LIMITS.maskFeatherSigma) }),
]);
export type MaskOp = v.InferOutput<typeof maskOpSchema>;
export type MaskOpKind = MaskOp['kind'];

export function isMaskOp(value: unknown): value is MaskOp {
  return v.is(maskOpSchema, value);
}

/** Undo labels shown by VS Code (Edit menu). */
export function maskOpLabel(op: MaskOp): string {
  switch (op.kind) {
    case 'stroke':
      return op.mode === 'paint' ? 'Brush Stroke' : 'Eraser Stroke';
    case 'rect':
      return op.mode === 'paint' ? 'Mask Rectangle' : 'Erase Rectangle';
    case 'invert':
      return 'Invert Mask';
    case 'clear':
      return 'Clear Mask';
    case 'fill':
      return 'Fill Mask';
    case 'grow':
      return op.pixels >= 0 ? 'Grow Mask' : 'Shrink Mask';
    case 'feather':
      return 'Feather Mask';
  }
}

// ─── Generation settings (prompt bar) ────────────────────────────────────────────────────────────

export const inpaintAreaSchema = v.picklist(['whole', 'masked']);
export type InpaintArea = v.InferOutput<typeof inpaintAreaSchema>;

export const inpaintSettingsSchema = v.object({
  prompt: promptTextSchema,
  negativePrompt: promptTextSchema,
  steps: integerIn(LIMITS.steps),
  guidanceScale: numberIn(LIMITS.guidanceScale),
  /** null = a new random seed for every run. */
  seed: v.nullable(seedTextSchema),
  scheduler: schedulerNameSchema,
  /** Denoising strength in (0, 1]. */
  strength: numberIn(LIMITS.strength),
  /** 'masked' = "only masked": crop around the mask plus padding, generate at the model's size, paste back. */
  inpaintArea: inpaintAreaSchema,
  maskPadding: integerIn(LIMITS.maskPadding),
  /** Gaussian feather applied by the engine (A1111 "mask blur"). */
  maskBlur: numberIn(LIMITS.maskBlur),
  /** Candidates per run. */
  batchCount: integerIn(LIMITS.batchCount),
});
export type InpaintSettings = v.InferOutput<typeof inpaintSettingsSchema>;

export function isInpaintSettings(value: unknown): value is InpaintSettings {
  return v.is(inpaintSettingsSchema, value);
}

/** Defaults follow A1111's inpaint tab (strength 0.75, mask blur 4, padding 32) with "only masked" on. */
export const DEFAULT_INPAINT_SETTINGS: Readonly<InpaintSettings> = Object.freeze({
  prompt: '',
  negativePrompt: '',
  steps: 20,
  guidanceScale: 7.5,
  seed: null,
  scheduler: 'default',
  strength: 0.75,
  inpaintArea: 'masked',
  maskPadding: 32,
  maskBlur: 4,
  batchCount: 1,
});

/**
 * Coerces a partial or out-of-range value (an old memento with a numeric seed, a hand-edited setting) into valid
 * settings, field by field, falling back to `fallback`.
 */
export function sanitizeInpaintSettings(value: unknown, fallback: InpaintSettings = DEFAULT_INPAINT_SETTINGS): InpaintSettings {
  const s = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  const clamp = (x: unknown, range: NumberRange, d: number): number => (finite(x) ? clampToRange(x, range) : d);
  const clampInt = (x: unknown, range: NumberRange, d: number): number => (finite(x) ? clampToRange(Math.round(x), range) : d);
  const text = (x: unknown, d: string): string => (typeof x === 'string' ? x.slice(0, LIMITS.promptLength.max) : d);
  return {
    prompt: text(s.prompt, fallback.prompt),
    negativePrompt: text(s.negativePrompt, fallback.negativePrompt),
    steps: clampInt(s.steps, LIMITS.steps, fallback.steps),
    guidanceScale: clamp(s.guidanceScale, LIMITS.guidanceScale, fallback.guidanceScale),
    seed: 'seed' in s ? sanitizeSeed(s.seed, fallback.seed) : fallback.seed,
    scheduler: v.is(schedulerNameSchema, s.scheduler) ? s.scheduler : fallback.scheduler,
    strength: clamp(s.strength, LIMITS.strength, fallback.strength),
    inpaintArea: v.is(inpaintAreaSchema, s.inpaintArea) ? s.inpaintArea : fallback.inpaintArea,
    maskPadding: clampInt(s.maskPadding, LIMITS.maskPadding, fallback.maskPadding),
    maskBlur: clamp(s.maskBlur, LIMITS.maskBlur, fallback.maskBlur),
    batchCount: clampInt(s.batchCount, LIMITS.batchCount, fallback.batchCount),
  };
}

/** null (random), a seed string, or a number from an older version; anything else keeps `fallback`. */
function sanitizeSeed(value: unknown, fallback: string | null): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number') return fallback;
  const parsed = parseSeed(value);
  return 'seed' in parsed ? parsed.seed.toString() : 'random' in parsed ? null : fallback;
}

// ─── Expand canvas (outpainting) ─────────────────────────────────────────────────────────────────

const marginSchema = integerIn(LIMITS.outpaintMargin);

/** Pixels added on each side of the document by Expand canvas (the engine's OutpaintMargins). */
export const expandMarginsSchema = v.object({ left: marginSchema, top: marginSchema, right: marginSchema, bottom: marginSchema });

/** What Expand canvas asks for: the margins and how far the feathered mask reaches into the image. */
export const inpaintExpandSchema = v.object({ margins: expandMarginsSchema, overlap: integerIn(LIMITS.outpaintOverlap) });
export type InpaintExpand = v.InferOutput<typeof inpaintExpandSchema>;

export function isInpaintExpand(value: unknown): value is InpaintExpand {
  return v.is(inpaintExpandSchema, value);
}

// ─── Documents, candidates, jobs ─────────────────────────────────────────────────────────────────

export const imageFileFormatSchema = v.picklist(['png', 'jpeg', 'webp']);
export type ImageFileFormat = v.InferOutput<typeof imageFileFormatSchema>;

export const inpaintDocumentInfoSchema = v.object({
  fileName: textSchema,
  format: imageFileFormatSchema,
  width: imageSideSchema,
  height: imageSideSchema,
  /** The file system cannot be written: Save fails, Save As works. */
  readonly: v.boolean(),
  /** JPEG and lossy WebP: saving a changed image re-encodes it (every pixel may shift slightly). */
  lossy: v.boolean(),
  warnings: v.array(textSchema),
});
export type InpaintDocumentInfo = v.InferOutput<typeof inpaintDocumentInfoSchema>;

const candidateIndex = integerIn({ min: 0, max: LIMITS.batchCount.max - 1 });

export const inpaintCandidateSchema = v.object({
  /** Index in the job's results. */
  index: candidateIndex,
  /** The engine's PNG (the document image's size, pixels outside the mask unchanged; an Expand canvas result: the grown size). */
  png: bytesSchema,
  seed: seedTextSchema,
  /** The A1111 infotext written into the PNG. */
  parameters: textSchema,
});
export type InpaintCandidate = v.InferOutput<typeof inpaintCandidateSchema>;

/** The job line's progress: the engine's stages (as the Generate panel gets them) without previews, and 'starting'. */
export type InpaintJobProgress = JobProgress;

const maskSide = integerIn({ min: 0, max: LIMITS.maskCoordinate.max });

/** A rectangle of mask bytes (row-major, width × height). The whole mask when it covers the image. */
/** The selected model's sizing facts (the engine's ModelInfo), so the editor can say what the model takes. */
export const inpaintModelSchema = v.object({
  name: textSchema,
  nativeWidth: imageSideSchema,
  nativeHeight: imageSideSchema,
  vaeScaleFactor: integerIn({ min: 1, max: 64 }),
  /** Sides must be multiples of this (the VAE's factor × the UNet's down-sampling). */
  sizeMultiple: integerIn({ min: 1, max: 1024 }),
  /** A UNet exported for one size only. */
  fixedSize: v.optional(v.object({ width: imageSideSchema, height: imageSideSchema })),
  /** A 9-channel inpainting UNet (else the latent blend of an ordinary UNet). */
  inpainting: v.boolean(),
  /** The model's own defaults (SDXL's guidance 5, Turbo's steps and guidance 0, a catalog entry's), when it has them. */
  defaultSteps: v.optional(integerIn(LIMITS.steps)),
  defaultGuidanceScale: v.optional(numberIn(LIMITS.guidanceScale)),
});
export type InpaintModel = v.InferOutput<typeof inpaintModelSchema>;

export const maskRegionSchema = v.pipe(
  v.object({ x: maskSide, y: maskSide, width: maskSide, height: maskSide, data: bytesSchema }),
  v.check((r) => r.data.length === r.width * r.height, 'a mask region holds width × height bytes'),
);
export type MaskRegion = v.InferOutput<typeof maskRegionSchema>;

// ─── Host → webview ──────────────────────────────────────────────────────────────────────────────

export const toInpaintWebviewMessageSchema = v.variant('type', [
  v.object({ type: v.literal('init'), document: inpaintDocumentInfoSchema, settings: inpaintSettingsSchema }),
  /**
   * The document's size changed (an Expand canvas result applied, or its undo / redo): the page starts its view and
   * mask over at the new size; the image and the whole mask follow.
   */
  v.object({ type: v.literal('documentResized'), document: inpaintDocumentInfoSchema }),
  /** The image to display (after open, an applied/undone generation, revert). Display only. */
  v.object({
    type: v.literal('image'),
    revision: counterSchema,
    bytes: bytesSchema,
    mimeType: v.pipe(v.string(), v.regex(/^image\/[a-z0-9.+-]+$/)),
    width: imageSideSchema,
    height: imageSideSchema,
  }),
  /**
   * Mask state from the host (source of truth). `baseRevision` null: replace the whole mask.
   * Otherwise apply `region` only if the view is at `baseRevision` (else ask for the whole mask).
   */
  v.object({ type: v.literal('mask'), revision: counterSchema, baseRevision: v.nullable(counterSchema), region: maskRegionSchema }),
  /** A MaskOp the host applied. `hash` = maskRegionHash over maskOpBounds(op) after applying it. */
  v.object({
    type: v.literal('maskOpApplied'),
    revision: counterSchema,
    op: maskOpSchema,
    hash: integerIn({ min: 0, max: 0xffffffff }),
    fromThisView: v.boolean(),
  }),
  v.object({ type: v.literal('jobStarted'), jobId: counterSchema, batchCount: integerIn(LIMITS.batchCount), steps: integerIn(LIMITS.steps) }),
  v.object({ type: v.literal('jobProgress'), jobId: counterSchema, progress: jobProgressSchema }),
  /** Live denoising preview, RGBA width × height × 4 (of the generated area: the crop in "only masked"). */
  v.pipe(
    v.object({
      type: v.literal('jobPreview'),
      jobId: counterSchema,
      image: integerIn({ min: 1, max: LIMITS.batchCount.max }),
      width: previewSideSchema,
      height: previewSideSchema,
      rgba: bytesSchema,
    }),
    v.check((p) => p.rgba.length === p.width * p.height * 4, 'a preview holds width × height × 4 bytes'),
  ),
  v.object({ type: v.literal('jobEnded'), jobId: counterSchema, outcome: jobOutcomeSchema, message: v.optional(textSchema) }),
  /**
   * The candidates waiting for a choice; an empty list clears them. `expand`: they are Expand canvas results, the
   * image grown by these margins (width × height is their size).
   */
  v.object({
    type: v.literal('candidates'),
    jobId: v.nullable(counterSchema),
    width: integerIn({ min: 0, max: LIMITS.imageSide.max }),
    height: integerIn({ min: 0, max: LIMITS.imageSide.max }),
    candidates: v.pipe(v.array(inpaintCandidateSchema), v.maxLength(LIMITS.batchCount.max)),
    expand: v.optional(expandMarginsSchema),
  }),
  v.object({ type: v.literal('notice'), level: v.picklist(['info', 'warning', 'error']), message: textSchema }),
  /** The selected model, once the engine has reported on it (error: it cannot be read). */
  v.object({ type: v.literal('model'), model: v.nullable(inpaintModelSchema), error: v.optional(textSchema) }),
  tokenCountsMessageSchema,
  loraListMessageSchema,
]);
export type ToInpaintWebviewMessage = v.InferOutput<typeof toInpaintWebviewMessageSchema>;

// ─── Webview → host ──────────────────────────────────────────────────────────────────────────────

export const fromInpaintWebviewMessageSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  /** A finished stroke / tool action, already applied locally on top of mask revision `baseRevision`. */
  v.object({ type: v.literal('maskOp'), op: maskOpSchema, baseRevision: counterSchema }),
  v.object({ type: v.literal('requestMask') }),
  /** Generate with the prompt bar's settings: an inpaint of the mask, or with `expand` an outpaint (the mask unused). */
  v.object({ type: v.literal('generate'), settings: inpaintSettingsSchema, expand: v.optional(inpaintExpandSchema) }),
  v.object({ type: v.literal('cancel') }),
  v.object({ type: v.literal('applyCandidate'), jobId: counterSchema, index: candidateIndex }),
  v.object({ type: v.literal('discardCandidates'), jobId: counterSchema }),
  /** The token counter (A1111's `82/150`) of the prompt boxes. */
  countTokensMessageSchema,
  /** The LoRA picker opened: list the LoRA folders' files. */
  listLorasMessageSchema,
  /** Webview-side failures, for the host log. */
  v.object({ type: v.literal('error'), message: textSchema }),
]);
export type FromInpaintWebviewMessage = v.InferOutput<typeof fromInpaintWebviewMessageSchema>;

/** Checks a message from the webview before the host uses it. */
export const parseFromInpaintWebviewMessage = messageParser(fromInpaintWebviewMessageSchema);
/** Checks a message from the host before the webview uses it. */
export const parseToInpaintWebviewMessage = messageParser(toInpaintWebviewMessageSchema);
