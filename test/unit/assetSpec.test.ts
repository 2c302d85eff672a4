// local-diffusion.json: the valibot declaration, the JSON Schema generated from it (checked with Ajv, as an editor
// would), entry resolution and the hash input.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { ASSET_OUTPUT_PATTERN, assetOutputFormat, assetOutputPathProblem, normalizeAssetOutput } from '../../src/common/assets/assetOutputPath';
import { describeAssetSpecProblem, parseAssetSpec } from '../../src/common/assets/parseAssetSpec';
import { assetHashInput, resolveAssetEntries, type ResolvedAssetEntry } from '../../src/common/assets/resolveAssetEntries';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { assetHashFromParameters, withAssetHash } from '../../src/node/assets/assetMetadata';
import { ASSET_SPEC_SCHEMA_FILE, assetSpecJsonSchema } from '../../tools/assets/assetSpecJsonSchema';

const repo = path.resolve(__dirname, '../../..');

/** The ```json blocks of the README's "Images as code" section that are specs. */
function readmeSpecs(): unknown[] {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Images as code\n');
  assert.ok(start >= 0, 'README has an "Images as code" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as unknown);
}

const ok = (images: unknown[], defaults?: unknown): string => JSON.stringify({ ...(defaults ? { defaults } : {}), images });
const entry = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ output: 'media/a.png', prompt: 'a red circle', seed: 1, model: 'm', ...extra });

