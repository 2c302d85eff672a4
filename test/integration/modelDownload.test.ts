// The model store against a local fake Hub (test/fixtures/fakeHub.ts): listing, selection, atomic install,
// resume, retries, verification, faults, sharing, the Hugging Face cache, proxies and TLS. No network.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAnalyticModelFiles } from '../../tools/analytic/analyticModel';
import { Engine } from '../../src/engine/engine';
import { ErrorCode, RpcFailure } from '../../src/common/protocol/rpc';
import { defaultWriteChunk, type WriteChunk } from '../../src/node/modelStore/downloadFile';
import type { DownloadProgress } from '../../src/node/modelStore/downloadProgress';
import { HubClient, type HubClientOptions } from '../../src/node/modelStore/hubClient';
import { repoCacheFolderName } from '../../src/node/modelStore/huggingFaceCache';
import { listInstalledModels, readInstalledModel } from '../../src/node/modelStore/installedModels';
import { DOWNLOAD_LOCK_FILE, INSTALL_MANIFEST_FILE, installDir, stagingDir } from '../../src/node/modelStore/installLayout';
import { ModelInstaller, type ModelInstallerOptions } from '../../src/node/modelStore/modelInstaller';
import { modelSource } from '../../src/node/modelStore/modelSource';
import { ModelStoreError } from '../../src/node/modelStore/modelStoreError';
import { FakeHub, isLfsPath, sha256 } from '../fixtures/fakeHub';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../fixtures/testCertificate';
import { TestProxy } from '../fixtures/testProxy';

const REPO = 'test-org/analytic-onnx';
const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 };

function modelFiles(): Map<string, Uint8Array> {
  const files = new Map(buildAnalyticModelFiles({ externalData: 'model.onnx_data' }));
  const filler = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
  // What a real repo has besides the model, which must be skipped.
  files.set('safety_checker/model.onnx', filler(9000, 1));
  files.set('feature_extractor/preprocessor_config.json', new TextEncoder().encode('{"crop_size": 224}'));
  files.set('unet/model_fp16.onnx', filler(7000, 2));
  files.set('.gitattributes', new TextEncoder().encode('*.onnx filter=lfs diff=lfs merge=lfs -text\n'));
  files.set('README.md', new TextEncoder().encode('---\nlicense: openrail\n---\n# Analytic test model\n'));
  return files;
}

async function expectFailure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected the install to fail');
}

function storeError(error: Error, code: ModelStoreError['code']): ModelStoreError {
  assert.ok(error instanceof ModelStoreError, `expected a ModelStoreError, got ${error.stack}`);
  assert.equal(error.code, code, error.message);
  return error;
}

