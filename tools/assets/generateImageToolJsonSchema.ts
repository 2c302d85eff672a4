// The `inputSchema` of the local-diffusion_generateImage tool in package.json (contributes.languageModelTools),
// generated from its valibot declaration (src/common/protocol/generateImageToolInput.ts). package.json cannot be
// generated at build time, so test/unit/generateImageTool.test.ts checks that the two are equal and prints this
// value when they are not. `check` actions (the seed's bound past 2^53) have no JSON Schema form.
import { toJsonSchema } from '@valibot/to-json-schema';
import { GenerateImageToolInputSchema } from '../../src/common/protocol/generateImageToolInput';

export function generateImageToolJsonSchema(): Record<string, unknown> {
  const { $schema: _draft, ...schema } = toJsonSchema(GenerateImageToolInputSchema, { target: 'draft-07', ignoreActions: ['check'] }) as Record<string, unknown>;
  return schema;
}