/** Bad specs: the index, output and field the one problem names, and the words of its message. */
const BAD: Array<{ name: string; text: string; index?: number; field: string; message: RegExp; jsonSchema: boolean }> = [
  { name: 'unknown field in an entry', text: ok([entry(), entry({ output: 'b.png', sed: 3 })]), index: 1, field: 'sed', message: /unknown field "sed"/, jsonSchema: true },
  { name: 'unknown field in defaults', text: ok([entry()], { stepz: 3 }), field: 'defaults.stepz', message: /unknown field "defaults\.stepz"/, jsonSchema: true },
  { name: 'unknown field in resize', text: ok([entry({ resize: { width: 8, height: 8, mode: 'cover' } })]), index: 0, field: 'resize.mode', message: /unknown field/, jsonSchema: true },
  { name: 'unknown top-level field', text: JSON.stringify({ images: [], image: [] }), field: 'image', message: /unknown field "image"/, jsonSchema: true },
  { name: 'entry without prompt', text: ok([{ output: 'a.png', seed: 1, model: 'm' }]), index: 0, field: 'prompt', message: /prompt is required/, jsonSchema: true },
  { name: 'entry without output', text: ok([{ prompt: 'x', seed: 1, model: 'm' }]), index: 0, field: 'output', message: /output is required/, jsonSchema: true },
  { name: 'output above the folder', text: ok([entry({ output: '../logo.png' })]), index: 0, field: 'output', message: /inside the spec's folder/, jsonSchema: true },
  { name: 'output above the folder, deeper', text: ok([entry({ output: 'media/../../logo.png' })]), index: 0, field: 'output', message: /inside the spec's folder/, jsonSchema: true },
  { name: 'absolute output', text: ok([entry({ output: '/tmp/logo.png' })]), index: 0, field: 'output', message: /not absolute/, jsonSchema: true },
  { name: 'Windows absolute output', text: ok([entry({ output: 'C:/logo.png' })]), index: 0, field: 'output', message: /not absolute/, jsonSchema: true },
  { name: 'home output', text: ok([entry({ output: '~/logo.png' })]), index: 0, field: 'output', message: /not absolute/, jsonSchema: true },
  { name: 'backslashes', text: ok([entry({ output: 'media\\logo.png' })]), index: 0, field: 'output', message: /"\/"/, jsonSchema: true },
  { name: 'unknown extension', text: ok([entry({ output: 'media/logo.gif' })]), index: 0, field: 'output', message: /\.png, \.webp, \.jpg or \.jpeg/, jsonSchema: true },
  { name: 'width not a multiple of 8', text: ok([entry({ width: 100 })]), index: 0, field: 'width', message: /multiple of 8/, jsonSchema: true },
  { name: 'height too large', text: ok([entry({ height: 8192 })]), index: 0, field: 'height', message: /at most 4096/, jsonSchema: true },
  { name: 'width not an integer', text: ok([entry({ width: 64.5 })]), index: 0, field: 'width', message: /whole number/, jsonSchema: true },
  { name: 'resize of 0', text: ok([entry({ resize: { width: 0, height: 16 } })]), index: 0, field: 'resize.width', message: /at least 1/, jsonSchema: true },
  { name: 'resize without height', text: ok([entry({ resize: { width: 16 } })]), index: 0, field: 'resize.height', message: /resize\.height is required/, jsonSchema: true },
  { name: 'resize fit fill', text: ok([entry({ resize: { width: 16, height: 16, fit: 'fill' } })]), index: 0, field: 'resize.fit', message: /"cover" or "contain"/, jsonSchema: true },
  { name: 'steps 0', text: ok([entry({ steps: 0 })]), index: 0, field: 'steps', message: /at least 1/, jsonSchema: true },
  { name: 'unknown scheduler', text: ok([entry({ scheduler: 'not-a-sampler' })]), index: 0, field: 'scheduler', message: /scheduler must be one of/, jsonSchema: true },
  { name: 'random seed', text: ok([entry({ seed: -1 })]), index: 0, field: 'seed', message: /-1 \(random\) is not accepted/, jsonSchema: true },
  { name: 'seed above 2^64 - 1', text: ok([entry({ seed: '18446744073709551616' })]), index: 0, field: 'seed', message: /seed must be a whole number/, jsonSchema: false },
  { name: 'unknown tiling', text: ok([entry({ tiling: 'both' })]), index: 0, field: 'tiling', message: /tiling must be one of xy, x, y/, jsonSchema: true },
  { name: 'hires without scale', text: ok([entry({ hires: { strength: 0.5 } })]), index: 0, field: 'hires.scale', message: /hires\.scale is required/, jsonSchema: true },
  { name: 'hires scale above 4', text: ok([entry({ hires: { scale: 8 } })]), index: 0, field: 'hires.scale', message: /at most 4/, jsonSchema: true },
  { name: 'hires with an unknown field', text: ok([entry({ hires: { scale: 2, model: 'x.onnx' } })]), index: 0, field: 'hires.model', message: /unknown field/, jsonSchema: true },
  { name: 'a LoRA weight above 4', text: ok([entry({ loras: [{ file: 'a.safetensors', weight: 9 }] })]), index: 0, field: 'loras.0.weight', message: /at most 4/, jsonSchema: true },
  { name: 'a LoRA without a file', text: ok([entry({ loras: [{ weight: 1 }] })]), index: 0, field: 'loras.0.file', message: /loras\[\]\.file is required|file is required/, jsonSchema: true },
  { name: 'removeBackground without a model', text: ok([entry({ removeBackground: {} })]), index: 0, field: 'removeBackground.model', message: /is required/, jsonSchema: true },
  { name: 'an unknown emphasis mode', text: ok([entry({ emphasis: 'Strong' })]), index: 0, field: 'emphasis', message: /emphasis must be one of "Original", "No norm", "Ignore", "None"/, jsonSchema: true },
  { name: 'clip skip 0', text: ok([entry({ clipSkip: 0 })]), index: 0, field: 'clipSkip', message: /at least 1/, jsonSchema: true },
  { name: 'two entries, one file', text: ok([entry(), entry({ output: './media//A.png', prompt: 'b' })]), index: 1, field: 'output', message: /same file as images\[0\]/, jsonSchema: false },
];

describe('local-diffusion.json', () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(assetSpecJsonSchema());

  it('the README examples are valid for the build and for the JSON Schema', () => {
    const specs = readmeSpecs();
    assert.ok(specs.length >= 1);
    for (const spec of specs) {
      const parsed = parseAssetSpec(JSON.stringify(spec));
      assert.equal(parsed.problems, undefined, JSON.stringify(parsed.problems));
      assert.equal(validate(spec), true, JSON.stringify(validate.errors));
      const resolved = resolveAssetEntries(parsed.spec!);
      assert.equal(resolved.problems, undefined, JSON.stringify(resolved.problems));
    }
  });

  for (const bad of BAD) {
    it(`rejects ${bad.name}, naming the entry and the field`, () => {
      const parsed = parseAssetSpec(bad.text);
      assert.ok(parsed.problems, 'rejected');
      const problem = parsed.problems[0];
      assert.equal(problem.index, bad.index);
      assert.equal(problem.field, bad.field);
      assert.match(problem.message, bad.message);
      const line = describeAssetSpecProblem(problem);
      if (bad.index !== undefined) assert.ok(line.startsWith(`images[${bad.index}]`), line);
      if (bad.jsonSchema) assert.equal(validate(JSON.parse(bad.text)), false, `the JSON Schema rejects it too: ${bad.text}`);
    });
  }

  it('rejects what is not a spec: bad JSON, an array, images not a list', () => {
    assert.match(parseAssetSpec('{"images": [').problems?.[0].message ?? '', /not valid JSON/);
    assert.match(parseAssetSpec('[]').problems?.[0].message ?? '', /JSON object/);
    assert.match(parseAssetSpec('{"images": {}}').problems?.[0].message ?? '', /images must be a list/);
  });

  it('the output pattern in the JSON Schema agrees with the build on every path', () => {
    const pattern = new RegExp(ASSET_OUTPUT_PATTERN, 'u');
    const paths = [
      'a.png', 'media/hero.png', 'A.PNG', 'x.webp', 'x.jpg', 'x.JPEG', 'x.Jpg', './a.png', 'a/./b.webp', 'a..b.png', '..a.png', 'a/..b/c.png',
      '../a.png', 'a/../b.png', 'a/..', '/a.png', '~/a.png', 'C:/a.png', 'c:a.png', 'a\\b.png', 'a.gif', 'a', 'a.png/', '.png', 'media/.webp', 'media/', '',
    ];
    for (const p of paths) assert.equal(pattern.test(p), assetOutputPathProblem(p) === undefined, p);
  });

  it('the format comes from the extension; outputs compare without . segments and doubled slashes', () => {
    assert.equal(assetOutputFormat('a/b.PNG'), 'png');
    assert.equal(assetOutputFormat('a.jpg'), 'jpeg');
    assert.equal(assetOutputFormat('a.jpeg'), 'jpeg');
    assert.equal(assetOutputFormat('a.webp'), 'webp');
    assert.equal(assetOutputFormat('a.png.d/x'), undefined);
    assert.equal(normalizeAssetOutput('./media//./hero.png'), 'media/hero.png');
  });

  it('the schema file from npm run build is the one generated from the declaration, and package.json contributes it', () => {
    const file = path.join(repo, ASSET_SPEC_SCHEMA_FILE);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), assetSpecJsonSchema());
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      contributes: { jsonValidation: Array<{ fileMatch: string[]; url: string }> };
    };
    const contribution = manifest.contributes.jsonValidation.find((j) => j.url === `./${ASSET_SPEC_SCHEMA_FILE}`);
    assert.ok(contribution, 'jsonValidation names the schema');
    assert.deepEqual([...contribution.fileMatch].sort(), ['*.local-diffusion.json', 'local-diffusion.json']);
  });
});

