import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkModel, formatBytes } from '../../src/host/models/modelReport';
import {
  BUILT_IN_MODEL_NAME,
  builtInModelDir,
  isInsideFolder,
  ModelResolver,
  type ModelResolverContext,
} from '../../src/host/models/modelResolver';
import { validateCatalog, type Catalog } from '../../src/node/modelStore/catalog';
import { MANIFEST_FORMAT } from '../../src/node/modelStore/installedModels';
import { INSTALL_MANIFEST_FILE, installDir } from '../../src/node/modelStore/installLayout';
import type { ModelSource } from '../../src/node/modelStore/modelSource';
import type { ModelInfo } from '../../src/common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../../src/common/protocol/rpc';

function failure(run: () => unknown): RpcFailure {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof RpcFailure, String(error));
    return error;
  }
  assert.fail('expected a failure');
}

const catalog: Catalog = validateCatalog({
  models: [
    {
      id: 'tiny',
      name: 'Tiny Test',
      repo: 'test-org/tiny',
      revision: 'onnx',
      subfolder: '',
      licence: { name: 'MIT', url: 'https://example.com/mit', commercialUse: true, mustAccept: false },
      verified: true,
      evidence: 'test',
      note: 'test',
      recommended: { steps: 4, guidanceScale: 1, scheduler: 'euler' },
      inpainting: false,
    },
  ],
});

/** A folder that looks installed (manifest only): enough for the resolver. */
function installFake(modelsDir: string, source: ModelSource): string {
  const dir = installDir(modelsDir, source);
  fs.mkdirSync(dir, { recursive: true });
  const manifest = { format: MANIFEST_FORMAT, source, commit: 'a'.repeat(40), installedAt: '2026-01-01T00:00:00Z', totalBytes: 0, files: [] };
  fs.writeFileSync(path.join(dir, INSTALL_MANIFEST_FILE), JSON.stringify(manifest));
  return dir;
}

