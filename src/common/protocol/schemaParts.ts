// The fields every message schema is built from (valibot), each bounded by the one limits table (../limits.ts), so
// the panel, the inpaint editor and the engine accept the same values. Pure: runs in the host and in the webviews
// (valibot has no eval or new Function, so it runs under the webviews' CSP).
import * as v from 'valibot';
import { LIMITS, type NumberRange } from '../limits';
import { EMPHASIS_MODES } from '../prompt/emphasisMode';
import { MAX_SEED, isSeedText } from '../seed';
import { TILING_MODES } from '../tilingMode';
import { SCHEDULER_NAMES } from './engineProtocol';

/** A whole number in `range` (a safe integer: exact in a JavaScript number). */
export function integerIn(range: NumberRange) {
  return v.pipe(v.number(), v.safeInteger(), v.minValue(range.min), v.maxValue(range.max));
}

/** A number in `range`; the bounds also refuse NaN and ±Infinity. */
export function numberIn(range: NumberRange) {
  return v.pipe(v.number(), v.minValue(range.min), v.maxValue(range.max));
}

/** A number above `range.min`, up to `range.max` (a strength or a sigma of 0 means nothing to do). */
export function positiveNumberUpTo(range: NumberRange) {
  return v.pipe(v.number(), v.gtValue(range.min), v.maxValue(range.max));
}

/** Counters the host hands out (job ids, revisions): 0 … 2^53 − 1. */
export const counterSchema = integerIn({ min: 0, max: Number.MAX_SAFE_INTEGER });

/** Milliseconds since the epoch or elapsed: finite and not negative. */
export const millisecondsSchema = v.pipe(v.number(), v.finite(), v.minValue(0));

/** Image bytes (PNG, JPEG, WebP) or raw pixels: Uint8Array on every wire, never base64 or number arrays. */
export const bytesSchema = v.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes (a Uint8Array)');

/** A seed: the decimal digits of an integer 0 … 2^64 − 1 (../seed.ts); "random" is said by leaving it out or null. */
export const seedTextSchema = v.pipe(
  v.string(),
  v.regex(/^\d{1,20}$/),
  v.check((text: string) => isSeedText(text), `a seed is a whole number from 0 to ${MAX_SEED}`),
  v.description(`A seed, 0 … ${MAX_SEED}, as its decimal digits.`),
);

export const schedulerNameSchema = v.picklist(SCHEDULER_NAMES);

/** A1111's "Emphasis mode" (src/common/prompt/emphasisMode.ts): how `(word:1.2)` weights are applied. */
export const emphasisModeSchema = v.picklist(EMPHASIS_MODES);

/** A1111's "Clip skip": which text-encoder layer from the end conditions the UNet (1 = the last). */
export const clipSkipSchema = integerIn(LIMITS.clipSkip);

/** Seamless tiling's axes (src/common/tilingMode.ts). */
export const tilingModeSchema = v.picklist(TILING_MODES);

/** The two checks for rooms that do not import valibot themselves (the engine's request validation). */
export const isEmphasisModeValue = (value: unknown): value is v.InferOutput<typeof emphasisModeSchema> => v.is(emphasisModeSchema, value);
export const isClipSkipValue = (value: unknown): value is number => v.is(clipSkipSchema, value);

/** A prompt or a negative prompt (may be empty; a Generate request checks a prompt is there). */
export const promptTextSchema = v.pipe(v.string(), v.maxLength(LIMITS.promptLength.max));

/** A prompt that says something. */
export const promptSchema = v.pipe(
  promptTextSchema,
  v.check((text) => text.trim().length > 0, 'enter a prompt'),
);

/** Free text for people (messages, labels, file names), bounded so a broken page cannot flood the log. */
export const textSchema = v.pipe(v.string(), v.maxLength(100_000));

/** Width or height of a generation (before the engine snaps it to what the model's UNet takes). */
export const generationSideSchema = integerIn(LIMITS.size);

/** Width or height of an image a result or a document has. */
export const imageSideSchema = integerIn(LIMITS.imageSide);

/** How a job ended, the same words for the Generate panel and the inpaint editor. */
export const jobOutcomeSchema = v.picklist(['done', 'cancelled', 'failed']);
export type JobOutcome = v.InferOutput<typeof jobOutcomeSchema>;

/** Compile-time proof that two types are the same (a schema and a type declared elsewhere must not drift). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
