// The linux-x64 VSIX as `npm run package` makes it (tools/packageVsix.ts, here on the current build with
// --skip-build, into a temporary folder): its file list, its manifest, and the extension it unpacks to, which
// must run with nothing but its own files (no network, no node_modules outside it).
// LOCAL_DIFFUSION_VSIX=path/to/local-diffusion-linux-x64-X.vsix checks an existing VSIX instead of packaging one.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { checkVsixContents, MAX_VSIX_BYTES, REQUIRED_BUNDLES } from '../../tools/vsix/checkVsixContents';
import { builtInModels, runtimeModelDataFiles } from '../../tools/vsix/stageExtension';
import { EXTENSION_ROOT, VsixContents } from '../../tools/vsix/vsixContents';
import { findTarget } from '../../tools/vsix/vsixTargets';

const repo = path.resolve(__dirname, '../../..');
const TARGET = findTarget('linux-x64');
const ORT = 'node_modules/onnxruntime-node';
const PACKAGE_TIMEOUT_MS = 180_000;

describe('linux-x64 VSIX (npm run package)', function () {
  this.timeout(PACKAGE_TIMEOUT_MS);
  let dir: string;
  let vsix: string;
  let contents: VsixContents;
  let files: string[];
  let packageOutput = '';

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-contents-'));
    if (process.env.LOCAL_DIFFUSION_VSIX) {
      vsix = path.resolve(process.env.LOCAL_DIFFUSION_VSIX);
    } else {
      const script = path.join(repo, 'dist', 'tools', 'packageVsix.js');
      if (!fs.existsSync(script)) throw new Error(`${script} is missing: build first (node esbuild.mjs)`);
      const started = Date.now();
      const r = spawnSync(
        process.execPath,
        [script, '--target', TARGET.target, '--skip-build', '--out', path.join(dir, 'vsix'), '--staging', path.join(dir, 'staging')],
        { cwd: repo, encoding: 'utf8', timeout: PACKAGE_TIMEOUT_MS - 10_000 },
      );
      packageOutput = `${r.stdout}${r.stderr}`;
      assert.equal(r.status, 0, packageOutput);
      const built = fs.readdirSync(path.join(dir, 'vsix'));
      assert.equal(built.length, 1, built.join(', '));
      vsix = path.join(dir, 'vsix', built[0]!);
      console.log(`      (packaged ${built[0]}: ${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    contents = VsixContents.open(vsix);
    files = contents.extensionFiles();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the packaging script printed its table and the VSIX is within the 40 MB budget', function () {
    if (process.env.LOCAL_DIFFUSION_VSIX) this.skip();
    assert.match(packageOutput, /\| target \| VSIX size \| time \| native files/);
    assert.match(packageOutput, /\| linux-x64 \| \d+\.\d MB \|/);
    const size = fs.statSync(vsix).size;
    assert.ok(size <= MAX_VSIX_BYTES, `${size} bytes`);
    // Far below: onnxruntime's Linux library alone deflates to about 17 MB.
    assert.ok(size > 10_000_000, `${size} bytes is too small to hold the binaries`);
  });

  it("holds onnxruntime-node's linux-x64 binding and no other platform's binaries", () => {
    assert.ok(files.includes(`${ORT}/bin/napi-v6/linux/x64/onnxruntime_binding.node`));
    assert.ok(files.includes(`${ORT}/bin/napi-v6/linux/x64/libonnxruntime.so.1`));
    const bins = files.filter((f) => f.startsWith(`${ORT}/bin/`));
    assert.deepEqual(bins.filter((f) => !f.startsWith(`${ORT}/bin/napi-v6/linux/x64/`)), []);
    // Nothing a download would add (the CUDA opt-in is a manual step after install).
    assert.deepEqual(bins.filter((f) => /providers_(cuda|tensorrt|shared)/.test(f)), []);
    // Its JavaScript, and the install script with its helpers for the documented CUDA opt-in.
    for (const f of [`${ORT}/package.json`, `${ORT}/dist/index.js`, `${ORT}/script/install.js`, 'node_modules/onnxruntime-common/package.json', 'node_modules/adm-zip/package.json', 'node_modules/global-agent/package.json']) {
      assert.ok(files.includes(f), f);
    }
  });

  it("holds sharp with its linux-x64 native files and no other platform's @img packages", () => {
    assert.ok(files.includes('node_modules/sharp/package.json'));
    assert.ok(files.some((f) => /^node_modules\/@img\/sharp-linux-x64\/lib\/sharp-linux-x64-[\d.]+\.node$/.test(f)));
    assert.ok(files.some((f) => /^node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so\.[\d.]+$/.test(f)));
    const platformPackages = new Set(files.filter((f) => f.startsWith('node_modules/@img/sharp-')).map((f) => f.split('/')[2]));
    assert.deepEqual([...platformPackages].sort(), ['sharp-libvips-linux-x64', 'sharp-linux-x64']);
    // sharp's build-only parts stay out.
    assert.deepEqual(files.filter((f) => f.startsWith('node_modules/sharp/src/') || f.includes('/glib-2.0/')), []);
  });

  it('holds the bundles, the media, the icon and the built-in model (not the analytic test models)', () => {
    for (const f of REQUIRED_BUNDLES) assert.ok(files.includes(f), f);
    assert.ok(files.includes('media/icon.png'));
    assert.ok(files.includes('media/generate.css'));
    const models = builtInModels(repo);
    assert.deepEqual(models, ['tiny-shapes']);
    assert.ok(!files.some((f) => f.startsWith('models/analytic-shapes/')), 'the analytic test model stays out');
    for (const model of models) {
      assert.ok(files.includes(`models/${model}/model_index.json`), model);
      assert.ok(files.includes(`models/${model}/unet/model.onnx`), model);
    }
    // models/catalog.json (and any other file directly under models/) ships exactly when a bundle reads it.
    const dataFiles = runtimeModelDataFiles(repo);
    const shipped = files.filter((f) => /^models\/[^/]+$/.test(f)).map((f) => f.slice('models/'.length));
    assert.deepEqual(shipped, dataFiles);
    if (fs.existsSync(path.join(repo, 'models', 'catalog.json'))) {
      const read = ['dist/extension.js', 'dist/engine.js', 'dist/cli.js'].some((b) => fs.readFileSync(path.join(repo, b), 'utf8').includes('catalog.json'));
      assert.equal(shipped.includes('catalog.json'), read, 'catalog.json ships if and only if a bundle reads it');
    }
  });

  it('holds no sources, tests, tools, TypeScript or source maps', () => {
    for (const folder of ['src/', 'test/', 'tools/', 'webview/', 'out/', '.cache/', 'dist/tools/', 'node_modules/typescript/', 'node_modules/@vscode/', 'node_modules/mocha/']) {
      assert.deepEqual(files.filter((f) => f.startsWith(folder)), [], folder);
    }
    assert.deepEqual(files.filter((f) => f.endsWith('.map') || (f.endsWith('.ts') && !f.startsWith('node_modules/'))), []);
    assert.deepEqual(
      checkVsixContents(contents, { target: TARGET, models: builtInModels(repo), modelDataFiles: runtimeModelDataFiles(repo), sizeBytes: fs.statSync(vsix).size }),
      [],
    );
  });

  it('carries a store-ready manifest for the linux-x64 platform', () => {
    const manifest = contents.manifest() as {
      main: string;
      icon: string;
      extensionKind: string[];
      scripts?: unknown;
      devDependencies?: unknown;
      capabilities: { untrustedWorkspaces: { supported: unknown }; virtualWorkspaces: { supported: unknown } };
    };
    assert.deepEqual(manifest.extensionKind, ['workspace']);
    assert.ok(files.includes(manifest.icon), manifest.icon);
    assert.ok(files.includes(path.posix.normalize(manifest.main)), manifest.main);
    assert.equal(manifest.scripts, undefined);
    assert.equal(manifest.devDependencies, undefined);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(manifest.capabilities.virtualWorkspaces.supported, false);
    for (const store of [/^readme\.md$/i, /^changelog\.md$/i, /^license(\.txt)?$/i]) assert.ok(files.some((f) => store.test(f)), String(store));
    const vsixManifest = contents.read('extension.vsixmanifest').toString('utf8');
    assert.match(vsixManifest, /TargetPlatform="linux-x64"/);
  });

  it('unpacks to an extension whose own files generate an image offline (CLI, built-in model)', () => {
    const unpacked = path.join(dir, 'unpacked');
    for (const name of contents.names().filter((n) => n.startsWith(EXTENSION_ROOT) && !n.endsWith('/'))) {
      const target = path.join(unpacked, ...name.slice(EXTENSION_ROOT.length).split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, contents.read(name));
    }
    const out = path.join(dir, 'out.png');
    // os.tmpdir() has no node_modules above it: every require resolves inside the unpacked extension.
    const r = spawnSync(
      process.execPath,
      [path.join(unpacked, 'dist', 'cli.js'), 'generate', '--model', path.join(unpacked, 'models', 'tiny-shapes'), '--prompt', 'a blue square on the right', '--seed', '3', '--steps', '4', '--ep', 'cpu', '--out', out],
      { cwd: unpacked, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_PATH: '' } },
    );
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    const text = readPngTextChunks(new Uint8Array(fs.readFileSync(out))).find((c) => c.keyword === 'parameters')?.text;
    assert.ok(text, 'parameters chunk');
    const parameters = parseA1111Parameters(text);
    assert.equal(parameters.prompt, 'a blue square on the right');
    assert.equal(parameters.seed, 3);
    assert.equal(parameters.steps, 4);
  });
});