describe('ModelResolver', () => {
  let root: string;
  let extensionPath: string;
  let workspace: string;
  let outside: string;
  let context: ModelResolverContext;
  const resolver = new ModelResolver(() => context);

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ld-models-')));
    extensionPath = path.join(root, 'extension');
    workspace = path.join(root, 'workspace');
    outside = path.join(root, 'elsewhere', 'sd-turbo');
    fs.mkdirSync(path.join(extensionPath, 'models', BUILT_IN_MODEL_NAME), { recursive: true });
    fs.mkdirSync(path.join(workspace, 'models', 'sd15'), { recursive: true });
    fs.mkdirSync(outside, { recursive: true });
    context = { extensionPath, modelSetting: '', isTrusted: true, workspaceFolders: [workspace] };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('resolves "" to the built-in sample model shipped in the extension', () => {
    const resolved = resolver.resolve();
    assert.equal(resolved.builtIn, true);
    assert.equal(resolved.ref.dir, path.join(extensionPath, 'models', 'tiny-shapes'));
    assert.equal(resolved.ref.dir, builtInModelDir(extensionPath));
    assert.equal(resolved.ref.name, 'tiny-shapes');
  });

  it('says how to get the built-in model when it is missing', () => {
    fs.rmSync(path.join(extensionPath, 'models'), { recursive: true });
    const error = failure(() => resolver.resolve());
    assert.equal(error.code, ErrorCode.ModelMissing);
    assert.match(error.message, /built-in sample model is missing/);
    assert.match(error.message, /reinstall the extension/);
  });

  it('resolves an absolute folder', () => {
    context.modelSetting = `${outside}${path.sep}`;
    assert.deepEqual(resolver.resolve(), { ref: { dir: outside, name: 'sd-turbo' }, builtIn: false });
  });

  it('adds the localDiffusion.vae folder to the model reference (never to the built-in model); a relative one is refused', () => {
    context.modelSetting = outside;
    context.vaeSetting = ` ${path.join(root, 'vae')} `;
    fs.mkdirSync(path.join(root, 'vae'));
    assert.deepEqual(resolver.resolve().ref, { dir: outside, name: 'sd-turbo', vae: path.join(root, 'vae') });
    context.modelSetting = '';
    assert.equal(resolver.resolve().ref.vae, undefined);
    context.modelSetting = outside;
    context.vaeSetting = 'relative/vae';
    assert.equal(failure(() => resolver.resolve()).code, ErrorCode.InvalidParams);
  });

  it('expands ~ to the home folder', () => {
    context.modelSetting = '~';
    assert.equal(resolver.resolve().ref.dir, os.homedir());
  });

  it('says a repo id or catalog id is not downloaded yet, and refuses other values with the accepted forms', () => {
    context.catalog = catalog;
    context.modelsFolder = path.join(root, 'models-folder');
    for (const value of ['stabilityai/sd-turbo', 'models/sd15', 'tiny']) {
      context.modelSetting = value;
      const error = failure(() => resolver.resolve());
      assert.equal(error.code, ErrorCode.ModelMissing, value);
      assert.match(error.message, /is not downloaded yet: run "Local Diffusion: Download Model…"/);
    }
    context.modelSetting = 'tiny';
    assert.match(failure(() => resolver.resolve()).message, /^The model "tiny" \(Tiny Test, test-org\/tiny@onnx\) is not downloaded yet/);
    for (const value of ['sd15', 'two words/x']) {
      context.modelSetting = value;
      const error = failure(() => resolver.resolve());
      assert.equal(error.code, ErrorCode.InvalidParams, value);
      assert.match(error.message, new RegExp(`^"${value}" is not a model: "localDiffusion.model" must be empty \\(the built-in sample model\\), the absolute path of a diffusers ONNX model folder, a catalog id or a downloaded Hugging Face repo id`));
    }
    context.modelSetting = './models/sd15';
    const relative = failure(() => resolver.resolve());
    assert.equal(relative.code, ErrorCode.InvalidParams);
    assert.match(relative.message, /^"\.\/models\/sd15" is not a model folder: .*absolute path/);
  });

  it('resolves a catalog id or a repo spec to the downloaded model', () => {
    context.catalog = catalog;
    context.modelsFolder = path.join(root, 'models-folder');
    const tiny = installFake(context.modelsFolder, { repoId: 'test-org/tiny', revision: 'onnx', subfolder: '' });
    const other = installFake(context.modelsFolder, { repoId: 'someone/model', revision: 'main', subfolder: 'fp16' });
    context.modelSetting = 'tiny';
    assert.deepEqual(resolver.resolve(), {
      ref: { dir: tiny, name: 'tiny' },
      builtIn: false,
      source: { repoId: 'test-org/tiny', revision: 'onnx', subfolder: '' },
    });
    context.modelSetting = 'test-org/tiny@onnx';
    assert.equal(resolver.resolve().ref.name, 'tiny', 'a spec of a catalog model is named by its catalog id');
    context.modelSetting = 'someone/model:fp16';
    assert.deepEqual(resolver.resolve().ref, { dir: other, name: 'someone/model:fp16' });
    context.modelSetting = 'someone/model';
    assert.match(failure(() => resolver.resolve()).message, /not downloaded yet/, 'another subfolder is another model');
  });

  it('reports a missing folder and a file given as a folder', () => {
    context.modelSetting = path.join(root, 'nope');
    const missing = failure(() => resolver.resolve());
    assert.equal(missing.code, ErrorCode.ModelMissing);
    assert.match(missing.message, /does not exist.*Select Model/);
    const file = path.join(root, 'model.onnx');
    fs.writeFileSync(file, '');
    context.modelSetting = file;
    assert.match(failure(() => resolver.resolve()).message, /is a file; a model is a folder/);
  });

  it('refuses a model inside an untrusted workspace, and allows it once trusted', () => {
    context.modelSetting = path.join(workspace, 'models', 'sd15');
    context.isTrusted = false;
    const error = failure(() => resolver.resolve());
    assert.equal(error.code, ErrorCode.InvalidParams);
    assert.match(error.message, /inside this workspace, which is not trusted/);
    context.isTrusted = true;
    assert.equal(resolver.resolve().ref.dir, path.join(workspace, 'models', 'sd15'));
  });

  it('allows a model outside an untrusted workspace', () => {
    context.isTrusted = false;
    context.modelSetting = outside;
    assert.equal(resolver.resolve().ref.dir, outside);
    context.modelSetting = '';
    assert.equal(resolver.resolve().builtIn, true, 'the built-in model is not from the workspace');
  });

  it('sees through a symbolic link that points into an untrusted workspace', function () {
    const link = path.join(root, 'elsewhere', 'link-to-workspace-model');
    try {
      fs.symlinkSync(path.join(workspace, 'models', 'sd15'), link, 'dir');
    } catch {
      this.skip(); // no symlink permission (Windows without developer mode)
    }
    context.isTrusted = false;
    context.modelSetting = link;
    assert.match(failure(() => resolver.resolve()).message, /not trusted/);
  });

  it('checks folders picked in Select Model with the same rules', () => {
    context.isTrusted = false;
    assert.equal(resolver.checkFolder(outside), outside);
    assert.throws(() => resolver.checkFolder(workspace), /not trusted/);
  });
});

