// Writes dist/schemas/local-diffusion.schema.json from the spec's valibot declaration (run by npm run build and
// npm run package; package.json contributes.jsonValidation points VS Code at it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ASSET_SPEC_SCHEMA_FILE, assetSpecJsonSchema } from './assets/assetSpecJsonSchema';

const repo = path.resolve(__dirname, '..', '..');
const file = path.join(repo, ASSET_SPEC_SCHEMA_FILE);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, `${JSON.stringify(assetSpecJsonSchema(), null, 2)}\n`);
