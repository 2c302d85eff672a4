// Model kinds (diffusion / upscaler / background) through the catalog, the file selection, the install manifest
// and the pickers: each picker offers only what fits. Plus the image tools' pure host logic: output names that
// keep or change the format, the scale choices, and the engine's single-graph lookup in a downloaded folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { singleOnnxModelFile } from '../../src/engine/upscale/singleOnnxModelFile';
import { cutoutFileName, cutoutFormatForInput, formatForInput, upscaledFileName } from '../../src/host/imageTools/imageToolFileNames';
import { imageToolChoices, type ImageToolChoice } from '../../src/host/imageTools/imageToolChoices';
import { parseScale, upscaleScaleChoices } from '../../src/host/imageTools/upscaleScaleChoices';
import { buildModelChoices, type ModelChoice } from '../../src/host/models/modelChoices';
import { catalogEntriesOfKind, findCatalogEntry, loadCatalog, validateCatalog } from '../../src/node/modelStore/catalog';
import { REQUIRED_FILES_BY_KIND, selectModelFiles } from '../../src/node/modelStore/fileSelection';
import type { HubFile } from '../../src/node/modelStore/hubClient';
import { installedModelKind, parseManifest, type InstalledModel } from '../../src/node/modelStore/installedModels';
import type { ModelKind } from '../../src/node/modelStore/modelKind';
import { modelSource } from '../../src/node/modelStore/modelSource';
import { ModelStoreError } from '../../src/node/modelStore/modelStoreError';

const root = path.resolve(__dirname, '../../..');

const licence = { name: 'MIT', url: 'https://example.com', commercialUse: true, mustAccept: false };
function entry(id: string, kind: ModelKind | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    ...(kind ? { kind } : {}),
    name: id.toUpperCase(),
    repo: `o/${id}`,
    revision: 'main',
    subfolder: '',
    licence,
    verified: true,
    evidence: 'seen',
    note: `${id} note.`,
    ...(kind === undefined || kind === 'diffusion' ? { recommended: { steps: 4, guidanceScale: 1, scheduler: 'euler' }, inpainting: false } : {}),
    ...extra,
  };
}

function invalidMessage(value: unknown): string {
  try {
    validateCatalog(value, 'test.json');
  } catch (error) {
    assert.ok(error instanceof ModelStoreError && error.code === 'invalid');
    return error.message;
  }
  return assert.fail('expected the catalog to be refused');
}

const catalog = validateCatalog({
  models: [entry('sd', undefined), entry('esrgan', 'upscaler'), entry('esrgan-x4', 'upscaler'), entry('rmbg', 'background', { preset: 'rmbg' }), entry('u2net', 'background', { preset: 'u2net' })],
});

function installed(repoId: string, dir: string, kind?: ModelKind): InstalledModel {
  return { format: 1, source: modelSource(repoId), commit: '0'.repeat(40), installedAt: '', totalBytes: 64 * 1024 ** 2, files: [], dir, ...(kind ? { kind } : {}) };
}

const labels = (choices: readonly (ModelChoice | ImageToolChoice)[]) => choices.map((c) => (c.kind === 'separator' ? `— ${c.label}` : c.label));

function hubFile(p: string, size = 10): HubFile {
  return { path: p, size, oid: 'f'.repeat(40) };
}