describe('isInsideFolder', () => {
  it('matches the folder itself and what is below it, not siblings with a common prefix', () => {
    assert.equal(isInsideFolder('/w/models/a', '/w', 'linux'), true);
    assert.equal(isInsideFolder('/w', '/w', 'linux'), true);
    assert.equal(isInsideFolder('/w2/models', '/w', 'linux'), false);
    assert.equal(isInsideFolder('/other', '/w', 'linux'), false);
    assert.equal(isInsideFolder('/w/../x', '/w', 'linux'), false);
    assert.equal(isInsideFolder('/W/models', '/w', 'linux'), false, 'case-sensitive on Linux');
  });

  it('ignores case on Windows', () => {
    assert.equal(isInsideFolder('C:\\Work\\Models\\sd', 'c:\\work', 'win32'), true);
    assert.equal(isInsideFolder('D:\\work\\models', 'c:\\work', 'win32'), false);
  });
});

describe('model report', () => {
  const info = {
    name: 'sd15',
    family: 'sd1',
    nativeWidth: 512,
    nativeHeight: 512,
    unet: { inpainting: false },
    warnings: ['text encoder is fp16'],
    components: [
      { name: 'unet', present: true, required: true, file: 'unet/model.onnx', bytes: 1_719_000_000 },
      { name: 'vae_decoder', present: false, required: true },
      { name: 'vae_encoder', present: false, required: false },
    ],
  } as unknown as ModelInfo;

  it('lists what was found and what is missing', () => {
    const check = checkModel(info);
    assert.equal(check.usable, false);
    assert.equal(check.summary, '"sd15" (Stable Diffusion 1.x family, 512×512, text-to-image UNet, 1.6 GB)');
    assert.deepEqual(check.lines, [
      '✓ unet unet/model.onnx (1.6 GB)',
      '✗ vae_decoder — missing (required)',
      '– vae_encoder — not present (optional)',
      '⚠ text encoder is fp16',
    ]);
  });

  it('a family we do not name reads as what was detected, not "unknown model"', () => {
    const tiny = { ...info, name: 'tiny-shapes', family: 'unknown', nativeWidth: 64, nativeHeight: 64, textEncoder: { hiddenSize: 64 } } as unknown as ModelInfo;
    const summary = checkModel(tiny).summary;
    assert.doesNotMatch(summary, /unknown/);
    assert.equal(summary, '"tiny-shapes" (Stable Diffusion layout, 64-wide text embeddings, 64×64, text-to-image UNet, 1.6 GB)');
  });

  it('is usable when every required component is present', () => {
    const complete = { ...info, components: info.components.filter((c) => c.name !== 'vae_decoder') } as ModelInfo;
    assert.equal(checkModel(complete).usable, true);
  });

  it('formats sizes', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GB');
  });
});