describe('model store against a fake Hub', function () {
  this.timeout(30_000);
  let hub: FakeHub;
  let root: string;
  let modelsDir: string;
  let files: Map<string, Uint8Array>;

  function installer(options: Partial<ModelInstallerOptions> = {}, hubOptions: Partial<HubClientOptions> = {}): ModelInstaller {
    return new ModelInstaller({
      modelsDir,
      hub: new HubClient({ endpoint: hub.url, retry: FAST_RETRY, idleTimeoutMs: 2_000, ...hubOptions }),
      retry: FAST_RETRY,
      freeDiskBytes: async () => 1e12,
      progressIntervalMs: 0,
      ...options,
    });
  }

  async function assertNotInstalled(repoId = REPO): Promise<void> {
    const { installed } = await listInstalledModels(modelsDir);
    assert.deepEqual(installed.map((m) => m.source.repoId).filter((id) => id === repoId), [], 'no installed model');
    assert.ok(!fs.existsSync(path.join(installDir(modelsDir, modelSource(repoId)), INSTALL_MANIFEST_FILE)));
  }

  beforeEach(async () => {
    hub = await FakeHub.start();
    files = modelFiles();
    hub.addRepo(REPO, { files, license: 'openrail' });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-hub-'));
    modelsDir = path.join(root, 'models');
  });

  afterEach(async () => {
    await hub.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('installs only what the engine needs, verified, and the engine loads it', async () => {
    hub.pageSize = 5; // the listing comes in pages (Link: rel="next")
    const progress: DownloadProgress[] = [];
    const result = await installer().install({ source: modelSource(REPO), onProgress: (p) => progress.push(p) });
    const dir = installDir(modelsDir, modelSource(REPO));
    assert.equal(result.model.dir, dir);
    assert.equal(result.alreadyInstalled, false);
    assert.equal(result.model.commit, hub.commitOf(REPO));
    assert.equal(result.model.license, 'openrail');
    const installed = result.model.files.map((f) => f.path).sort();
    const expected = [...files.keys()]
      .filter((p) => !/^(safety_checker|feature_extractor)\//.test(p) && p !== 'unet/model_fp16.onnx' && p !== '.gitattributes')
      .sort();
    assert.deepEqual(installed, expected);
    assert.ok(installed.includes('unet/model.onnx_data'), 'external weights come along');
    for (const p of installed) assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, p))), files.get(p), p);
    assert.ok(!fs.existsSync(path.join(dir, 'safety_checker')));
    assert.ok(!fs.existsSync(stagingDir(modelsDir, modelSource(REPO))), 'the staging folder was renamed into place');
    assert.ok(!fs.existsSync(path.join(dir, DOWNLOAD_LOCK_FILE)));
    assert.equal(result.downloadedBytes, result.model.totalBytes);
    // Progress: listing, then every file i/n, then installing.
    assert.equal(progress[0]?.phase, 'listing');
    assert.equal(progress.at(-1)?.phase, 'installing');
    assert.equal(progress.at(-1)?.bytes, result.model.totalBytes);
    const indices = new Set(progress.filter((p) => p.phase === 'downloading').map((p) => p.fileIndex));
    assert.equal(indices.size, installed.length);
    assert.ok(progress.every((p) => p.phase === 'listing' || p.fileCount === installed.length));
    // The engine reads the installed folder.
    const engine = new Engine();
    try {
      const info = await engine.info({ dir });
      assert.ok(info.components.every((c) => !c.required || c.present));
      assert.equal(info.components.find((c) => c.name === 'unet')?.externalData, path.join('unet', 'model.onnx_data'));
    } finally {
      await engine.dispose();
    }
    // A second pull at the same commit downloads nothing.
    const before = hub.requests.length;
    const again = await installer().install({ source: modelSource(REPO) });
    assert.equal(again.alreadyInstalled, true);
    assert.equal(hub.requests.slice(before).filter((r) => r.file).length, 0);
  });

  it('installs from a subfolder, and says which subfolder when none was given', async () => {
    const nested = new Map<string, Uint8Array>([...buildAnalyticModelFiles({})].map(([p, c]) => [`onnx/${p}`, c]));
    nested.set('unet/diffusion_pytorch_model.safetensors', new Uint8Array(100));
    hub.addRepo('test-org/nested', { files: nested });
    const error = await expectFailure(installer().install({ source: modelSource('test-org/nested') }));
    storeError(error, 'incomplete');
    assert.match(error.message, /not a complete diffusers ONNX model: missing model_index\.json/);
    assert.match(error.message, /model_index\.json is in "onnx\/": use that subfolder/);
    assert.match(error.message, /unet\/ holds PyTorch weights/);
    assert.equal(hub.requests.filter((r) => r.file).length, 0, 'nothing downloaded');
    const result = await installer().install({ source: modelSource('test-org/nested', 'main', 'onnx') });
    assert.ok(fs.existsSync(path.join(result.model.dir, 'unet', 'model.onnx')));
    assert.match(path.basename(result.model.dir), /^test-org--nested\+onnx$/);
  });

  it('resumes a dropped connection from the right offset and the file hashes correctly', async () => {
    const big = 'text_encoder/model.onnx';
    hub.fault(big, { kind: 'drop', afterBytes: 10_000 });
    const result = await installer().install({ source: modelSource(REPO) });
    const requests = hub.fileRequests(big);
    assert.equal(requests.length, 2);
    assert.equal(requests[0]?.range, undefined);
    assert.equal(requests[1]?.range, 'bytes=10000-');
    assert.equal(requests[1]?.status, 206);
    assert.equal(sha256(fs.readFileSync(path.join(result.model.dir, big))), sha256(files.get(big)!));
  });

  it('resumes a stalled transfer after the idle timeout', async () => {
    const big = 'text_encoder/model.onnx';
    hub.fault(big, { kind: 'stall', afterBytes: 4_000 });
    const result = await installer({}, { idleTimeoutMs: 300 }).install({ source: modelSource(REPO) });
    assert.equal(hub.fileRequests(big)[1]?.range, 'bytes=4000-');
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(result.model.dir, big))), files.get(big));
  });

  it('starts a file again when the server ignores Range', async () => {
    const big = 'text_encoder/model.onnx';
    hub.fault(big, { kind: 'drop', afterBytes: 5_000 }, { kind: 'ignoreRange' });
    const result = await installer().install({ source: modelSource(REPO) });
    assert.equal(hub.fileRequests(big)[1]?.status, 200);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(result.model.dir, big))), files.get(big));
  });

  it('a crash mid-file leaves a resumable .part and no model; the next run resumes it', async () => {
    const big = 'text_encoder/model.onnx';
    hub.fault(big, { kind: 'drop', afterBytes: 12_345 });
    const error = await expectFailure(installer({ retry: { ...FAST_RETRY, maxAttempts: 0 } }).install({ source: modelSource(REPO) }));
    storeError(error, 'network');
    assert.match(error.message, /dropped|closed/);
    assert.match(error.message, /download again to resume/);
    await assertNotInstalled();
    const staging = stagingDir(modelsDir, modelSource(REPO));
    assert.equal(fs.statSync(path.join(staging, `${big}.part`)).size, 12_345);
    const { incomplete } = await listInstalledModels(modelsDir);
    assert.equal(incomplete.length, 1);
    assert.equal(incomplete[0]?.source?.repoId, REPO);
    assert.ok((incomplete[0]?.bytes ?? 0) >= 12_345);

    const before = hub.fileRequests(big).length;
    const result = await installer().install({ source: modelSource(REPO) });
    assert.equal(hub.fileRequests(big)[before]?.range, 'bytes=12345-');
    assert.ok(result.resumedBytes >= 12_345);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(result.model.dir, big))), files.get(big));
    assert.ok(!fs.existsSync(staging));
  });

  it('a catalog install keeps the entry\'s recommended settings, and the engine defaults to them', async () => {
    hub.addRepo('test-org/turbo-like', { files });
    const source = modelSource('test-org/turbo-like');
    const recommended = { steps: 2, guidanceScale: 0, scheduler: 'default' as const };
    const result = await installer().install({ source, catalogId: 'sd-turbo', recommended });
    const manifest = JSON.parse(fs.readFileSync(path.join(result.model.dir, INSTALL_MANIFEST_FILE), 'utf8')) as { catalogId?: string; recommended?: unknown };
    assert.equal(manifest.catalogId, 'sd-turbo');
    assert.deepEqual(manifest.recommended, recommended);
    const engine = new Engine();
    try {
      const info = await engine.info({ dir: result.model.dir });
      assert.deepEqual([info.defaults?.steps, info.defaults?.guidanceScale], [2, 0]);
      assert.match(info.defaults?.source ?? '', /catalog entry "sd-turbo"/);
      const generated = await engine.generate({ task: 'txt2img', model: { dir: result.model.dir }, executionProvider: 'cpu', prompt: 'a red circle', width: 64, height: 64, seed: '1', previewEverySteps: 0 });
      assert.equal(generated.steps, 2, 'the recommended steps');
      assert.equal(generated.guidanceScale, 0, 'the recommended guidance');
    } finally {
      await engine.dispose();
    }
  });

  it('404s: unknown repo, unknown revision, a listed file missing', async () => {
    const repo = await expectFailure(installer().install({ source: modelSource('nobody/nothing') }));
    storeError(repo, 'notFound');
    assert.match(repo.message, /^Repository nobody\/nothing was not found on Hugging Face/);
    const revision = await expectFailure(installer().install({ source: modelSource(REPO, 'fp64') }));
    storeError(revision, 'notFound');
    assert.match(revision.message, /has no revision "fp64"/);
    assert.ok(!fs.existsSync(modelsDir) || fs.readdirSync(modelsDir).length === 0, 'nothing written');

    hub.fault('unet/model.onnx', { kind: 'status', status: 404, errorCode: 'EntryNotFound' });
    const file = await expectFailure(installer().install({ source: modelSource(REPO) }));
    storeError(file, 'notFound');
    assert.match(file.message, /unet\/model\.onnx in test-org\/analytic-onnx@main was not found/);
    await assertNotInstalled();
  });

  it('gated repos: a clear message without a token, 403 with a token lacking access, success with access', async () => {
    hub.addRepo('gated-org/model', { files, gated: 'manual', token: 'hf_right' });
    const source = modelSource('gated-org/model');
    const noToken = await expectFailure(installer().install({ source }));
    storeError(noToken, 'gated');
    assert.match(noToken.message, /gated-org\/model is a gated model: accept its licence on http:\/\/127\.0\.0\.1:\d+\/gated-org\/model/);
    assert.match(noToken.message, /Hugging Face access token/);
    assert.equal(hub.requests.filter((r) => r.file).length, 0, 'failed before downloading');

    const wrong = await expectFailure(installer({}, { token: 'hf_wrong' }).install({ source }));
    storeError(wrong, 'gated');
    assert.match(wrong.message, /token has no access to the gated model gated-org\/model/);
    await assertNotInstalled('gated-org/model');

    const result = await installer({}, { token: 'hf_right' }).install({ source });
    assert.ok(fs.existsSync(path.join(result.model.dir, INSTALL_MANIFEST_FILE)));
    const hubFiles = hub.requests.filter((r) => r.server === 'hub' && r.file && r.status !== 403);
    assert.ok(hubFiles.length > 0 && hubFiles.every((r) => r.authorization === 'Bearer hf_right'));
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    assert.ok(cdn.length > 0);
    assert.ok(cdn.every((r) => r.authorization === undefined), 'the token never reaches the CDN');
  });

  it('401 on a file of a repo that does not say it is gated', async () => {
    hub.addRepo('private-org/model', { files, token: 'hf_x' });
    const error = await expectFailure(installer().install({ source: modelSource('private-org/model') }));
    assert.ok(error instanceof ModelStoreError);
    assert.match(error.message, /private|login|token/i);
    assert.match(error.message, /HF_TOKEN/);
    await assertNotInstalled('private-org/model');
  });

  it('a wrong hash is refused: fetched once more, then the model is not installed', async () => {
    const file = 'unet/model.onnx';
    hub.fault(file, { kind: 'corrupt' }, { kind: 'corrupt' });
    const error = await expectFailure(installer().install({ source: modelSource(REPO) }));
    storeError(error, 'integrity');
    assert.match(error.message, /^unet\/model\.onnx failed verification twice: its sha256 is [0-9a-f]{64}, the Hub lists [0-9a-f]{64}/);
    assert.equal(hub.fileRequests(file).length, 2);
    await assertNotInstalled();
    const staging = stagingDir(modelsDir, modelSource(REPO));
    assert.ok(!fs.existsSync(path.join(staging, file)) && !fs.existsSync(path.join(staging, `${file}.part`)), 'the bad file is gone');
    // One bad transfer is healed by the second.
    hub.fault(file, { kind: 'corrupt' });
    const result = await installer().install({ source: modelSource(REPO) });
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(result.model.dir, file))), files.get(file));
  });

  it('a very slow server can be cancelled at once; the .part stays for later', async () => {
    const big = 'text_encoder/model.onnx';
    hub.fault(big, { kind: 'slow', chunkBytes: 512, delayMs: 40 });
    const controller = new AbortController();
    let cancelledAt = 0;
    const started = Date.now();
    const error = await expectFailure(
      installer().install({
        source: modelSource(REPO),
        signal: controller.signal,
        onProgress: (p) => {
          if (p.file === big && p.fileBytes >= 2048 && !controller.signal.aborted) {
            cancelledAt = Date.now();
            controller.abort();
          }
        },
      }),
    );
    assert.ok(error instanceof RpcFailure && error.code === ErrorCode.Cancelled, String(error));
    assert.match(error.message, /cancelled.*resume/i);
    assert.ok(cancelledAt > 0 && Date.now() - cancelledAt < 1_000, 'stops promptly');
    assert.ok(Date.now() - started < 5_000);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the job winds down and unlocks
    await assertNotInstalled();
    const part = path.join(stagingDir(modelsDir, modelSource(REPO)), `${big}.part`);
    assert.ok(fs.statSync(part).size >= 2048);
    assert.ok(!fs.existsSync(path.join(stagingDir(modelsDir, modelSource(REPO)), DOWNLOAD_LOCK_FILE)), 'unlocked');
  });

  it('ENOSPC while writing: one clear message, no retry, no model', async () => {
    let written = 0;
    const writeChunk: WriteChunk = async (handle, chunk) => {
      written += chunk.byteLength;
      if (written > 20_000) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      await defaultWriteChunk(handle, chunk);
    };
    const error = await expectFailure(installer({ writeChunk }).install({ source: modelSource(REPO) }));
    storeError(error, 'diskFull');
    assert.match(error.message, /^The disk is full \(ENOSPC\) while writing [\w/.]+ in .*: it resumes where it stopped\.$/);
    assert.equal(hub.requests.filter((r) => r.file && r.status === 206).length, 0, 'not retried');
    await assertNotInstalled();
  });

  it('checks free disk space before downloading', async () => {
    const error = await expectFailure(installer({ freeDiskBytes: async () => 1_000 }).install({ source: modelSource(REPO) }));
    storeError(error, 'diskFull');
    assert.match(error.message, /^Not enough disk space in .*: the download needs [\d.]+ KB \(plus 256\.0 MB to spare\), 1000 B is free\./);
    assert.equal(hub.requests.filter((r) => r.file).length, 0);
    await assertNotInstalled();
  });

  it('two requests for the same model share one download; one may leave, the other still gets it', async () => {
    hub.fault('text_encoder/model.onnx', { kind: 'slow', chunkBytes: 8192, delayMs: 20 });
    const a: DownloadProgress[] = [];
    const b: DownloadProgress[] = [];
    const leaver = new AbortController();
    const first = installer().install({ source: modelSource(REPO), onProgress: (p) => a.push(p) });
    const second = installer().install({ source: modelSource(REPO), onProgress: (p) => b.push(p) });
    const third = expectFailure(installer().install({ source: modelSource(REPO), signal: leaver.signal }));
    leaver.abort();
    const [r1, r2] = await Promise.all([first, second]);
    const e3 = await third;
    assert.ok(e3 instanceof RpcFailure && e3.code === ErrorCode.Cancelled);
    assert.equal(r1, r2, 'the same result');
    for (const p of r1.model.files.map((f) => f.path)) assert.equal(hub.fileRequests(p).length, 1, `${p} fetched once`);
    assert.ok(a.length > 0 && b.length > 0);
    assert.equal(a.at(-1)?.phase, 'installing');
    assert.equal(b.at(-1)?.phase, 'installing');
  });

  it('reuses verified files from the Hugging Face cache and ignores a corrupt one', async () => {
    const cache = path.join(root, 'hf-cache');
    const repoDir = path.join(cache, repoCacheFolderName(REPO));
    const te = 'text_encoder/model.onnx';
    const unet = 'unet/model.onnx';
    fs.mkdirSync(path.join(repoDir, 'blobs'), { recursive: true });
    fs.writeFileSync(path.join(repoDir, 'blobs', sha256(files.get(te)!)), files.get(te)!);
    const snapshot = path.join(repoDir, 'snapshots', hub.commitOf(REPO), 'unet');
    fs.mkdirSync(snapshot, { recursive: true });
    const corrupt = new Uint8Array(files.get(unet)!);
    corrupt[0] ^= 0xff;
    fs.writeFileSync(path.join(snapshot, 'model.onnx'), corrupt);
    const progress: DownloadProgress[] = [];
    const result = await installer({ huggingFaceCacheDir: cache }).install({ source: modelSource(REPO), onProgress: (p) => progress.push(p) });
    assert.equal(hub.fileRequests(te).length, 0, 'taken from the cache');
    assert.equal(hub.fileRequests(unet).length, 1, 'the corrupt cached copy was not used');
    assert.equal(result.reusedBytes, files.get(te)!.byteLength);
    assert.ok(progress.some((p) => p.phase === 'reusing' && p.file === te));
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(result.model.dir, te))), files.get(te));
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(result.model.dir, unet))), files.get(unet));
  });

  it('updates to a new commit, fetching only the files that changed', async () => {
    await installer().install({ source: modelSource(REPO) });
    const changed = new Map(files);
    changed.set('unet/model.onnx_data', new Uint8Array(files.get('unet/model.onnx_data')!).map((v) => v ^ 1));
    const before = hub.requests.length;
    hub.addRepo(REPO, { files: changed, revisions: { main: 'b'.repeat(40) } });
    const result = await installer().install({ source: modelSource(REPO) });
    assert.equal(result.model.commit, 'b'.repeat(40));
    const fetched = hub.requests.slice(before).filter((r) => r.file && (r.server === 'cdn' || !isLfsPath(r.file))).map((r) => r.file);
    assert.deepEqual(fetched, ['unet/model.onnx_data']);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(result.model.dir, 'unet/model.onnx_data'))), changed.get('unet/model.onnx_data'));
    assert.equal((await readInstalledModel(result.model.dir))?.commit, 'b'.repeat(40));
    assert.deepEqual(fs.readdirSync(modelsDir), [path.basename(result.model.dir)], 'no leftovers');
  });

  it('refuses to share a .partial folder with another live process', async () => {
    const staging = stagingDir(modelsDir, modelSource(REPO));
    fs.mkdirSync(staging, { recursive: true });
    fs.writeFileSync(path.join(staging, DOWNLOAD_LOCK_FILE), String(process.ppid));
    const error = await expectFailure(installer().install({ source: modelSource(REPO) }));
    storeError(error, 'busy');
    assert.match(error.message, new RegExp(`Another Local Diffusion process \\(pid ${process.ppid}\\) is downloading this model`));
    // A lock left by a process that is gone is taken over.
    fs.writeFileSync(path.join(staging, DOWNLOAD_LOCK_FILE), '999999999');
    const result = await installer().install({ source: modelSource(REPO) });
    assert.ok(fs.existsSync(path.join(result.model.dir, INSTALL_MANIFEST_FILE)));
  });

  it('goes through an HTTP proxy', async () => {
    const proxy = await TestProxy.start('Basic dXNlcjpwYXNz');
    try {
      const proxyUrl = proxy.url.replace('http://', 'http://user:pass@');
      const result = await installer({}, { proxy: { httpProxy: proxyUrl, noProxy: [], strictSSL: true } }).install({ source: modelSource(REPO) });
      assert.ok(fs.existsSync(path.join(result.model.dir, INSTALL_MANIFEST_FILE)));
      assert.ok(proxy.forwarded.some((u) => u.includes('/api/models/test-org/analytic-onnx/tree/')));
      assert.ok(proxy.forwarded.some((u) => u.startsWith(`${hub.cdnUrl}/blobs/`)));
      const wrong = await expectFailure(installer({}, { proxy: { httpProxy: proxy.url, noProxy: [], strictSSL: true } }).install({ source: modelSource('test-org/other') }));
      assert.ok(wrong instanceof ModelStoreError);
    } finally {
      await proxy.close();
    }
  });
});

