// A job's progress as the engine reports it (GenerateProgress in engineProtocol.ts), declared once for the webviews:
// the Generate panel receives it with its RGBA previews; the inpaint editor receives the same stages without the
// preview (its previews travel in their own latest-wins message) plus 'starting', before the engine has said
// anything. As the engine counts: `image` from 1, a loading `index` from 0.
import * as v from 'valibot';
import { LIMITS } from '../limits';
import type { GenerateProgress } from './engineProtocol';
import { bytesSchema, counterSchema, integerIn, millisecondsSchema, textSchema, type Equal } from './schemaParts';

const imageCount = integerIn({ min: 1, max: LIMITS.batchCount.max });
const stepCount = integerIn({ min: 0, max: LIMITS.steps.max });

/** A side of a preview: as small as the latent (a few pixels) or as large as the generation. */
export const previewSideSchema = integerIn({ min: 1, max: LIMITS.size.max });

/** A denoising preview: width × height RGBA pixels (4 bytes each). */
export const previewImageSchema = v.pipe(
  v.object({ width: previewSideSchema, height: previewSideSchema, rgba: bytesSchema }),
  v.check((p) => p.rgba.length === p.width * p.height * 4, 'a preview holds width × height × 4 bytes'),
);

const loadingStage = v.object({ stage: v.literal('loading'), component: textSchema, index: counterSchema, total: counterSchema });
const encodingPromptStage = v.object({ stage: v.literal('encodingPrompt') });
const encodingImageStage = v.object({ stage: v.literal('encodingImage') });
const denoisingStage = v.object({
  stage: v.literal('denoising'),
  image: imageCount,
  images: imageCount,
  step: stepCount,
  steps: stepCount,
  elapsedMs: millisecondsSchema,
});
const decodingStage = v.object({ stage: v.literal('decoding'), image: imageCount, images: imageCount });

export const generateProgressSchema = v.variant('stage', [
  loadingStage,
  encodingPromptStage,
  encodingImageStage,
  v.object({ ...denoisingStage.entries, preview: v.optional(previewImageSchema) }),
  decodingStage,
]);

/** The engine's progress without previews, and 'starting' before its first report (the inpaint editor's job line). */
export const jobProgressSchema = v.variant('stage', [
  v.object({ stage: v.literal('starting') }),
  loadingStage,
  encodingPromptStage,
  encodingImageStage,
  denoisingStage,
  decodingStage,
]);
export type JobProgress = v.InferOutput<typeof jobProgressSchema>;

// The engine protocol declares GenerateProgress for the engine process; this schema must describe exactly that type.
const progressMatchesEngine: Equal<v.InferOutput<typeof generateProgressSchema>, GenerateProgress> = true;
void progressMatchesEngine;
