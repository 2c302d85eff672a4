// The `local-diffusion.json` spec, declared once: this valibot schema is the TypeScript type (AssetSpec), the
// validator the build and the extension use (parseAssetSpec), and, through @valibot/to-json-schema, the JSON Schema
// VS Code validates and completes the file with (tools/writeAssetSchema.ts → dist/schemas/local-diffusion.schema.json).
// Every object is strict: an unknown field is an error, so a typo never silently falls back to a default.
import * as v from 'valibot';
import { LIMITS } from '../limits';
import { SCHEDULER_NAMES } from '../protocol/engineProtocol';
import { isSeedText, MAX_SEED } from '../seed';
import { TILING_MODES } from '../tilingMode';
import { EMPHASIS_MODES } from '../prompt/emphasisMode';
import { ASSET_OUTPUT_PATTERN, assetOutputPathProblem } from './assetOutputPath';

/** Resize fits: `cover` scales and centre-crops, `contain` scales and centre-pads (transparent; white in JPEG). */
export const ASSET_RESIZE_FITS = ['cover', 'contain'] as const;
export type AssetResizeFit = (typeof ASSET_RESIZE_FITS)[number];

const integerIn = (range: { min: number; max: number }, what: string) =>
  v.pipe(
    v.number(`${what} must be a number`),
    v.integer(`${what} must be a whole number`),
    v.minValue(range.min, `${what} must be at least ${range.min}`),
    v.maxValue(range.max, `${what} must be at most ${range.max}`),
  );

/** Generation size: what the engine takes (LIMITS.size), multiples of 8 (the VAE's scale factor for SD models). */
const SIZE_MULTIPLE = 8;
const generationSide = (what: string) =>
  v.pipe(integerIn(LIMITS.size, what), v.multipleOf(SIZE_MULTIPLE, `${what} must be a multiple of ${SIZE_MULTIPLE}`));

/** The final file's size: any size up to the largest generation size. */
const RESIZE_RANGE = { min: 1, max: LIMITS.size.max } as const;

const SEED_MESSAGE = `seed must be a whole number from 0 to ${MAX_SEED} (a decimal string above ${Number.MAX_SAFE_INTEGER}); a build needs a fixed seed, so -1 (random) is not accepted`;
const seedSchema = v.pipe(
  v.union(
    [
      v.pipe(v.number(SEED_MESSAGE), v.integer(SEED_MESSAGE), v.minValue(0, SEED_MESSAGE), v.maxValue(Number.MAX_SAFE_INTEGER, SEED_MESSAGE)),
      v.pipe(v.string(SEED_MESSAGE), v.regex(/^\d{1,20}$/, SEED_MESSAGE), v.check((text: string) => isSeedText(text), SEED_MESSAGE)),
    ],
    SEED_MESSAGE,
  ),
  v.description('The seed: a whole number, or its decimal string for seeds above 2^53 − 1 (up to 2^64 − 1).'),
);

const resizeSchema = v.pipe(
  v.strictObject({
    width: v.pipe(integerIn(RESIZE_RANGE, 'resize.width'), v.description('Final width in pixels.')),
    height: v.pipe(integerIn(RESIZE_RANGE, 'resize.height'), v.description('Final height in pixels.')),
    fit: v.pipe(
      v.optional(v.picklist(ASSET_RESIZE_FITS, 'resize.fit must be "cover" or "contain"')),
      v.description('cover (default): scale and centre-crop, no borders. contain: scale and centre-pad (transparent; white in JPEG), nothing cut.'),
    ),
  }),
  v.description('Resize the generated image to exactly this size (Lanczos).'),
);