describe('model kinds', () => {
  it('catalog: kind defaults to diffusion; recommended only for diffusion; preset only for background', () => {
    assert.equal(catalog.models[0]!.kind, 'diffusion');
    assert.equal(catalog.models[1]!.kind, 'upscaler');
    assert.equal(catalog.models[1]!.recommended, undefined);
    assert.equal(catalog.models[3]!.preset, 'rmbg');
    assert.deepEqual(catalogEntriesOfKind(catalog, 'background').map((e) => e.id), ['rmbg', 'u2net']);
    assert.match(invalidMessage({ models: [entry('x', 'painter' as ModelKind)] }), /models\[0\]\.kind: must be one of diffusion, upscaler, background/);
    assert.match(invalidMessage({ models: [entry('x', 'upscaler', { recommended: { steps: 1, guidanceScale: 0, scheduler: 'default' } })] }), /recommended: is for diffusion models only/);
    assert.match(invalidMessage({ models: [entry('x', 'upscaler', { preset: 'rmbg' })] }), /preset: is for background models only/);
    assert.match(invalidMessage({ models: [entry('x', 'diffusion', { recommended: undefined })] }), /recommended: must be an object/);
  });

  it('models/catalog.json: Real-ESRGAN ×2/×4 and background models, each with a licence, unverified ones saying so', async () => {
    const real = await loadCatalog(path.join(root, 'models', 'catalog.json'));
    assert.deepEqual(catalogEntriesOfKind(real, 'upscaler').map((e) => e.id), ['realesrgan-x2', 'realesrgan-general-x4']);
    assert.deepEqual(catalogEntriesOfKind(real, 'background').map((e) => e.id), ['rmbg-1.4', 'u2net', 'isnet-general-use']);
    for (const e of [...catalogEntriesOfKind(real, 'upscaler'), ...catalogEntriesOfKind(real, 'background')]) {
      assert.ok(e.licence.url.startsWith('https://') && e.licence.name.length > 3, e.id);
      if (!e.verified) assert.match(e.evidence, /unverified|not seen/i, e.id);
      assert.equal(e.recommended, undefined, e.id);
    }
    for (const e of catalogEntriesOfKind(real, 'background')) assert.ok(['rmbg', 'u2net', 'isnet'].includes(e.preset ?? ''), `${e.id}: preset`);
    assert.equal(findCatalogEntry(real, 'rmbg-1.4')?.licence.commercialUse, false, 'RMBG-1.4 is non-commercial');
    assert.equal(findCatalogEntry(real, 'rmbg-1.4')?.licence.mustAccept, true);
  });

  it('file selection per kind: one root graph for single-network models, the diffusers layout for diffusion', () => {
    assert.deepEqual(REQUIRED_FILES_BY_KIND.upscaler, ['*.onnx']);
    const rmbg = [hubFile('onnx/model.onnx', 176), hubFile('onnx/model_fp16.onnx', 88), hubFile('onnx/model_quantized.onnx', 44), hubFile('model.safetensors'), hubFile('README.md')];
    const picked = selectModelFiles(rmbg, 'onnx', {}, 'briaai/RMBG-1.4', 'background');
    assert.deepEqual(picked.files.map((f) => f.path), ['model.onnx']);
    const rembg = [hubFile('u2net.onnx', 5), hubFile('u2netp.onnx', 4), hubFile('isnet-anime.onnx', 6), hubFile('README.md', 1)];
    assert.deepEqual(selectModelFiles(rembg, '', { include: ['u2net.onnx'] }, 'mirror', 'background').files.map((f) => f.path).sort(), ['README.md', 'u2net.onnx']);
    assert.throws(() => selectModelFiles(rembg, '', {}, 'mirror', 'background'), (e: unknown) => e instanceof ModelStoreError && e.code === 'incomplete' && /exactly one \.onnx graph/.test(e.message) && /u2net\.onnx/.test(e.message));
    assert.throws(() => selectModelFiles(rembg, '', { include: ['*.onnx'] }, 'mirror', 'upscaler'), /3 were: /);
    // A single-network repo is not a diffusion model, and the other way round.
    assert.throws(() => selectModelFiles(rmbg, 'onnx', {}, 'briaai/RMBG-1.4'), /not a complete diffusers ONNX model/);
    assert.throws(() => selectModelFiles([hubFile('model_index.json'), hubFile('unet/model.onnx')], '', {}, 'sd', 'upscaler'), /not an upscaler/);
  });

  it('install manifest: kind recorded; manifests without one are diffusion models', () => {
    const base = { format: 1, source: modelSource('o/x'), commit: 'c', installedAt: '', totalBytes: 1, files: [] };
    assert.equal(installedModelKind(parseManifest(base)!), 'diffusion');
    assert.equal(installedModelKind(parseManifest({ ...base, kind: 'upscaler' })!), 'upscaler');
    assert.equal(installedModelKind(parseManifest({ ...base, kind: 'bogus' })!), 'diffusion');
  });

  it('Select Model offers only diffusion models', () => {
    const choices = buildModelChoices({
      current: '',
      builtInName: 'analytic-shapes',
      catalog,
      installed: [installed('o/sd', '/m/sd'), installed('o/esrgan', '/m/esrgan', 'upscaler'), installed('x/cutter', '/m/cutter', 'background')],
      incomplete: [{ dir: '/m/rmbg.partial', source: modelSource('o/rmbg'), bytes: 1 }],
      recentFolders: [],
      downloading: () => false,
    });
    const shown = labels(choices).join('\n');
    assert.match(shown, /\$\(check\) SD/);
    assert.doesNotMatch(shown, /ESRGAN|RMBG|U2NET|cutter/);
  });

  it("Upscale Image's picker: Lanczos, the hires-fix setting's model, downloaded upscalers, catalog upscalers, a file", () => {
    const choices = imageToolChoices({
      tool: 'upscaler',
      catalog,
      installed: [installed('o/sd', '/m/sd'), installed('o/esrgan', '/m/esrgan', 'upscaler'), installed('o/rmbg', '/m/rmbg', 'background')],
      settingModel: '/models/4x-UltraSharp.onnx',
      lastModel: '/m/esrgan',
      downloading: () => false,
    });
    assert.deepEqual(labels(choices), [
      '$(symbol-misc) Lanczos',
      '— Upscalers',
      '$(file) 4x-UltraSharp.onnx',
      '$(check) ESRGAN',
      '— Download',
      '$(cloud-download) ESRGAN-X4',
      '— ',
      '$(folder-opened) Choose an ONNX File…',
    ]);
    const esrgan = choices[3] as Extract<ImageToolChoice, { kind: 'model' }>;
    assert.equal(esrgan.path, '/m/esrgan');
    assert.match(esrgan.description ?? '', /last used/);
  });

  it("Remove Background's picker: background models only (with their preset), no Lanczos", () => {
    const choices = imageToolChoices({
      tool: 'background',
      catalog,
      installed: [installed('o/esrgan', '/m/esrgan', 'upscaler'), installed('o/rmbg', '/m/rmbg', 'background')],
      downloading: () => false,
    });
    assert.deepEqual(labels(choices), ['— Background models', '$(check) RMBG', '— Download', '$(cloud-download) U2NET', '— ', '$(folder-opened) Choose an ONNX File…']);
    assert.equal((choices[1] as Extract<ImageToolChoice, { kind: 'model' }>).preset, 'rmbg');
  });
});

