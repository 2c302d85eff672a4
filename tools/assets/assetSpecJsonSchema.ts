// The JSON Schema of local-diffusion.json, generated from the one valibot declaration (src/common/assets/
// assetSpecSchema.ts) so the editor's validation never disagrees with the build's. `check` actions (rules across a
// value that a pattern cannot say, such as a seed's upper bound past 2^53) have no JSON Schema form and stay build-only.
import { toJsonSchema } from '@valibot/to-json-schema';
import { AssetSpecSchema } from '../../src/common/assets/assetSpecSchema';

/** Where `npm run build` writes it, relative to the repository (package.json contributes.jsonValidation names it). */
export const ASSET_SPEC_SCHEMA_FILE = 'dist/schemas/local-diffusion.schema.json';

export function assetSpecJsonSchema(): Record<string, unknown> {
  return toJsonSchema(AssetSpecSchema, { target: 'draft-07', ignoreActions: ['check'] }) as Record<string, unknown>;
}
