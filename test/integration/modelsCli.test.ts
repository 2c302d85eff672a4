// `local-diffusion models pull|list` (dist/cli.js) against the fake Hub, run as a user runs it: a catalog id
// with its licence, the pulled model used by generate and info, Ctrl+C, and a kill -9 mid-file that the next
// pull resumes. The CLI runs as a child process (async: the fake Hub lives in this process).
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAnalyticModelFiles } from '../../tools/analytic/analyticModel';
import { INSTALL_MANIFEST_FILE } from '../../src/node/modelStore/installLayout';
import { FakeHub } from '../fixtures/fakeHub';

const repoRoot = path.resolve(__dirname, '../../..');
const cli = path.join(repoRoot, 'dist', 'cli.js');

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, done };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('CLI models pull / list (dist/cli.js)', function () {
  this.timeout(60_000);
  let hub: FakeHub;
  let root: string;
  let modelsDir: string;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[]): Promise<Run> => start(args, env).done;

  before(async function () {
    if (!fs.existsSync(cli)) this.skip();
    hub = await FakeHub.start();
    const files = new Map(buildAnalyticModelFiles({}));
    hub.addRepo('onnxruntime/sd-turbo', { files }); // the catalog's sd-turbo
    hub.addRepo('test-org/slow', { files });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-cli-models-'));
    modelsDir = path.join(root, 'models');
    env = { PATH: process.env.PATH, HOME: root, HF_HOME: path.join(root, 'hf'), HF_ENDPOINT: hub.url };
  });
  after(async () => {
    await hub?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('pull of a catalog id asks for its licence first, then installs; list, info and generate use it', async () => {
    const refused = await run(['models', 'pull', 'sd-turbo', '--models-dir', modelsDir]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^error: SD-Turbo is under the Stability AI Non-Commercial .* \(non-commercial use only\): read it at https:\/\/huggingface\.co\/stabilityai\/sd-turbo, then run again with --accept-license\.$/m);
    assert.equal(hub.requests.length, 0, 'nothing asked of the Hub');

    const pulled = await run(['models', 'pull', 'sd-turbo', '--models-dir', modelsDir, '--accept-license']);
    assert.equal(pulled.status, 0, pulled.stderr);
    const dir = pulled.stdout.trim();
    assert.equal(dir, path.join(modelsDir, 'onnxruntime--sd-turbo'));
    assert.ok(fs.existsSync(path.join(dir, INSTALL_MANIFEST_FILE)));
    assert.match(pulled.stderr, /accepted the Stability AI/);
    assert.match(pulled.stderr, /onnxruntime\/sd-turbo at [0-9a-f]{10}: 14 files, [\d.]+ KB/);
    assert.match(pulled.stderr, /^file 14\/14 text_encoder\/model\.onnx \([\d.]+ KB\)$/m);
    assert.match(pulled.stderr, /installed: [\d.]+ KB downloaded/);

    const again = await run(['models', 'pull', 'sd-turbo', '--models-dir', modelsDir, '--json']);
    assert.equal(again.status, 0, again.stderr);
    const json = JSON.parse(again.stdout) as { alreadyInstalled: boolean; catalogId: string; dir: string };
    assert.equal(json.alreadyInstalled, true, 'the licence is remembered and nothing is fetched again');
    assert.equal(json.catalogId, 'sd-turbo');

    const list = await run(['models', 'list', '--models-dir', modelsDir, '--json']);
    assert.equal(list.status, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as { installed: { spec: string; catalogId?: string }[]; catalog: { id: string; installed: boolean }[] };
    assert.deepEqual(listed.installed.map((m) => [m.spec, m.catalogId]), [['onnxruntime/sd-turbo', 'sd-turbo']]);
    assert.equal(listed.catalog.find((e) => e.id === 'sd-turbo')?.installed, true);
    assert.equal(listed.catalog.find((e) => e.id === 'sd-1.5')?.installed, false);

    const info = await run(['info', '--model', 'onnxruntime/sd-turbo', '--models-dir', modelsDir, '--json']);
    assert.equal(info.status, 0, info.stderr);
    assert.equal((JSON.parse(info.stdout) as { dir: string }).dir, dir);

    const out = path.join(root, 'turbo.png');
    const generated = await run(['generate', '--model', 'sd-turbo', '--models-dir', modelsDir, '--prompt', 'a red circle', '--steps', '2', '--seed', '3', '--width', '64', '--height', '64', '--out', out]);
    assert.equal(generated.status, 0, generated.stderr);
    assert.ok(fs.statSync(out).size > 0);

    const missing = await run(['info', '--model', 'test-org/not-pulled', '--models-dir', modelsDir]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^error: "test-org\/not-pulled" is neither a model folder nor a model installed in .*: run "local-diffusion models pull test-org\/not-pulled" first\.$/m);
  });

  it('Ctrl+C cancels a pull (exit 130) and a kill -9 mid-file leaves a .part that the next pull resumes', async () => {
    const file = 'text_encoder/model.onnx';
    const staging = path.join(modelsDir, 'test-org--slow.partial');
    const part = path.join(staging, `${file}.part`);

    hub.fault(file, { kind: 'slow', chunkBytes: 1024, delayMs: 25 });
    const sentAtStart = hub.bytesSent.get(file) ?? 0; // the same file of another repo was served before
    const interrupted = start(['models', 'pull', 'test-org/slow', '--models-dir', modelsDir], env);
    await waitFor(() => (hub.bytesSent.get(file) ?? 0) >= sentAtStart + 4096);
    interrupted.child.kill('SIGINT');
    const cancelled = await interrupted.done;
    assert.equal(cancelled.status, 130, cancelled.stderr);
    assert.match(cancelled.stderr, /error: cancelled; run the same command again to resume/);
    assert.ok(fs.statSync(part).size >= 4096);

    hub.fault(file, { kind: 'slow', chunkBytes: 1024, delayMs: 25 });
    const sentBefore = hub.bytesSent.get(file) ?? 0;
    const killed = start(['models', 'pull', 'test-org/slow', '--models-dir', modelsDir], env);
    await waitFor(() => (hub.bytesSent.get(file) ?? 0) >= sentBefore + 8192);
    killed.child.kill('SIGKILL');
    const dead = await killed.done;
    assert.equal(dead.signal, 'SIGKILL');
    assert.ok(!fs.existsSync(path.join(modelsDir, 'test-org--slow')), 'no model after the kill');
    const partSize = fs.statSync(part).size;
    assert.ok(partSize >= 4096 + 4096, `the .part grew (${partSize})`);

    const resumed = await run(['models', 'pull', 'test-org/slow', '--models-dir', modelsDir, '--json']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(hub.fileRequests(file).at(-1)?.range, `bytes=${partSize}-`);
    const result = JSON.parse(resumed.stdout) as { dir: string; resumedBytes: number };
    assert.ok(result.resumedBytes >= partSize);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(result.dir, file))), new Map(buildAnalyticModelFiles({})).get(file));
    assert.ok(!fs.existsSync(staging));
  });
});
