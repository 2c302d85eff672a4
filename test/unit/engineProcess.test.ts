import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as esbuildApi from 'esbuild';
import { cancelGraceMs, EngineProcess, type EngineLogger, type EngineProcessOptions } from '../../src/host/engineClient/engineProcess';
import { PROTOCOL_VERSION, type GenerateProgress } from '../../src/common/protocol/engineProtocol';
import { CancellationSource, ErrorCode, RpcFailure, type Envelope } from '../../src/common/protocol/rpc';

// This file runs bundled as out/test/unit/engineProcess.test.js; the repository root is three levels up.
const root = path.resolve(__dirname, '../../..');
const fakeEnginePath = path.join(root, 'out', 'test', 'fixtures', 'fakeEngine.js');

class MemoryLogger implements EngineLogger {
  readonly lines: string[] = [];
  trace = (m: string) => void this.lines.push(`trace ${m}`);
  debug = (m: string) => void this.lines.push(`debug ${m}`);
  info = (m: string) => void this.lines.push(`info ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string) => void this.lines.push(`error ${m}`);
  has(pattern: RegExp): boolean {
    return this.lines.some((line) => pattern.test(line));
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

async function rejection(promise: Promise<unknown>): Promise<RpcFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RpcFailure, `expected an RpcFailure, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the promise to reject');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('EngineProcess (against test/fixtures/fakeEngine.ts)', function () {
  this.timeout(20_000);
  const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-fake-model-'));
  const engines: EngineProcess[] = [];

  function makeEngine(overrides: Partial<EngineProcessOptions> = {}) {
    const logger = new MemoryLogger();
    const sent: Envelope[] = [];
    const engine = new EngineProcess({
      modulePath: fakeEnginePath,
      logger,
      onTrace: (direction, envelope) => {
        if (direction === 'send') sent.push(envelope);
      },
      cancelKillTimeoutMs: 300,
      shutdownTimeoutMs: 300,
      handshakeTimeoutMs: 10_000,
      ...overrides,
    });
    engines.push(engine);
    return { engine, logger, sent };
  }

  const generate = (engine: EngineProcess, prompt: string, extra: Partial<{ steps: number; cancel: CancellationSource }> = {}) => {
    const progress: GenerateProgress[] = [];
    const promise = engine.request(
      'generate',
      { task: 'txt2img', model: { dir: modelDir }, prompt, steps: extra.steps ?? 3, seed: '42' },
      { onProgress: (p) => progress.push(p), ...(extra.cancel ? { cancellation: extra.cancel.token } : {}) },
    );
    return { promise, progress };
  };

  before(async function () {
    this.timeout(60_000);
    const requireFromHere = createRequire(__filename);
    const esbuild = requireFromHere('esbuild') as typeof esbuildApi;
    await esbuild.build({
      entryPoints: [path.join(root, 'test', 'fixtures', 'fakeEngine.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['sharp'],
      outfile: fakeEnginePath,
      logLevel: 'warning',
    });
  });

  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.shutdown()));
  });

  after(() => fs.rmSync(modelDir, { recursive: true, force: true }));

  it('starts lazily, says hello, and streams progress with raw RGBA previews', async () => {
    const { engine, logger, sent } = makeEngine();
    assert.equal(engine.pid, undefined);
    const { promise, progress } = generate(engine, 'a red circle', { steps: 3 });
    const result = await promise;
    assert.ok(engine.pid !== undefined && isAlive(engine.pid));
    assert.deepEqual(
      sent.filter((e) => e.kind === 'request').map((e) => (e.kind === 'request' ? e.method : '')),
      ['hello', 'generate'],
    );
    const hello = sent[0];
    assert.ok(hello?.kind === 'request');
    assert.deepEqual(hello.params, { protocolVersion: PROTOCOL_VERSION });
    const denoising = progress.filter((p) => p.stage === 'denoising');
    assert.deepEqual(
      denoising.map((p) => p.step),
      [1, 2, 3],
    );
    const preview = denoising[2]?.preview;
    assert.ok(preview?.rgba instanceof Uint8Array, 'previews arrive as Uint8Array (advanced serialization)');
    assert.equal(preview.rgba.length, preview.width * preview.height * 4);
    assert.equal(preview.rgba[0], 255);
    assert.equal(result.images.length, 1);
    assert.equal(result.images[0]?.seed, '42');
    assert.ok(result.images[0]?.png instanceof Uint8Array);
    assert.ok(logger.has(/\[engine\] fake engine \d+ ready/), 'log notifications reach the logger');
    assert.ok(logger.has(/Engine ready: pid \d+, engine fake/));
  });

  it('keeps one process across requests and pipes stderr into the log', async () => {
    const { engine, logger } = makeEngine();
    await generate(engine, 'first').promise;
    const pid = engine.pid;
    await generate(engine, 'second, with stderr').promise;
    assert.equal(engine.pid, pid);
    await waitFor(() => logger.has(/warn \[engine stderr\] fake engine: a line on stderr/));
  });

  it('starts the engine with the env it is given at each start, and logs ONNX Runtime lines at debug', async () => {
    let level = 'warning';
    const { engine, logger } = makeEngine({ env: () => ({ LOCAL_DIFFUSION_ORT_LOG_LEVEL: level }) });
    await generate(engine, 'ortlog').promise;
    await waitFor(() => logger.has(/debug \[onnxruntime\] .*\[W:onnxruntime:fake.*level=warning/));
    assert.ok(!logger.has(/warn .*onnxruntime/), 'not a warning');
    level = 'info';
    await engine.shutdown();
    await generate(engine, 'ortlog again').promise;
    await waitFor(() => logger.has(/level=info/));
  });

  it('fails the running job with engineExited when the engine crashes, and restarts on the next request', async () => {
    const unexpected: string[] = [];
    const { engine } = makeEngine({ onUnexpectedExit: (d) => unexpected.push(d) });
    await generate(engine, 'warm up').promise;
    const firstPid = engine.pid;
    const failure = await rejection(generate(engine, 'please crash').promise);
    assert.equal(failure.code, ErrorCode.EngineExited);
    assert.match(failure.message, /exited with code 3/);
    assert.match(failure.message, /Show Log/);
    assert.deepEqual(unexpected, ['The Local Diffusion engine exited with code 3.']);
    assert.equal(engine.pid, undefined);
    const again = await generate(engine, 'after the restart').promise;
    assert.equal(again.images.length, 1);
    assert.ok(engine.pid !== undefined && engine.pid !== firstPid);
  });

  it('caps restarts after crashes (3 within the window), then refuses until the window has passed', async () => {
    let now = 1_000_000;
    const limitMessages: string[] = [];
    const { engine } = makeEngine({
      env: { FAKE_ENGINE_EXIT_ON_START: '2' },
      now: () => now,
      restartLimit: { count: 3, windowMs: 180_000 },
      onRestartLimitReached: (failure) => limitMessages.push(failure.message),
    });
    // The first start and three restarts are attempted; each engine dies before its handshake.
    for (let attempt = 0; attempt < 4; attempt++) {
      const failure = await rejection(engine.request('info', { model: { dir: modelDir } }));
      assert.equal(failure.code, ErrorCode.EngineExited);
      assert.match(failure.message, /could not be started/);
      now += 1000;
    }
    const refused = await rejection(engine.request('info', { model: { dir: modelDir } }));
    assert.equal(refused.code, ErrorCode.EngineExited);
    assert.match(refused.message, /4 times within 3 minutes/);
    await rejection(engine.request('info', { model: { dir: modelDir } }));
    assert.equal(limitMessages.length, 1, 'the limit is reported once, not per refused request');
    assert.equal(engine.pid, undefined);

    now += 180_000;
    const afterWindow = await rejection(engine.request('info', { model: { dir: modelDir } }));
    assert.match(afterWindow.message, /could not be started/, 'a start is attempted again once the window has passed');
  });

  it('honours a cancel between steps without killing the engine', async () => {
    const { engine, sent } = makeEngine({ cancelKillTimeoutMs: 5_000 });
    const cancel = new CancellationSource();
    const { promise, progress } = generate(engine, 'long', { steps: 500, cancel });
    await waitFor(() => progress.some((p) => p.stage === 'denoising'));
    const pid = engine.pid;
    cancel.cancel();
    const failure = await rejection(promise);
    assert.equal(failure.code, ErrorCode.Cancelled);
    assert.ok(sent.some((e) => e.kind === 'cancel'), 'a cancel envelope was sent');
    assert.equal(engine.pid, pid);
    assert.ok(pid !== undefined && isAlive(pid));
  });

  it('kills an engine that ignores the cancel after the timeout; the next request starts a new one', async () => {
    const { engine, logger } = makeEngine({ cancelKillTimeoutMs: 300, restartLimit: { count: 0, windowMs: 180_000 } });
    await generate(engine, 'warm up').promise;
    const pid = engine.pid;
    assert.ok(pid !== undefined);
    const cancel = new CancellationSource();
    const { promise } = generate(engine, 'hang forever', { cancel });
    await sleep(50);
    const cancelledAt = Date.now();
    cancel.cancel();
    const failure = await rejection(promise);
    const waited = Date.now() - cancelledAt;
    assert.equal(failure.code, ErrorCode.Cancelled, 'for the caller a kill after cancel is a cancellation');
    assert.ok(waited >= 250 && waited < 3000, `rejected ${waited} ms after the cancel`);
    await waitFor(() => !isAlive(pid));
    assert.ok(logger.has(/did not stop "generate" within \d+ ms/));
    // A kill we asked for is not a crash: even with a restart limit of 0 the next request starts an engine.
    const next = await generate(engine, 'after the kill').promise;
    assert.equal(next.images.length, 1);
    assert.ok(engine.pid !== undefined && engine.pid !== pid);
  });

  it('scales the cancel grace period with the longest step seen (at least the floor)', async () => {
    assert.equal(cancelGraceMs(5_000, 0), 5_000);
    assert.equal(cancelGraceMs(5_000, 1_000), 5_000);
    assert.equal(cancelGraceMs(5_000, 4_000), 12_000);
    // Steps of ~200 ms seen: a cancel is given at least 3 × 200 ms before the kill, not the 100 ms floor.
    const { engine, logger } = makeEngine({ cancelKillTimeoutMs: 100, env: { FAKE_ENGINE_STEP_MS: '200' } });
    await generate(engine, 'warm up', { steps: 3 }).promise;
    const cancel = new CancellationSource();
    const { promise } = generate(engine, 'hang forever', { cancel });
    await sleep(50);
    cancel.cancel();
    const failure = await rejection(promise);
    assert.equal(failure.code, ErrorCode.Cancelled);
    const match = /did not stop "generate" within (\d+) ms/.exec(logger.lines.join('\n'));
    assert.ok(match, 'the engine was killed after the grace period');
    assert.ok(Number(match[1]) >= 3 * 200, `grace ${match[1]} ms`);
  });

  it('shrinks the cancel grace period again after a slow job (it follows the last job, not the slowest ever)', async () => {
    const { engine, logger } = makeEngine({ cancelKillTimeoutMs: 100 });
    const graceOfNextCancel = async (): Promise<number> => {
      const before = logger.lines.length;
      const cancel = new CancellationSource();
      const { promise } = generate(engine, 'hang forever', { cancel });
      await sleep(30);
      cancel.cancel();
      assert.equal((await rejection(promise)).code, ErrorCode.Cancelled);
      const match = /did not stop "generate" within (\d+) ms/.exec(logger.lines.slice(before).join('\n'));
      assert.ok(match, 'the engine was killed after the grace period');
      return Number(match[1]);
    };
    await generate(engine, 'slow step-ms=150', { steps: 3 }).promise;
    const afterSlow = await graceOfNextCancel();
    assert.ok(afterSlow >= 3 * 150, `grace after 150 ms steps: ${afterSlow} ms`);
    // The cancel killed the engine: the first job of a fresh one includes its warm-up (its first decode); the next is warm.
    await generate(engine, 'fast step-ms=5', { steps: 3 }).promise;
    await generate(engine, 'fast step-ms=5', { steps: 3 }).promise;
    const afterFast = await graceOfNextCancel();
    assert.ok(afterFast < 3 * 150, `grace after 5 ms steps: ${afterFast} ms (was ${afterSlow} ms after the slow job)`);
  });

  it('rejects a protocol mismatch, stops that engine and does not retry', async () => {
    const { engine, sent } = makeEngine({ env: { FAKE_ENGINE_PROTOCOL_VERSION: '99' } });
    const failure = await rejection(engine.request('info', { model: { dir: modelDir } }));
    assert.equal(failure.code, ErrorCode.ProtocolMismatch);
    assert.match(failure.message, new RegExp(`protocol version 99.*needs version ${PROTOCOL_VERSION}`));
    await waitFor(() => engine.pid === undefined);
    const hellos = () => sent.filter((e) => e.kind === 'request' && e.method === 'hello').length;
    assert.equal(hellos(), 1);
    const again = await rejection(engine.request('info', { model: { dir: modelDir } }));
    assert.equal(again.code, ErrorCode.ProtocolMismatch);
    assert.equal(hellos(), 1, 'no new engine was started');
    engine.resetRestarts();
    await rejection(engine.request('info', { model: { dir: modelDir } }));
    assert.equal(hellos(), 2, 'resetRestarts() allows a new attempt');
  });

  it('reports a missing Node executable with the nodePath setting in the message', async () => {
    const { engine } = makeEngine({ execPath: () => path.join(os.tmpdir(), 'no-such-node-binary') });
    const failure = await rejection(engine.request('info', { model: { dir: modelDir } }));
    assert.equal(failure.code, ErrorCode.EngineExited);
    assert.match(failure.message, /no-such-node-binary/);
    assert.match(failure.message, /localDiffusion\.nodePath/);
  });

  it('rejects at once when cancelled before the engine is up, without starting one', async () => {
    const { engine, sent } = makeEngine();
    const cancel = new CancellationSource();
    cancel.cancel();
    const failure = await rejection(generate(engine, 'never', { cancel }).promise);
    assert.equal(failure.code, ErrorCode.Cancelled);
    assert.equal(sent.length, 0);
    assert.equal(engine.pid, undefined);
  });

  it('passes engine errors through with their code', async () => {
    const { engine } = makeEngine();
    const failure = await rejection(engine.request('info', { model: { dir: path.join(modelDir, 'missing') } }));
    assert.equal(failure.code, ErrorCode.ModelMissing);
    const invalid = await rejection(
      engine.request('generate', { task: 'txt2img', model: { dir: modelDir }, prompt: 'x', width: 100, height: 64 }),
    );
    assert.equal(invalid.code, ErrorCode.InvalidParams);
  });

  it('sends unloadModel after the idle time, and not while a job runs', async () => {
    const { engine, sent } = makeEngine({ idleUnloadMs: () => 150 });
    const unloads = () => sent.filter((e) => e.kind === 'request' && e.method === 'unloadModel').length;
    await engine.request('info', { model: { dir: modelDir } });
    await sleep(300);
    assert.equal(unloads(), 0, 'info loads no model, so there is nothing to unload');
    await generate(engine, 'loads the model', { steps: 2 }).promise;
    assert.equal(unloads(), 0);
    await waitFor(() => unloads() === 1, 3000);
    await sleep(300);
    assert.equal(unloads(), 1, 'unloaded once');
  });

  it('shuts down with a shutdown request', async () => {
    const { engine, sent } = makeEngine();
    await engine.request('info', { model: { dir: modelDir } });
    const pid = engine.pid;
    assert.ok(pid !== undefined);
    await engine.shutdown();
    assert.ok(sent.some((e) => e.kind === 'request' && e.method === 'shutdown'));
    assert.equal(engine.pid, undefined);
    await waitFor(() => !isAlive(pid));
  });

  it('kills an engine that does not answer shutdown after the timeout, and fails its pending job', async () => {
    const { engine } = makeEngine({ env: { FAKE_ENGINE_IGNORE_SHUTDOWN: '1' }, shutdownTimeoutMs: 300 });
    await engine.request('info', { model: { dir: modelDir } });
    const pid = engine.pid;
    assert.ok(pid !== undefined);
    const job = generate(engine, 'hang while shutting down').promise;
    const started = Date.now();
    await engine.shutdown();
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 3000, `shutdown took ${took} ms`);
    await waitFor(() => !isAlive(pid));
    const failure = await rejection(job);
    assert.equal(failure.code, ErrorCode.EngineExited);
    assert.match(failure.message, /stopped \(shut down\)/);
  });

  it('refuses requests after dispose', async () => {
    const { engine } = makeEngine();
    await engine.request('info', { model: { dir: modelDir } });
    const pid = engine.pid;
    assert.ok(pid !== undefined);
    engine.dispose();
    const failure = await rejection(engine.request('info', { model: { dir: modelDir } }));
    assert.equal(failure.code, ErrorCode.EngineExited);
    await waitFor(() => !isAlive(pid));
  });
});
