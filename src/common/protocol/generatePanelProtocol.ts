// Host ⇄ Generate Image panel messages (discriminant `type`), each declared once as a valibot schema: the schema
// gives the TypeScript type, the validator both sides run on every message they receive, and a JSON Schema.
// Pure: imports only from src/common, runs in the host and in the webview. Images travel as Uint8Array, never
// base64; seeds as decimal strings (../seed.ts).
import * as v from 'valibot';
import { LIMITS } from '../limits';
import { generateProgressSchema } from './generateProgressSchema';
import { messageParser } from './messageParser';
import { countTokensMessageSchema, tokenCountsMessageSchema } from './tokenCountMessages';
import { listLorasMessageSchema, loraListMessageSchema } from './loraPickerMessages';
import {
  bytesSchema,
  counterSchema,
  generationSideSchema,
  imageSideSchema,
  integerIn,
  jobOutcomeSchema,
  millisecondsSchema,
  numberIn,
  promptSchema,
  promptTextSchema,
  schedulerNameSchema,
  seedTextSchema,
  textSchema,
  tilingModeSchema,
} from './schemaParts';

export type { JobOutcome } from './schemaParts';

/** Results the panel keeps (older ones leave the grid; saved files stay on disk). */
export const MAX_PANEL_RESULTS = 32;

export type SeedMode = 'random' | 'fixed' | 'last';

const resultIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/));
const uriTextSchema = v.pipe(v.string(), v.maxLength(4096));

// ─── Values ──────────────────────────────────────────────────────────────────────────────────────

export const generateFormValuesSchema = v.pipe(v.object({
  prompt: promptSchema,
  negativePrompt: promptTextSchema,
  /** Both absent: the model's native size, which the engine knows (the panel may not have heard it yet). */
  width: v.optional(generationSideSchema),
  height: v.optional(generationSideSchema),
  steps: integerIn(LIMITS.steps),
  guidanceScale: numberIn(LIMITS.guidanceScale),
  /** null = a random seed. */
  seed: v.nullable(seedTextSchema),
  scheduler: schedulerNameSchema,
  batchCount: integerIn(LIMITS.batchCount),
  /** img2img from the panel's init image, with this strength. */
  useInitImage: v.boolean(),
  strength: numberIn(LIMITS.strength),
  /** A1111's hires fix for text to image (the upscaler comes from the host's setting). */
  hires: v.optional(v.object({ scale: numberIn(LIMITS.hiresScale), strength: numberIn(LIMITS.strength), steps: integerIn(LIMITS.hiresSteps) })),
  /** Seamless tiling's axes (A1111 "Tiling"); absent: off. */
  tiling: v.optional(tilingModeSchema),
}), v.check((form) => (form.width === undefined) === (form.height === undefined), 'give both width and height, or neither'));
export type GenerateFormValues = v.InferOutput<typeof generateFormValuesSchema>;

export const panelDefaultsSchema = v.object({
  steps: integerIn(LIMITS.steps),
  guidanceScale: numberIn(LIMITS.guidanceScale),
  scheduler: schedulerNameSchema,
  /** 0 = the model's native size. */
  width: integerIn({ min: 0, max: LIMITS.size.max }),
  height: integerIn({ min: 0, max: LIMITS.size.max }),
});
export type PanelDefaults = v.InferOutput<typeof panelDefaultsSchema>;

export const panelModelSchema = v.object({
  name: textSchema,
  builtIn: v.boolean(),
  /** Present once the engine has reported on the model. */
  nativeWidth: v.optional(imageSideSchema),
  nativeHeight: v.optional(imageSideSchema),
  /** Width and height are multiples of this (the VAE's scale factor), once the engine has reported. */
  sizeMultiple: v.optional(integerIn({ min: 1, max: 1024 })),
  inpainting: v.optional(v.boolean()),
  /** The sampler "Model's default" resolves to (its scheduler_config.json), as the menu names it, once reported. */
  defaultSampler: v.optional(textSchema),
  /** The model's own defaults where they differ from Stable Diffusion's (SDXL: guidance 5; SDXL-Turbo: 4 steps, guidance 0). */
  defaultSteps: v.optional(integerIn(LIMITS.steps)),
  defaultGuidanceScale: v.optional(numberIn(LIMITS.guidanceScale)),
  /** Why the model cannot be used (missing folder, untrusted workspace, …). */
  error: v.optional(textSchema),
});
export type PanelModel = v.InferOutput<typeof panelModelSchema>;

