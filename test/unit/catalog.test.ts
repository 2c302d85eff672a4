import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCHEDULER_NAMES } from '../../src/common/protocol/engineProtocol';
import { catalogEntriesOfKind, catalogEntryForSource, catalogSource, findCatalogEntry, loadCatalog, validateCatalog } from '../../src/node/modelStore/catalog';
import { modelSource } from '../../src/node/modelStore/modelSource';
import { ModelStoreError } from '../../src/node/modelStore/modelStoreError';

const root = path.resolve(__dirname, '../../..');
const catalogFile = path.join(root, 'models', 'catalog.json');

function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'tiny',
    name: 'Tiny',
    repo: 'o/tiny',
    revision: 'main',
    subfolder: '',
    licence: { name: 'MIT', url: 'https://example.com', commercialUse: true, mustAccept: false },
    verified: true,
    evidence: 'seen',
    note: 'a note',
    recommended: { steps: 4, guidanceScale: 1, scheduler: 'euler' },
    inpainting: false,
    ...overrides,
  };
}

function problems(value: unknown): string {
  try {
    validateCatalog(value, 'test.json');
  } catch (error) {
    assert.ok(error instanceof ModelStoreError && error.code === 'invalid');
    return error.message;
  }
  assert.fail('expected the catalog to be refused');
}

describe('model catalog', () => {
  it('models/catalog.json is valid: the starting models, each with licence, evidence and advice', async () => {
    const catalog = await loadCatalog(catalogFile);
    assert.deepEqual(catalogEntriesOfKind(catalog, 'diffusion').map((m) => m.id), ['sd-turbo', 'sd-1.5', 'sd-1.5-inpainting', 'lcm-dreamshaper-v7', 'sdxl-turbo', 'sdxl-base-1.0']);
    for (const m of catalogEntriesOfKind(catalog, 'diffusion')) {
      assert.ok(m.licence.url.startsWith('https://'), m.id);
      assert.ok(m.evidence.length > 40, `${m.id}: says where the id comes from`);
      assert.doesNotMatch(`${m.evidence} ${m.note}`, /facts\.md|§\d/, `${m.id}: cites public sources, not an internal notes file`);
      assert.ok((SCHEDULER_NAMES as readonly string[]).includes(m.recommended!.scheduler));
      if (!m.verified) assert.match(m.evidence, /unverified|not seen|inferred/i, `${m.id}: an unverified entry says so`);
    }
    assert.equal(findCatalogEntry(catalog, 'sd-turbo')?.licence.commercialUse, false, 'SD-Turbo is non-commercial (its licence)');
    assert.equal(findCatalogEntry(catalog, 'sd-turbo')?.licence.mustAccept, true);
    assert.equal(findCatalogEntry(catalog, 'sd-1.5-inpainting')?.inpainting, true);
    assert.equal(findCatalogEntry(catalog, 'lcm-dreamshaper-v7')?.recommended?.scheduler, 'lcm');
    assert.deepEqual(catalogSource(findCatalogEntry(catalog, 'sd-1.5')!), modelSource('stable-diffusion-v1-5/stable-diffusion-v1-5', 'onnx'));
    assert.equal(catalogEntryForSource(catalog, modelSource('onnxruntime/sd-turbo'))?.id, 'sd-turbo');
    assert.equal(catalogEntryForSource(catalog, modelSource('onnxruntime/sd-turbo', 'fp16')), undefined);
    // Nothing the Hub's listing says is written in the catalog.
    assert.doesNotMatch(fs.readFileSync(catalogFile, 'utf8'), /"(size|sha256|oid|bytes|commit)"/);
  });

  it('accepts a minimal entry and file rules', () => {
    const catalog = validateCatalog({ models: [entry({ files: { include: ['extra/*.json'], exclude: ['vae_encoder/**'] } })] });
    assert.deepEqual(catalog.models[0]?.files, { include: ['extra/*.json'], exclude: ['vae_encoder/**'] });
  });

  it('refuses unknown keys (such as sizes or hashes), bad ids, bad repos and duplicates, listing every problem', () => {
    const message = problems({
      models: [
        entry({ size: 123 }),
        entry({ id: 'Bad/Id', repo: 'not a repo' }),
        entry({ id: 'tiny', repo: 'o/other' }),
        entry({ id: 'x', licence: { name: 'NC', url: 'http://insecure', commercialUse: false, mustAccept: false } }),
        entry({ id: 'y', recommended: { steps: 0, guidanceScale: -1, scheduler: 'plms' } }),
        entry({ id: 'z', subfolder: '../up' }),
      ],
    });
    assert.match(message, /^test\.json is not valid: /);
    assert.match(message, /models\[0\]: unknown key "size"/);
    assert.match(message, /models\[1\]\.id: "Bad\/Id" must be lowercase/);
    assert.match(message, /models\[1\]\.repo: "not a repo" is not a Hugging Face repo id/);
    assert.match(message, /models\[2\]\.id: "tiny" is used twice/);
    assert.match(message, /models\[3\]\.licence\.url: must be an https:\/\/ URL/);
    assert.match(message, /models\[3\]\.licence: a non-commercial licence must be accepted/);
    assert.match(message, /models\[4\]\.recommended\.steps: must be a whole number in 1…150/);
    assert.match(message, /models\[4\]\.recommended\.guidanceScale/);
    assert.match(message, /models\[4\]\.recommended\.scheduler: must be one of default, euler/);
    assert.match(message, /models\[5\]\.subfolder/);
    assert.match(problems({ model: [] }), /expected \{ "models": \[ … \] \}/);
    assert.match(problems({ models: [entry({ verified: 'yes' })] }), /verified: must be true or false/);
  });
});