describe('resolveAssetEntries and the hash input', () => {
  const resolve = (text: string): ResolvedAssetEntry[] => {
    const parsed = parseAssetSpec(text);
    assert.equal(parsed.problems, undefined, JSON.stringify(parsed.problems));
    const resolved = resolveAssetEntries(parsed.spec!);
    assert.equal(resolved.problems, undefined, JSON.stringify(resolved.problems));
    return resolved.entries!;
  };
  const model = { identity: 'a'.repeat(64), name: 'tiny' };

  it('applies defaults, lets entries override them, and defaults resize.fit to cover', () => {
    const [a, b] = resolve(
      ok(
        [
          { output: 'a.png', prompt: 'x' },
          { output: 'b.webp', prompt: 'y', steps: 9, seed: '12345678901234567890', resize: { width: 16, height: 8 } },
        ],
        { model: 'm', seed: 4, steps: 3, guidance: 0, scheduler: 'euler-a', width: 64 },
      ),
    );
    assert.deepEqual(
      { model: a.model, seed: a.seed, steps: a.steps, guidance: a.guidance, scheduler: a.scheduler, width: a.width, height: a.height, format: a.format },
      { model: 'm', seed: 4n, steps: 3, guidance: 0, scheduler: 'euler-a', width: 64, height: undefined, format: 'png' },
    );
    assert.equal(b.steps, 9);
    assert.equal(b.seed, 12345678901234567890n);
    assert.deepEqual(b.resize, { width: 16, height: 8, fit: 'cover' });
    assert.equal(b.format, 'webp');
  });

  it('an entry without a model or a seed (its own or the default) is a problem naming it', () => {
    const noModel = resolveAssetEntries(parseAssetSpec(ok([{ output: 'a.png', prompt: 'x', seed: 1 }])).spec!);
    assert.deepEqual(noModel.problems?.map((p) => [p.index, p.output, p.field]), [[0, 'a.png', 'model']]);
    const noSeed = resolveAssetEntries(parseAssetSpec(ok([entry(), { output: 'b.png', prompt: 'x', model: 'm' }])).spec!);
    assert.deepEqual(noSeed.problems?.map((p) => [p.index, p.output, p.field]), [[1, 'b.png', 'seed']]);
  });

  it('every value changes the hash input; the output path and an unset-vs-default spelling do not', () => {
    const [base] = resolve(ok([entry({ steps: 4 })]));
    const input = assetHashInput(base, model);
    const variants: Record<string, unknown>[] = [
      { prompt: 'a blue circle' }, { negativePrompt: 'text' }, { seed: 2 }, { steps: 5 }, { guidance: 3 }, { scheduler: 'ddim' },
      { width: 64 }, { height: 64 }, { resize: { width: 8, height: 8 } }, { resize: { width: 8, height: 8, fit: 'contain' } }, { output: 'media/a.webp' },
      { tiling: 'xy' }, { tiling: 'x' }, { hires: { scale: 2 } }, { hires: { scale: 2, strength: 0.5 } }, { hires: { scale: 2, steps: 4 } }, { hires: { scale: 2, upscaler: 'x.onnx' } },
      { loras: [{ file: 'a.safetensors' }] }, { loras: [{ file: 'a.safetensors', weight: 0.5 }] }, { removeBackground: { model: 'seg.onnx' } },
      { removeBackground: { model: 'seg.onnx', preset: 'u2net' } }, { emphasis: 'No norm' }, { emphasis: 'Original' }, { clipSkip: 2 }, { vae: 'vae' },
    ];
    const seen = new Set([input]);
    for (const variant of variants) {
      const [changed] = resolve(ok([entry({ steps: 4, ...variant })]));
      const text = assetHashInput(changed, model);
      assert.ok(!seen.has(text), `${JSON.stringify(variant)} changes the hash input`);
      seen.add(text);
    }
    assert.notEqual(assetHashInput(base, { ...model, identity: 'b'.repeat(64) }), input);
    assert.notEqual(assetHashInput(base, { ...model, name: 'other' }), input);
    const [moved] = resolve(ok([entry({ steps: 4, output: 'other/place.png' })]));
    assert.equal(assetHashInput(moved, model), input);
    const [viaDefaults] = resolve(ok([{ output: 'x.png', prompt: 'a red circle' }], { model: 'm', seed: 1, steps: 4 }));
    assert.equal(assetHashInput(viaDefaults, model), input);
    // LoRA files count by content, not by path: another path with the same identity is the same input.
    const [withLora] = resolve(ok([entry({ steps: 4, loras: [{ file: 'a.safetensors' }] })]));
    const [loraElsewhere] = resolve(ok([entry({ steps: 4, loras: [{ file: 'other/b.safetensors' }] })]));
    assert.equal(assetHashInput(withLora, { ...model, loras: ['c'.repeat(64)] }), assetHashInput(loraElsewhere, { ...model, loras: ['c'.repeat(64)] }));
    assert.notEqual(assetHashInput(withLora, { ...model, loras: ['c'.repeat(64)] }), assetHashInput(withLora, { ...model, loras: ['d'.repeat(64)] }));
    // Options added later are in the hash only when set: a file built before them stays fresh.
    assert.ok(!/tiling|hires|loras|removeBackground|emphasis|clipSkip|vae/.test(input));
  });
});