describe('model store over TLS through a CONNECT proxy', function () {
  this.timeout(30_000);
  let hub: FakeHub;
  let proxy: TestProxy;
  let root: string;

  before(async () => {
    hub = await FakeHub.start({ tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } });
    hub.addRepo(REPO, { files: modelFiles() });
    proxy = await TestProxy.start();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-tls-'));
  });
  after(async () => {
    await hub.close();
    await proxy.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  function tlsInstaller(strictSSL: boolean): ModelInstaller {
    return new ModelInstaller({
      modelsDir: path.join(root, strictSSL ? 'strict' : 'lax'),
      hub: new HubClient({ endpoint: hub.url, retry: FAST_RETRY, proxy: { httpsProxy: proxy.url, noProxy: [], strictSSL } }),
      retry: FAST_RETRY,
      freeDiskBytes: async () => 1e12,
    });
  }

  it('tunnels with CONNECT; with http.proxyStrictSSL off a self-signed certificate is accepted', async () => {
    const result = await tlsInstaller(false).install({ source: modelSource(REPO) });
    assert.ok(fs.existsSync(path.join(result.model.dir, INSTALL_MANIFEST_FILE)));
    const hubPort = new URL(hub.url).port;
    const cdnPort = new URL(hub.cdnUrl).port;
    assert.ok(proxy.connects.includes(`127.0.0.1:${hubPort}`));
    assert.ok(proxy.connects.includes(`127.0.0.1:${cdnPort}`));
  });

  it('with strict SSL an untrusted certificate fails at once with advice', async () => {
    const started = Date.now();
    const error = await expectFailure(tlsInstaller(true).install({ source: modelSource(REPO) }));
    storeError(error, 'network');
    assert.match(error.message, /The TLS certificate of 127\.0\.0\.1:\d+ \(through the proxy 127\.0\.0\.1:\d+\) was not accepted/);
    assert.match(error.message, /http\.proxyStrictSSL/);
    assert.ok(Date.now() - started < 2_000, 'not retried');
  });
});