export const panelResultSchema = v.object({
  resultId: resultIdSchema,
  png: bytesSchema,
  width: imageSideSchema,
  height: imageSideSchema,
  seed: seedTextSchema,
  prompt: promptTextSchema,
  /** A1111 infotext of the image. */
  parameters: textSchema,
  /** Where it was saved (workspace-relative when possible), once saved. */
  savedPath: v.optional(textSchema),
  /** The saved file's URI (string form), used to restore the result after a reload. */
  savedUri: v.optional(uriTextSchema),
  /** Every file it was saved to (PNG, JPEG, WebP copies), display form, oldest first. */
  savedPaths: v.optional(v.pipe(v.array(textSchema), v.maxLength(1000))),
});
export type PanelResult = v.InferOutput<typeof panelResultSchema>;

export const panelInitImageSchema = v.object({
  png: bytesSchema,
  width: imageSideSchema,
  height: imageSideSchema,
  label: textSchema,
});
export type PanelInitImage = v.InferOutput<typeof panelInitImageSchema>;

export const panelJobSchema = v.object({
  jobId: counterSchema,
  startedAt: millisecondsSchema,
  images: integerIn(LIMITS.batchCount),
  steps: integerIn(LIMITS.steps),
  /** The latest progress (with its preview), so a re-shown panel can pick up where it was. */
  progress: v.nullable(generateProgressSchema),
});
export type PanelJob = v.InferOutput<typeof panelJobSchema>;

export const RESULT_ACTIONS = [
  'saveToWorkspace',
  'saveAs',
  'open',
  'copyMarkdownLink',
  'useAsInitImage',
  'openInInpaintEditor',
  'saveAsAsset',
  'discard',
] as const;
export type ResultAction = (typeof RESULT_ACTIONS)[number];

/** What the page remembers of a result in its saved state (no pixels: those stay with the host or in the file). */
export const knownResultSchema = v.object({
  resultId: resultIdSchema,
  savedUri: v.optional(uriTextSchema),
  prompt: v.optional(promptTextSchema),
  seed: v.optional(seedTextSchema),
});
export type KnownResult = v.InferOutput<typeof knownResultSchema>;

/**
 * The page's form as the host keeps it for a panel opened again after it was closed (the page's own webview state
 * is gone then): flat JSON values only, read back defensively by the page (webview/generate/panelState.ts).
 */
export const savedFormSchema = v.pipe(
  v.record(v.pipe(v.string(), v.maxLength(64)), v.union([v.pipe(v.string(), v.maxLength(LIMITS.promptLength.max * 2)), v.number(), v.boolean(), v.null()])),
  v.check((form) => Object.keys(form).length <= 64, 'at most 64 fields'),
);
export type SavedForm = v.InferOutput<typeof savedFormSchema>;

/** What the host keeps of the last panel (workspace state): its form and its result ids, oldest first. */
export const panelSessionSchema = v.object({
  form: v.optional(savedFormSchema),
  resultIds: v.pipe(v.array(resultIdSchema), v.maxLength(1000)),
});
/** Checks the kept session (it may come from an older version). */
export const parsePanelSession = messageParser(panelSessionSchema);

/** Parameters to fill the form with (Reuse parameters, Open Parameters from Image…): what the image says, no more. */
export const panelParametersSchema = v.object({
  prompt: promptTextSchema,
  negativePrompt: promptTextSchema,
  steps: v.optional(integerIn(LIMITS.steps)),
  guidanceScale: v.optional(numberIn(LIMITS.guidanceScale)),
  scheduler: v.optional(schedulerNameSchema),
  seed: v.optional(seedTextSchema),
  width: v.optional(generationSideSchema),
  height: v.optional(generationSideSchema),
  /** img2img / hires strength from the infotext (A1111 "Denoising strength"). */
  strength: v.optional(numberIn(LIMITS.strength)),
  /** Where they came from, shown in the form's message line. */
  from: textSchema,
});
export type PanelParameters = v.InferOutput<typeof panelParametersSchema>;

// ─── Host → panel ────────────────────────────────────────────────────────────────────────────────

