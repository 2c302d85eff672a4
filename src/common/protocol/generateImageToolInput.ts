// The input of the `local-diffusion_generateImage` Language Model Tool, declared once: this valibot schema is the
// TypeScript type, the validator invoke() runs on what the model sends, and (through @valibot/to-json-schema) the
// `inputSchema` of package.json contributes.languageModelTools (test/unit/generateImageTool.test.ts keeps the two
// equal). The fields are the spec entry's own (src/common/assets/assetSpecSchema.ts), so the tool accepts exactly
// what an entry does.
import * as v from 'valibot';
import { AssetImageSchema } from '../assets/assetSpecSchema';

const entry = AssetImageSchema.pipe[0].entries;

export const GENERATE_IMAGE_TOOL_NAME = 'local-diffusion_generateImage';

export const GenerateImageToolInputSchema = v.pipe(
  v.object({
    prompt: v.pipe(entry.prompt, v.description('What the image shows, in English: subject, style, colours, composition (e.g. "a lighthouse at dusk, flat vector art").')),
    outputPath: v.pipe(
      v.string('outputPath must be a string'),
      v.nonEmpty('outputPath must name a file, e.g. "media/hero.png"'),
      v.description(
        'Where to write the image, relative to the workspace folder (e.g. "media/hero.png"); an absolute path inside the workspace is accepted. The extension (.png, .webp, .jpg, .jpeg) picks the format. Must not exist yet.',
      ),
    ),
    negativePrompt: entry.negativePrompt,
    seed: v.pipe(entry.seed, v.description('A fixed seed to reproduce an image; omit it for a new random one (the seed used is returned).')),
    width: entry.width,
    height: entry.height,
  }),
  v.description('An image asset to generate locally and record in the project\'s local-diffusion.json.'),
);

export type GenerateImageToolInput = v.InferOutput<typeof GenerateImageToolInputSchema>;

/** The input checked against the schema, or one message naming the first bad field. */
export function parseGenerateImageToolInput(input: unknown): { input: GenerateImageToolInput } | { error: string } {
  const result = v.safeParse(GenerateImageToolInputSchema, input, { abortPipeEarly: true });
  if (result.success) return { input: result.output };
  const issue = result.issues[0];
  const field = (issue.path ?? []).map((p) => String(p.key)).join('.');
  return { error: `Invalid input${field ? ` "${field}"` : ''}: ${issue.message}.` };
}
