// "Save as Asset": an image's infotext → a spec entry (assetEntryFromParameters), appended to the spec's text in
// place (appendAssetEntry), in the nearest spec or a new one (saveImageAsAsset), on real files.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendAssetEntry, newAssetSpecText } from '../../src/common/assets/appendAssetEntry';
import { assetEntryFromParameters } from '../../src/common/assets/assetEntryFromParameters';
import { parseAssetSpec } from '../../src/common/assets/parseAssetSpec';
import { resolveAssetEntries } from '../../src/common/assets/resolveAssetEntries';
import { formatA1111Parameters, parseA1111Parameters, type A1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { encodeImage } from '../../src/node/image/imageCodec';
import { assetModelFor, assetModelValue, findNearestAssetSpec, saveImageAsAsset } from '../../src/node/assets/saveImageAsAsset';

const PARAMS: A1111Parameters = {
  prompt: 'a red circle, on: white',
  negativePrompt: 'blurry',
  steps: 4,
  sampler: 'DPM++ 2M',
  scheduleType: 'Karras',
  cfgScale: 1.5,
  seed: 18446744073709551615n,
  width: 64,
  height: 48,
  model: 'tiny-shapes',
};
const ENTRY = { output: 'media/new.png', prompt: 'x', seed: 2 };

describe('appendAssetEntry', () => {
  it('appends after the last entry with its indentation, leaving the rest of the text as it was', () => {
    const text = '{\n    "defaults": {"model": "m",   "steps": 4},\n    "images": [\n        {"output": "a.png", "prompt": "a", "seed": 1}\n    ]\n}\n';
    const updated = appendAssetEntry(text, ENTRY);
    const cut = text.indexOf('}\n    ]') + 1;
    assert.ok(updated.startsWith(text.slice(0, cut)), 'the text before the insertion is untouched');
    assert.ok(updated.endsWith(text.slice(cut)), 'the text after it too');
    assert.match(updated, /\n {8}\{\n {12}"output": "media\/new\.png",\n {12}"prompt": "x",\n {12}"seed": 2\n {8}\}\n {4}\]/);
    assert.deepEqual((JSON.parse(updated) as { images: unknown[] }).images, [{ output: 'a.png', prompt: 'a', seed: 1 }, ENTRY]);
  });

  it('keeps a one-line list on one line, and uses tabs where the file does', () => {
    assert.equal(appendAssetEntry('{"images": [{"output": "a.png"}]}', ENTRY), `{"images": [{"output": "a.png"}, ${JSON.stringify(ENTRY)}]}`);
    const tabbed = appendAssetEntry('{\n\t"images": [\n\t\t{"output": "a.png"}\n\t]\n}', ENTRY);
    assert.match(tabbed, /\n\t\t\{\n\t\t\t"output": "media\/new\.png",/);
  });

  it('fills an empty list and adds a missing "images"', () => {
    const empty = appendAssetEntry('{\n  "images": []\n}\n', ENTRY);
    assert.equal(empty, `{\n  "images": [\n    ${JSON.stringify(ENTRY, null, 2).split('\n').join('\n    ')}\n  ]\n}\n`);
    const none = appendAssetEntry('{\n  "defaults": { "model": "m" }\n}\n', ENTRY);
    assert.deepEqual(JSON.parse(none), { defaults: { model: 'm' }, images: [ENTRY] });
    assert.ok(none.startsWith('{\n  "defaults": { "model": "m" },\n  "images": [\n    {'));
    assert.deepEqual(JSON.parse(appendAssetEntry('{}', ENTRY)), { images: [ENTRY] });
    assert.deepEqual(JSON.parse(newAssetSpecText(ENTRY)), { images: [ENTRY] });
  });

  it('refuses text that is not a JSON object or whose images is not a list', () => {
    assert.throws(() => appendAssetEntry('{"images": [', ENTRY), /not a JSON object/);
    assert.throws(() => appendAssetEntry('[]', ENTRY), /not a JSON object/);
    assert.throws(() => appendAssetEntry('{"images": 1}', ENTRY), /not a list/);
  });
});

describe('assetEntryFromParameters', () => {
  it('keeps every parameter exactly, the 64-bit seed as its decimal string, and the model unless it is the default', () => {
    const parsed = parseA1111Parameters(formatA1111Parameters(PARAMS));
    const entry = assetEntryFromParameters(parsed, { output: 'media/a.png', model: 'sd-turbo' });
    assert.deepEqual(entry, {
      output: 'media/a.png',
      prompt: 'a red circle, on: white',
      negativePrompt: 'blurry',
      model: 'sd-turbo',
      seed: '18446744073709551615',
      steps: 4,
      guidance: 1.5,
      scheduler: 'dpmpp-2m-karras',
      width: 64,
      height: 48,
    });
    const small = assetEntryFromParameters(parseA1111Parameters(formatA1111Parameters({ ...PARAMS, seed: 7, negativePrompt: '' })), { output: 'a.png', model: 'm', defaultModel: 'm' });
    assert.equal(small.seed, 7);
    assert.equal('model' in small, false);
    assert.equal('negativePrompt' in small, false);
    // The entry is a valid spec entry that resolves to the same values.
    const resolved = resolveAssetEntries(parseAssetSpec(JSON.stringify({ images: [entry] })).spec!);
    assert.equal(resolved.entries?.[0].seed, 18446744073709551615n);
  });

  it('keeps tiling and a Lanczos hires fix, as the engine writes them', () => {
    const parsed = parseA1111Parameters(
      formatA1111Parameters({
        ...PARAMS,
        denoisingStrength: 0.55,
        extra: [['Hires upscale', 2], ['Hires steps', 6], ['Hires upscaler', 'Lanczos'], ['Tiling', 'True'], ['Tiling axes', 'X']],
      }),
    );
    const entry = assetEntryFromParameters(parsed, { output: 'a.png', model: 'm' });
    assert.equal(entry.tiling, 'x');
    assert.deepEqual(entry.hires, { scale: 2, strength: 0.55, steps: 6 });
    const resolved = resolveAssetEntries(parseAssetSpec(JSON.stringify({ images: [entry] })).spec!).entries![0];
    assert.equal(resolved.tiling, 'x');
    assert.deepEqual(resolved.hires, { scale: 2, strength: 0.55, steps: 6 });
  });

  it('refuses what a spec entry cannot rebuild, naming it', () => {
    const refuse = (extra: Partial<A1111Parameters>, pattern: RegExp): void => {
      const parsed = parseA1111Parameters(formatA1111Parameters({ ...PARAMS, ...extra }));
      assert.throws(() => assetEntryFromParameters(parsed, { output: 'a.png', model: 'm' }), pattern);
    };
    refuse({ denoisingStrength: 0.5 }, /Denoising strength/);
    refuse({ extra: [['Hires upscale', 2], ['Hires upscaler', 'RealESRGAN_x4plus']] }, /upscaler "RealESRGAN_x4plus"/);
    refuse({ extra: [['Hires resize', '1024x1024']] }, /Hires resize/);
    refuse({ clipSkip: 2 }, /Clip skip 2/);
    refuse({ emphasis: 'No norm' }, /emphasis "No norm"/);
    refuse({ seed: -1 }, /no fixed seed/);
    refuse({ sampler: 'Restart' }, /closest|Restart/);
  });
});

describe('saveImageAsAsset', () => {
  let root: string;
  const png = async (file: string, parameters?: string): Promise<void> => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const data = new Uint8Array(4 * 4 * 3).fill(128);
    fs.writeFileSync(file, await encodeImage({ width: 4, height: 4, channels: 3, data }, path.extname(file) === '.webp' ? 'webp' : 'png', parameters ? { parameters } : {}));
  };
  const modelOf = (name: string | undefined): string => name ?? 'none';

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-save-asset-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('appends to the nearest spec, with the output relative to its folder', async () => {
    const specFile = path.join(root, 'web', 'local-diffusion.json');
    fs.mkdirSync(path.dirname(specFile), { recursive: true });
    const original = '{\n  "defaults": { "model": "tiny-shapes" },\n  "images": [\n    { "output": "media/old.png", "prompt": "x", "seed": 1 }\n  ]\n}\n';
    fs.writeFileSync(specFile, original);
    fs.writeFileSync(path.join(root, 'local-diffusion.json'), '{"images": []}'); // farther away: not chosen
    const image = path.join(root, 'web', 'media', 'sub', 'hero.webp');
    await png(image, formatA1111Parameters(PARAMS));
    const saved = await saveImageAsAsset({ image, root, model: modelOf });
    assert.equal(saved.specFile, specFile);
    assert.equal(saved.created, false);
    assert.equal(saved.index, 1);
    const text = fs.readFileSync(specFile, 'utf8');
    assert.ok(text.startsWith(original.slice(0, original.indexOf('}\n  ]') + 1)));
    const spec = JSON.parse(text) as { images: Array<Record<string, unknown>> };
    assert.equal(spec.images[1].output, 'media/sub/hero.webp');
    assert.equal('model' in spec.images[1], false, 'the default model is not repeated');
    assert.equal(spec.images[1].seed, '18446744073709551615');
    // Saving it again is refused: one entry per file.
    await assert.rejects(saveImageAsAsset({ image, root, model: modelOf }), /already has an entry for media\/sub\/hero\.webp \(images\[1\]\)/);
  });

  it('creates local-diffusion.json in the workspace folder when there is none', async () => {
    const image = path.join(root, 'assets', 'logo.png');
    await png(image, formatA1111Parameters({ ...PARAMS, seed: 42 }));
    const saved = await saveImageAsAsset({ image, root, model: () => './models/tiny' });
    assert.equal(saved.created, true);
    assert.equal(saved.specFile, path.join(root, 'local-diffusion.json'));
    const spec = JSON.parse(fs.readFileSync(saved.specFile, 'utf8')) as { images: Array<Record<string, unknown>> };
    assert.deepEqual(spec.images.map((e) => [e.output, e.model, e.seed]), [['assets/logo.png', './models/tiny', 42]]);
  });

  it('refuses an image without parameters, outside the workspace folder, or next to an invalid spec', async () => {
    const bare = path.join(root, 'bare.png');
    await png(bare);
    await assert.rejects(saveImageAsAsset({ image: bare, root, model: modelOf }), /no generation parameters/);
    await assert.rejects(saveImageAsAsset({ image: bare, root: path.join(root, 'sub'), model: modelOf }), /not inside the workspace folder/);
    const image = path.join(root, 'x.png');
    await png(image, formatA1111Parameters(PARAMS));
    fs.writeFileSync(path.join(root, 'local-diffusion.json'), '{"images": [{"output": "a.png"}]}');
    await assert.rejects(saveImageAsAsset({ image, root, model: modelOf }), /not a valid spec \(images\[0\] \(a\.png\): prompt is required\)/);
  });

  it('finds a named spec when it is the only one, and refuses to guess between several', async () => {
    const dir = path.join(root, 'a', 'b');
    fs.mkdirSync(dir, { recursive: true });
    assert.equal(await findNearestAssetSpec(dir, root), undefined);
    fs.writeFileSync(path.join(root, 'a', 'icons.local-diffusion.json'), '{}');
    assert.equal(await findNearestAssetSpec(dir, root), path.join(root, 'a', 'icons.local-diffusion.json'));
    fs.writeFileSync(path.join(root, 'a', 'logos.local-diffusion.json'), '{}');
    await assert.rejects(findNearestAssetSpec(dir, root), /several specs/);
  });

  it('writes model folders relative to the spec inside the workspace, absolute outside', () => {
    assert.equal(assetModelValue(path.join(root, 'models', 'm'), root, root), './models/m');
    assert.equal(assetModelValue(path.join(root, 'models', 'm'), path.join(root, 'web'), root), '../models/m');
    const outside = path.join(os.tmpdir(), 'elsewhere', 'm');
    assert.equal(assetModelValue(outside, root, root), outside);
  });

  it("names the selected model by its setting or its folder, another one by the infotext's model", () => {
    const builtIn = { dir: path.join(os.tmpdir(), 'ext', 'models', 'tiny-shapes'), name: 'tiny-shapes', setting: '' };
    assert.equal(assetModelFor('tiny-shapes', builtIn, root, root), builtIn.dir);
    assert.equal(assetModelFor(undefined, { ...builtIn, dir: path.join(root, 'm') }, root, root), './m');
    assert.equal(assetModelFor('sd-turbo', { dir: '/x/sd-turbo', name: 'sd-turbo', setting: 'sd-turbo' }, root, root), 'sd-turbo');
    assert.equal(assetModelFor('stabilityai/sd-turbo', builtIn, root, root), 'stabilityai/sd-turbo');
    assert.throws(() => assetModelFor(undefined, undefined, root, root), /no model is selected/);
  });
});
