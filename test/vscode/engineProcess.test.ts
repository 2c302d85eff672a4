// The engine child process as the extension runs it: started on first use, its execution provider reported,
// restarted after a crash (at most 3 times in 3 minutes) with the running job failed cleanly, cancel within a step.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LocalDiffusionApi } from '../../src/host/extension';
import { EXECUTION_PROVIDER_NAMES, PROTOCOL_VERSION, type GenerateProgress, type HelloResult } from '../../src/common/protocol/engineProtocol';
import { canListEngineProcesses, engineProcessIds } from './engineProcesses';
import { printExtensionLogOnFailure } from './extensionLog';
import { activatedApi, clearNotifications } from './localDiffusionExtension';
import { waitFor } from './waitFor';

const PROMPT = 'a red circle on the left';
/** A short job for the built-in sample model at its native size. */
const SHORT_JOB = { task: 'txt2img' as const, prompt: PROMPT, steps: 2, seed: '7', batchCount: 1 };

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

describe('Engine process', function () {
  this.timeout(120_000);
  let api: LocalDiffusionApi;

  before(async () => {
    api = await activatedApi();
  });

  afterEach(printExtensionLogOnFailure);

  afterEach(async () => {
    // The crashes leave error notifications; later tests click where they would be.
    await clearNotifications();
  });

  const hello = (): Promise<HelloResult> => api.engine.request('hello', { protocolVersion: PROTOCOL_VERSION });

  /** Kills the engine the way a crash would and waits until this host has reaped it. */
  async function crash(pid: number): Promise<void> {
    process.kill(pid, 'SIGKILL');
    if (canListEngineProcesses()) await waitFor(`engine ${pid} to be gone`, engineProcessIds, (pids) => !pids.includes(pid), 10_000);
    else await new Promise((resolve) => setTimeout(resolve, 500));
  }

  /**
   * Runs `request` once the host has seen the last crash. The host reaps a killed engine a moment before it
   * handles its exit; a request sent in between goes to the dead engine and fails like the job it would be
   * ("ended by SIGKILL") without starting a new one, so it is simply sent again.
   */
  async function afterCrash<T>(request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (attempt >= 20 || !/was ended by SIGKILL/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Changing localDiffusion.nodePath forgets past crashes and stops the engine (engineClient.ts); back to the default after. */
  async function resetRestarts(): Promise<void> {
    const config = () => vscode.workspace.getConfiguration('localDiffusion');
    for (const value of [process.execPath, undefined]) {
      const changed = new Promise<void>((resolve) => {
        const sub = vscode.workspace.onDidChangeConfiguration((event) => {
          if (!event.affectsConfiguration('localDiffusion.nodePath')) return;
          sub.dispose();
          resolve();
        });
      });
      await config().update('nodePath', value, vscode.ConfigurationTarget.Global);
      await changed;
    }
    if (canListEngineProcesses()) await waitFor('no engine process', engineProcessIds, (pids) => pids.length === 0, 10_000);
  }

  it('starts on first use and reports the execution provider it runs on', async () => {
    await api.engine.shutdown();
    if (canListEngineProcesses()) assert.deepEqual(engineProcessIds(), [], 'no engine before the job');
    const result = await api.generation.generate({ title: 'e2e: first use', params: SHORT_JOB });
    assert.equal(result.images.length, 1);
    const model = await api.generation.modelInfo();
    assert.deepEqual([result.width, result.height], [model.nativeWidth, model.nativeHeight], 'at the model\'s native size');
    const info = await hello();
    if (canListEngineProcesses()) assert.deepEqual(engineProcessIds(), [info.pid], 'exactly one engine, the one that answered');
    assert.ok((EXECUTION_PROVIDER_NAMES as readonly string[]).includes(result.executionProvider), `provider ${result.executionProvider}`);
    assert.notEqual(result.executionProvider, 'auto', 'the job reports the concrete provider it ran on');
    assert.ok(info.executionProviders.includes(result.executionProvider), `${result.executionProvider} in [${info.executionProviders.join(', ')}]`);
  });

  it('fails the running job cleanly when the engine is killed, and the next job restarts it', async () => {
    await resetRestarts();
    const first = await hello();
    const stages: string[] = [];
    let killedAtStep: number | undefined;
    const job = api.generation.generate({
      title: 'e2e: killed',
      params: { task: 'txt2img', prompt: PROMPT, steps: 60, width: 512, height: 512, seed: '11' },
      onProgress: (progress: GenerateProgress) => {
        stages.push(progress.stage);
        if (progress.stage === 'denoising' && killedAtStep === undefined) {
          killedAtStep = progress.step;
          process.kill(first.pid, 'SIGKILL');
        }
      },
    });
    await assert.rejects(job, (error: Error) => {
      assert.equal(errorCode(error), 'engineExited', error.message);
      assert.match(error.message, /SIGKILL/);
      assert.match(error.message, /The job failed; the next one restarts the engine/);
      return true;
    });
    assert.ok(killedAtStep !== undefined && killedAtStep < 60, `killed during denoising (step ${killedAtStep})`);
    assert.equal(api.generation.isRunning, false, 'no job left running');
    const result = await api.generation.generate({ title: 'e2e: after a crash', params: SHORT_JOB });
    assert.equal(result.images.length, 1);
    const second = await hello();
    assert.notEqual(second.pid, first.pid, 'a new engine process');
    if (canListEngineProcesses()) assert.deepEqual(engineProcessIds(), [second.pid]);
  });

  it('restarts a crashed engine at most 3 times in 3 minutes, then refuses jobs with a clear message', async () => {
    await resetRestarts();
    const pids: number[] = [];
    // The first start plus three restarts, each ended by a crash.
    for (let crashes = 0; crashes < 4; crashes++) {
      const { pid } = await afterCrash(hello);
      pids.push(pid);
      await crash(pid);
    }
    assert.equal(new Set(pids).size, 4, 'four distinct engine processes');
    await assert.rejects(afterCrash(() => api.generation.generate({ title: 'e2e: refused', params: SHORT_JOB })), (error: Error) => {
      assert.equal(errorCode(error), 'engineExited', error.message);
      assert.match(error.message, /stopped unexpectedly 4 times within 3 minutes, so it is not restarted/);
      return true;
    });
    assert.equal(api.generation.isRunning, false);
    if (canListEngineProcesses()) assert.deepEqual(engineProcessIds(), [], 'no fifth engine');
    // A changed Node path forgets the crashes: jobs run again.
    await resetRestarts();
    const result = await api.generation.generate({ title: 'e2e: after the reset', params: SHORT_JOB });
    assert.equal(result.images.length, 1);
  });

  it('cancel stops a running job within one step, without restarting the engine', async () => {
    const before = await hello();
    const source = new vscode.CancellationTokenSource();
    // The built-in model's steps take a few milliseconds at its native 64×64; at 320×320 one takes about 0.2 s on
    // a CPU (its self-attention grows with the square of the area), far longer than a message between the
    // processes, so "within one step" is measured in steps, not in scheduling noise. No previews: each progress
    // message stays a few bytes.
    const steps = 40;
    const cancelAtStep = 2;
    let cancelledAt: number | undefined;
    const after: number[] = [];
    const job = api.generation.generate({
      title: 'e2e: cancelled',
      params: { task: 'txt2img', prompt: PROMPT, steps, width: 320, height: 320, seed: '12', previewEverySteps: 0 },
      token: source.token,
      onProgress: (progress) => {
        if (progress.stage !== 'denoising') return;
        if (cancelledAt !== undefined) after.push(progress.step);
        else if (progress.step === cancelAtStep) {
          cancelledAt = Date.now();
          source.cancel();
        }
      },
    });
    await assert.rejects(job, (error: Error) => {
      assert.equal(errorCode(error), 'cancelled', error.message);
      return true;
    });
    source.dispose();
    assert.ok(cancelledAt !== undefined, 'the job reached the step where it was cancelled');
    // The step the engine was computing when the cancel arrived may still report; none after it.
    assert.ok(after.length <= 1 && after.every((step) => step === cancelAtStep + 1), `steps reported after the cancel: [${after.join(', ')}]`);
    assert.equal(api.generation.isRunning, false);
    const again = await hello();
    assert.equal(again.pid, before.pid, 'cancel is a message to the engine, not a kill');
  });
});
