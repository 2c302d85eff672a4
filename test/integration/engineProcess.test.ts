// The engine as the extension runs it: a forked child process (dist/engine.js) speaking the typed
// protocol over IPC with advanced serialization.
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { PROTOCOL_VERSION, type EngineMethods, type EngineNotifications, type GenerateProgress, type HostMethods } from '../../src/common/protocol/engineProtocol';
import { CancellationSource, ErrorCode, RpcEndpoint, RpcFailure } from '../../src/common/protocol/rpc';

const engineJs = path.resolve(__dirname, '../../../dist/engine.js');

describe('engine process (dist/engine.js over IPC)', function () {
  this.timeout(120_000);
  let dir: string;
  let child: ChildProcess;
  let rpc: RpcEndpoint<HostMethods, EngineMethods, Record<string, never>, EngineNotifications>;
  const logs: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-proc-'));
    await writeAnalyticModel(path.join(dir, 'model'), {});
    // Steps of tens of milliseconds, as real models have, for the cancel test (the plain analytic UNet runs a
    // step in about a millisecond, faster than a message round trip).
    await writeAnalyticModel(path.join(dir, 'slow'), { heavy: { matmulSize: 256, layers: 6 } });
    child = fork(engineJs, [], { serialization: 'advanced', silent: true });
    rpc = new RpcEndpoint((e) => child.send(e));
    child.on('message', (m) => rpc.receive(m));
    child.on('exit', () => rpc.dispose());
    rpc.onNotification('log', (l) => logs.push(`${l.level}: ${l.message}`));
  });
  after(() => {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hello checks the protocol version', async () => {
    const hello = await rpc.request('hello', { protocolVersion: PROTOCOL_VERSION });
    assert.equal(hello.protocolVersion, PROTOCOL_VERSION);
    assert.ok(hello.executionProviders.includes('cpu'));
    assert.equal(hello.pid, child.pid);
    await assert.rejects(rpc.request('hello', { protocolVersion: 999 }), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.ProtocolMismatch);
  });

  it('generate streams progress with RGBA previews as Uint8Array and returns PNG bytes', async () => {
    const progress: GenerateProgress[] = [];
    const result = await rpc.request(
      'generate',
      { task: 'txt2img', model: { dir: path.join(dir, 'model') }, executionProvider: 'auto', prompt: 'a red', width: 64, height: 64, steps: 4, seed: '1' },
      { onProgress: (p) => progress.push(p) },
    );
    assert.ok(result.images[0].png instanceof Uint8Array);
    assert.deepEqual([...result.images[0].png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    const previews = progress.filter((p) => p.stage === 'denoising' && p.preview);
    assert.equal(previews.length, 4);
    const first = previews[0];
    assert.ok(first.stage === 'denoising' && first.preview?.rgba instanceof Uint8Array);
    assert.equal(result.executionProvider, 'cpu');
    assert.ok(logs.some((l) => /Loaded model on cpu/.test(l)), logs.join('\n'));
  });

  it('cancel is honoured between steps: the job ends cancelled before its last step, and the engine serves the next job', async () => {
    const source = new CancellationSource();
    const steps = 150;
    let last = 0;
    const params = { task: 'txt2img' as const, model: { dir: path.join(dir, 'slow') }, executionProvider: 'cpu' as const, prompt: 'a red', width: 64, height: 64, steps, seed: '1' };
    const failure = await rpc
      .request('generate', params, {
        cancellation: source.token,
        onProgress: (p) => {
          if (p.stage !== 'denoising') return;
          last = p.step;
          source.cancel(); // at the first step that reports
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(failure instanceof RpcFailure && failure.code === ErrorCode.Cancelled, `ended with ${String(failure)}`);
    assert.ok(last >= 1 && last < steps, `stopped at step ${last} of ${steps}`);
    // The same process runs the next job to the end.
    const next = await rpc.request('generate', { ...params, steps: 2 });
    assert.equal(next.images.length, 1);
    const hello = await rpc.request('hello', { protocolVersion: PROTOCOL_VERSION });
    assert.equal(hello.pid, child.pid);
  });

  it('errors are typed and never crash the process', async () => {
    await assert.rejects(rpc.request('generate', { task: 'txt2img', model: { dir: path.join(dir, 'model') }, prompt: 'x', width: 7 }), (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.InvalidParams);
    await assert.rejects(rpc.request('generate', null as never), (e: unknown) => e instanceof RpcFailure);
    await assert.rejects(rpc.request('nonsense' as 'info', { model: { dir } }), (e: unknown) => e instanceof RpcFailure && /Unknown method/.test(e.message));
    child.send({ kind: 'garbage' });
    const hello = await rpc.request('hello', { protocolVersion: PROTOCOL_VERSION });
    assert.equal(hello.pid, child.pid);
  });

  it('unload releases the model; shutdown exits the process', async () => {
    assert.deepEqual(await rpc.request('unloadModel', {}), { unloaded: true });
    assert.deepEqual(await rpc.request('unloadModel', {}), { unloaded: false });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await rpc.request('shutdown', {});
    assert.equal(await exited, 0);
  });

  it('exits when the parent disconnects', async () => {
    const orphan = fork(engineJs, [], { serialization: 'advanced', silent: true });
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((resolve) => orphan.once('exit', (code) => resolve(code)));
    orphan.disconnect();
    assert.equal(await exited, 0);
  });
});