describe('the asset hash in the infotext', () => {
  const hash = '0123456789abcdef'.repeat(4);
  const infotext = 'a red circle\nNegative prompt: text\nSteps: 4, Sampler: Euler, CFG scale: 7.5, Seed: 7, Size: 64x64, Model: tiny, Version: Local Diffusion 0.1.0';

  it('is the last key of the parameters line, read back by us and by the A1111 parser', () => {
    const text = withAssetHash(infotext, hash);
    assert.ok(text.endsWith(`, Asset hash: ${hash}`));
    assert.equal(assetHashFromParameters(text), hash);
    const parsed = parseA1111Parameters(text);
    assert.equal(parsed.raw['Asset hash'], hash);
    assert.equal(parsed.prompt, 'a red circle');
    assert.equal(parsed.negativePrompt, 'text');
    assert.equal(parsed.seed, 7);
  });

  it('replaces an earlier hash; none is found in a plain infotext or in the prompt', () => {
    const other = 'f'.repeat(64);
    assert.equal(assetHashFromParameters(withAssetHash(withAssetHash(infotext, other), hash)), hash);
    assert.equal(withAssetHash(withAssetHash(infotext, other), hash).match(/Asset hash/g)?.length, 1);
    assert.equal(assetHashFromParameters(infotext), undefined);
    assert.equal(assetHashFromParameters(`Asset hash: ${hash}\nSteps: 4, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 8x8`), undefined);
    assert.throws(() => withAssetHash(infotext, 'nothex'));
  });
});