export const toGeneratePanelMessageSchema = v.variant('type', [
  v.object({
    type: v.literal('init'),
    defaults: panelDefaultsSchema,
    model: v.nullable(panelModelSchema),
    results: v.pipe(v.array(panelResultSchema), v.maxLength(MAX_PANEL_RESULTS)),
    job: v.nullable(panelJobSchema),
    initImage: v.nullable(panelInitImageSchema),
    /** False without a workspace folder: "Save to workspace" becomes "Save As…". */
    canSaveToWorkspace: v.boolean(),
    /** The form as it was when the panel was last closed (for a page without its own saved state). */
    form: v.optional(savedFormSchema),
  }),
  v.object({ type: v.literal('model'), model: panelModelSchema }),
  v.object({ type: v.literal('jobStarted'), job: panelJobSchema }),
  v.object({ type: v.literal('progress'), jobId: counterSchema, progress: generateProgressSchema }),
  v.object({ type: v.literal('results'), jobId: counterSchema, results: v.pipe(v.array(panelResultSchema), v.maxLength(LIMITS.batchCount.max)) }),
  v.object({
    type: v.literal('jobEnded'),
    /** 0: a request the host did not start (the page gets its Generate button back). */
    jobId: counterSchema,
    outcome: jobOutcomeSchema,
    message: v.optional(textSchema),
    elapsedMs: millisecondsSchema,
    warnings: v.array(textSchema),
  }),
  v.object({
    type: v.literal('resultSaved'),
    resultId: resultIdSchema,
    savedPath: textSchema,
    savedUri: uriTextSchema,
    /** Every file it has been saved to so far (display form), this one included. */
    savedPaths: v.optional(v.pipe(v.array(textSchema), v.maxLength(1000))),
  }),
  /** Fill the form (Reuse parameters from the history, Open Parameters from Image…). */
  v.object({ type: v.literal('applyParameters'), parameters: panelParametersSchema }),
  v.object({ type: v.literal('initImage'), image: v.nullable(panelInitImageSchema) }),
  tokenCountsMessageSchema,
  loraListMessageSchema,
]);
export type ToGeneratePanelMessage = v.InferOutput<typeof toGeneratePanelMessageSchema>;

// ─── Panel → host ────────────────────────────────────────────────────────────────────────────────

export const fromGeneratePanelMessageSchema = v.variant('type', [
  /** Sent once the page has loaded; `known` are the results in its saved state (to restore saved ones after a reload). */
  v.object({ type: v.literal('ready'), known: v.pipe(v.array(knownResultSchema), v.maxLength(1000)) }),
  v.object({ type: v.literal('generate'), form: generateFormValuesSchema }),
  v.object({ type: v.literal('cancel') }),
  v.object({ type: v.literal('resultAction'), action: v.picklist(RESULT_ACTIONS), resultId: resultIdSchema }),
  v.object({ type: v.literal('pickInitImage') }),
  v.object({ type: v.literal('clearInitImage') }),
  v.object({ type: v.literal('selectModel') }),
  /** The form as it is now (debounced), kept by the host for when the panel is opened again after being closed. */
  v.object({ type: v.literal('formState'), form: savedFormSchema }),
  /** Save every result not saved yet into the output folder. */
  v.object({ type: v.literal('saveAll') }),
  /** The token counter (A1111's `82/150`) of the prompt boxes. */
  countTokensMessageSchema,
  /** The LoRA picker opened: list the LoRA folders' files. */
  listLorasMessageSchema,
  /** Page-side failures, for the host log. */
  v.object({ type: v.literal('error'), message: textSchema }),
]);
export type FromGeneratePanelMessage = v.InferOutput<typeof fromGeneratePanelMessageSchema>;

/** Checks a result remembered in the page's saved state (it may come from an older version of the page). */
export const parseKnownResult = messageParser(knownResultSchema);
/** Checks a message from the panel before the host uses it. */
export const parseFromGeneratePanelMessage = messageParser(fromGeneratePanelMessageSchema);
/** Checks a message from the host before the panel uses it. */
export const parseToGeneratePanelMessage = messageParser(toGeneratePanelMessageSchema);

// ─── Sizes ───────────────────────────────────────────────────────────────────────────────────────

/** A width or height the panel may send: a whole number within the limits and a multiple of the model's `multiple`. */
export function isValidImageSide(value: number, multiple = 1): boolean {
  return v.is(generationSideSchema, value) && value % multiple === 0;
}

/** Rounds to the nearest side the model takes (for sizes taken from an init image). */
export function nearestValidSide(value: number, multiple = 1): number {
  const { min, max } = LIMITS.size;
  const lowest = Math.ceil(min / multiple) * multiple;
  const highest = max - (max % multiple);
  return Math.min(highest, Math.max(lowest, Math.round(value / multiple) * multiple));
}