const hiresSchema = v.pipe(
  v.strictObject({
    scale: v.pipe(
      v.number('hires.scale must be a number'),
      v.minValue(LIMITS.hiresScale.min, `hires.scale must be at least ${LIMITS.hiresScale.min}`),
      v.maxValue(LIMITS.hiresScale.max, `hires.scale must be at most ${LIMITS.hiresScale.max}`),
      v.description('Second-pass size over the first (A1111 "Hires upscale").'),
    ),
    strength: v.pipe(
      v.optional(
        v.pipe(
          v.number('hires.strength must be a number'),
          v.minValue(LIMITS.strength.min, `hires.strength must be at least ${LIMITS.strength.min}`),
          v.maxValue(LIMITS.strength.max, `hires.strength must be at most ${LIMITS.strength.max}`),
        ),
      ),
      v.description('Denoising strength of the second pass (A1111 "Denoising strength"; default 0.7).'),
    ),
    steps: v.pipe(v.optional(integerIn(LIMITS.hiresSteps, 'hires.steps')), v.description("Steps of the second pass's schedule; 0 or absent: the first pass's.")),
    upscaler: v.pipe(
      v.optional(v.pipe(v.string('hires.upscaler must be a string'), v.nonEmpty('hires.upscaler must not be empty'), v.maxLength(4096, 'hires.upscaler must be at most 4096 characters'))),
      v.description("A super-resolution ONNX model for the upscale (a .onnx file or a folder with one, relative to this file's folder or absolute); default Lanczos."),
    ),
  }),
  v.description('A1111 hires fix: generate, upscale (Lanczos or a model), then img2img at the larger size.'),
);

/** LoRAs an entry may list (a build's hash reads each file). */
export const MAX_ASSET_LORAS = 8;

const filePathSchema = (name: string) =>
  v.pipe(v.string(`${name} must be a string`), v.nonEmpty(`${name} must not be empty`), v.maxLength(4096, `${name} must be at most 4096 characters`));

const loraSchema = v.pipe(
  v.strictObject({
    file: v.pipe(filePathSchema('loras[].file'), v.description("A .safetensors LoRA (kohya or PEFT), relative to this file's folder or absolute.")),
    weight: v.pipe(
      v.optional(v.pipe(v.number('loras[].weight must be a number'), v.minValue(-4, 'loras[].weight must be at least -4'), v.maxValue(4, 'loras[].weight must be at most 4'))),
      v.description('Its strength (default 1).'),
    ),
  }),
  v.description('One LoRA file and its weight.'),
);

const removeBackgroundSchema = v.pipe(
  v.strictObject({
    model: v.pipe(
      filePathSchema('removeBackground.model'),
      v.description("A background-segmentation ONNX model (RMBG-1.4, u2net, isnet): a .onnx file or a folder with one, relative to this file's folder or absolute."),
    ),
    preset: v.pipe(
      v.optional(v.pipe(v.string('removeBackground.preset must be a string'), v.maxLength(64, 'removeBackground.preset must be at most 64 characters'))),
      v.description("Its input normalisation: rmbg, u2net or isnet (default: from the model's name)."),
    ),
  }),
  v.description('Cut the subject out (as `generate --remove-background`): the image keeps a transparent background (PNG or WebP).'),
);