describe('image tools: host logic', () => {
  it('output names keep the format (cut-outs need alpha: PNG, or WebP) and never carry the old extension', () => {
    assert.equal(formatForInput('fox.PNG'), 'png');
    assert.equal(formatForInput('fox.jpeg'), 'jpeg');
    assert.equal(formatForInput('fox.webp'), 'webp');
    assert.equal(upscaledFileName('fox.jpeg', 4, 'jpeg'), 'fox-x4.jpg');
    assert.equal(upscaledFileName('my.fox.png', 1.5, 'png'), 'my.fox-x1.5.png');
    assert.equal(cutoutFormatForInput('fox.jpg'), 'png');
    assert.equal(cutoutFormatForInput('fox.webp'), 'webp');
    assert.equal(cutoutFileName('fox.jpg', 'png'), 'fox-nobg.png');
  });

  it('scale choices: the model’s own first with a model, ×2 the default for Lanczos; typed scales checked', () => {
    assert.deepEqual(upscaleScaleChoices(true).map((c) => c.label), ["The model's scale", '×1.5', '×2', '×3', '×4', 'Other…']);
    assert.equal(upscaleScaleChoices(true)[0]!.scale, undefined);
    assert.deepEqual(upscaleScaleChoices(false).find((c) => c.description === 'default')?.scale, 2);
    assert.deepEqual(parseScale('×2.5'), { scale: 2.5 });
    assert.deepEqual(parseScale(' 3 '), { scale: 3 });
    assert.ok('error' in parseScale('0.5'));
    assert.ok('error' in parseScale('nine'));
  });

  it("the engine finds a downloaded model's one graph (model.onnx, or the only .onnx), and refuses two", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-kinds-'));
    try {
      fs.writeFileSync(path.join(dir, 'u2net.onnx'), 'x');
      fs.writeFileSync(path.join(dir, 'README.md'), 'x');
      assert.equal(singleOnnxModelFile(dir, 'background-segmentation'), path.join(dir, 'u2net.onnx'));
      fs.writeFileSync(path.join(dir, 'u2netp.onnx'), 'x');
      assert.throws(() => singleOnnxModelFile(dir, 'background-segmentation'), /2 other \.onnx files \(.*u2net\.onnx.*\): choose one/);
      fs.writeFileSync(path.join(dir, 'model.onnx'), 'x');
      assert.equal(singleOnnxModelFile(dir, 'background-segmentation'), path.join(dir, 'model.onnx'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