/** The generation options an entry may set and `defaults` may give every entry. */
const generationFields = {
  model: v.pipe(
    v.optional(v.pipe(v.string('model must be a string'), v.nonEmpty('model must not be empty'))),
    v.description(
      "A diffusers ONNX model folder (relative to this file's folder, or absolute), a catalog id such as sd-turbo, or an installed Hugging Face repo (owner/name[@revision][:subfolder]).",
    ),
  ),
  negativePrompt: v.pipe(
    v.optional(v.pipe(v.string('negativePrompt must be a string'), v.maxLength(LIMITS.promptLength.max, `negativePrompt must be at most ${LIMITS.promptLength.max} characters`))),
    v.description('What the image should not show.'),
  ),
  seed: v.optional(seedSchema),
  steps: v.pipe(v.optional(integerIn(LIMITS.steps, 'steps')), v.description("Denoising steps (default: the engine's, 20; 4 for LCM models).")),
  guidance: v.pipe(
    v.optional(
      v.pipe(
        v.number('guidance must be a number'),
        v.minValue(LIMITS.guidanceScale.min, `guidance must be at least ${LIMITS.guidanceScale.min}`),
        v.maxValue(LIMITS.guidanceScale.max, `guidance must be at most ${LIMITS.guidanceScale.max}`),
      ),
    ),
    v.description('Classifier-free guidance scale (CFG); 1 or less turns it off (Turbo and LCM models).'),
  ),
  scheduler: v.pipe(
    v.optional(v.picklist(SCHEDULER_NAMES, `scheduler must be one of ${SCHEDULER_NAMES.join(', ')}`)),
    v.description("The sampler; default: the one in the model's scheduler_config.json."),
  ),
  width: v.pipe(v.optional(generationSide('width')), v.description("Generation width in pixels, a multiple of 8 (default: the model's native size).")),
  height: v.pipe(v.optional(generationSide('height')), v.description("Generation height in pixels, a multiple of 8 (default: the model's native size).")),
  resize: v.optional(resizeSchema),
  tiling: v.pipe(
    v.optional(v.picklist(TILING_MODES, `tiling must be one of ${TILING_MODES.join(', ')}`)),
    v.description('Seamless tiling (A1111 "Tiling"): xy wraps both ways (a texture that repeats in every direction), x left–right, y top–bottom.'),
  ),
  hires: v.optional(hiresSchema),
  loras: v.pipe(
    v.optional(v.pipe(v.array(loraSchema, 'loras must be a list'), v.maxLength(MAX_ASSET_LORAS, `loras must have at most ${MAX_ASSET_LORAS} entries`))),
    v.description('LoRA files to apply (as `generate --lora`), besides any <lora:name:weight> tags in the prompt (those need --lora-dir and are not part of the entry hash: prefer this field).'),
  ),
  removeBackground: v.optional(removeBackgroundSchema),
  emphasis: v.pipe(
    v.optional(v.picklist(EMPHASIS_MODES, `emphasis must be one of ${EMPHASIS_MODES.map((m) => `"${m}"`).join(', ')}`)),
    v.description('A1111 "Emphasis mode" for (word:1.2) weights (as `--emphasis`; default "Original").'),
  ),
  clipSkip: v.pipe(v.optional(integerIn(LIMITS.clipSkip, 'clipSkip')), v.description('A1111 "Clip skip" (as `--clip-skip`; default 1, the last layer).')),
  vae: v.pipe(
    v.optional(filePathSchema('vae')),
    v.description("Another VAE folder (vae_decoder/, vae_encoder/) instead of the model's, relative to this file's folder or absolute (as `--vae`)."),
  ),
};

export const AssetDefaultsSchema = v.pipe(v.strictObject(generationFields), v.description('Options every entry gets unless it sets them itself.'));

export const AssetImageSchema = v.pipe(
  v.strictObject({
    output: v.pipe(
      v.string('output must be a string'),
      v.check((output) => assetOutputPathProblem(output) === undefined, (issue) => `output ${assetOutputPathProblem(String(issue.input))}`),
      v.regex(new RegExp(ASSET_OUTPUT_PATTERN), "output must be a relative path inside the spec's folder ending in .png, .webp, .jpg or .jpeg"),
      v.description("The file to write, relative to this file's folder (never outside it); .png, .webp, .jpg or .jpeg picks the format."),
    ),
    prompt: v.pipe(
      v.string('prompt must be a string'),
      v.maxLength(LIMITS.promptLength.max, `prompt must be at most ${LIMITS.promptLength.max} characters`),
      v.description('What the image shows.'),
    ),
    ...generationFields,
  }),
  v.description('One image of the project.'),
);

export const AssetSpecSchema = v.pipe(
  v.strictObject({
    $schema: v.optional(v.string('$schema must be a string')),
    defaults: v.optional(AssetDefaultsSchema),
    images: v.pipe(v.array(AssetImageSchema, 'images must be a list of entries'), v.description('The images this folder needs.')),
  }, 'the spec must be a JSON object with an "images" list'),
  v.title('Local Diffusion assets'),
  v.description('Images built by `local-diffusion build` from these entries: rebuilt when an entry, its defaults or its model change.'),
);

export type AssetSpec = v.InferOutput<typeof AssetSpecSchema>;
export type AssetImage = v.InferOutput<typeof AssetImageSchema>;
export type AssetDefaults = v.InferOutput<typeof AssetDefaultsSchema>;
export type AssetResize = NonNullable<AssetImage['resize']>;
