// npm run bench — measures the engine on step-heavy synthetic models and prints a markdown table.
//
// Two analytic models with a benchmark load in the UNet (a MatMul chain whose cost grows with the batch, and
// whose weights are as large as a small real UNet's) are written once to .cache/bench/. Each scenario runs in a
// fresh child process, so peak RSS and cold loads are measured cleanly. Ratios are measured in one run; the
// machine is noisy, so compare numbers from the same table only.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeAnalyticModel } from './analytic/analyticModel';
import type { AnalyticModelOptions } from './analytic/analyticModelOptions';
import { Engine } from '../src/engine/engine';
import type { GenerateResult } from '../src/common/protocol/engineProtocol';

const repo = path.resolve(__dirname, '../..');
const cacheDir = path.join(repo, '.cache', 'bench');

/** Sized so that a UNet step costs well over 50 ms on a 2-core CPU and the weights are 1.5 GiB (a fp16 SD 1.5 UNet: 1.7 GB). */
const HEAVY = { matmulSize: 4096, layers: 24, rowsPerItem: 8 };
const MODELS: Record<string, Partial<AnalyticModelOptions>> = {
  'heavy-dynamic-batch': { heavy: HEAVY, sampleSize: 512 },
  'heavy-static-batch-1': { heavy: HEAVY, sampleSize: 512, batch: 1 },
};

interface Scenario {
  label: string;
  model: string;
  guidanceScale: number;
  previewEverySteps: number;
  steps: number;
}

interface Measurement {
  cold: RunNumbers;
  warm: RunNumbers;
  maxRssBytes: number;
  weightsBytes: number;
  provider: string;
}

interface RunNumbers {
  totalMs: number;
  loadMs: number;
  sessionRunMs: number;
  unetMs: number;
  unetRuns: number;
  previewMs: number;
  steps: number;
}

async function ensureModel(name: string): Promise<string> {
  const dir = path.join(cacheDir, name);
  const stamp = path.join(dir, 'bench-options.json');
  const wanted = JSON.stringify(MODELS[name]);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return dir;
  process.stderr.write(`writing ${path.relative(repo, dir)} …\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  await writeAnalyticModel(dir, MODELS[name]);
  fs.writeFileSync(stamp, wanted);
  return dir;
}

async function runChild(scenario: Scenario & { dir: string }): Promise<Measurement> {
  const engine = new Engine();
  const params = {
    model: { dir: scenario.dir },
    executionProvider: 'auto' as const,
    prompt: 'a red circle on the left',
    negativePrompt: 'a blue square',
    width: 512,
    height: 512,
    steps: scenario.steps,
    guidanceScale: scenario.guidanceScale,
    previewEverySteps: scenario.previewEverySteps,
    seed: 1,
  };
  const numbers = (result: GenerateResult): RunNumbers => {
    const model = engine.currentModel;
    if (!model) throw new Error('no model loaded');
    const sessions = [model.textEncoder.session, model.unet.session, model.vaeDecoder.session, model.vaeEncoder?.session];
    return {
      totalMs: result.timings.totalMs,
      loadMs: result.timings.loadMs,
      sessionRunMs: sessions.reduce((sum, s) => sum + (s?.runMs ?? 0), 0),
      unetMs: model.unet.session.runMs,
      unetRuns: model.unet.session.runCount,
      previewMs: result.timings.previewMs,
      steps: result.steps,
    };
  };
  // totalMs from the engine is rounded; measure it here too for the overhead ratio.
  const timed = async (): Promise<RunNumbers> => {
    const start = performance.now();
    const result = await engine.generate(params);
    const n = numbers(result);
    n.totalMs = performance.now() - start;
    return n;
  };
  const cold = await timed();
  const warm = await timed();
  const info = engine.currentModel?.info;
  const weightsBytes = (info?.components ?? []).reduce((sum, c) => sum + (c.bytes ?? 0), 0);
  const provider = engine.currentModel?.provider ?? '?';
  await engine.dispose();
  return { cold, warm, maxRssBytes: process.resourceUsage().maxRSS * 1024, weightsBytes, provider };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)} %`;
}

function ms(x: number): string {
  return `${x.toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const childArg = process.argv.indexOf('--child');
  if (childArg >= 0) {
    const scenario = JSON.parse(process.argv[childArg + 1]) as Scenario & { dir: string };
    process.stdout.write(`${JSON.stringify(await runChild(scenario))}\n`);
    return;
  }
  const scenarios: Scenario[] = [
    { label: 'CFG batched (dynamic batch), preview every step', model: 'heavy-dynamic-batch', guidanceScale: 7.5, previewEverySteps: 1, steps: 20 },
    { label: 'CFG two passes (batch fixed at 1), preview every step', model: 'heavy-static-batch-1', guidanceScale: 7.5, previewEverySteps: 1, steps: 20 },
    { label: 'no CFG (guidance 1), no preview', model: 'heavy-dynamic-batch', guidanceScale: 1, previewEverySteps: 0, steps: 20 },
  ];
  const results: [Scenario, Measurement][] = [];
  for (const scenario of scenarios) {
    const dir = await ensureModel(scenario.model);
    process.stderr.write(`running: ${scenario.label} …\n`);
    const child = spawnSync(process.execPath, [__filename, '--child', JSON.stringify({ ...scenario, dir })], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`scenario "${scenario.label}" failed:\n${child.stderr}`);
    results.push([scenario, JSON.parse(child.stdout.trim().split('\n').pop() as string) as Measurement]);
  }

  const lines: string[] = [];
  lines.push(`Engine benchmark — ${new Date().toISOString().slice(0, 10)}, ${process.platform}/${process.arch}, Node ${process.version}, provider ${results[0][1].provider}`);
  lines.push(`Synthetic UNet: ${HEAVY.layers} MatMul layers of ${HEAVY.matmulSize}², ${HEAVY.rowsPerItem} rows per batch item; 512×512 (64×64 latents), 20 steps.`);
  lines.push('');
  lines.push('| scenario | UNet per step | overhead 1 − Σrun/total (warm) | preview per step (share of a step) | cold total (load) | warm total (load) | peak RSS / weights on disk |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const [scenario, m] of results) {
    const w = m.warm;
    const stepMs = w.unetMs / w.steps;
    const previewPerStep = w.previewMs / w.steps;
    lines.push(
      `| ${scenario.label} | ${ms(stepMs)} (${w.unetRuns} runs) | ${pct(1 - w.sessionRunMs / w.totalMs)} | ${scenario.previewEverySteps ? `${ms(previewPerStep)} (${pct(previewPerStep / stepMs)})` : '—'} | ${ms(m.cold.totalMs)} (${ms(m.cold.loadMs)}) | ${ms(w.totalMs)} (${ms(w.loadMs)}) | ${(m.maxRssBytes / 2 ** 20).toFixed(0)} MiB / ${(m.weightsBytes / 2 ** 20).toFixed(0)} MiB = ${(m.maxRssBytes / m.weightsBytes).toFixed(2)}× |`,
    );
  }
  const batched = results[0][1].warm;
  const twoPass = results[1][1].warm;
  lines.push('');
  lines.push(`Batched vs two-pass CFG: ${(twoPass.unetMs / batched.unetMs).toFixed(2)}× the UNet time for two passes (${ms(batched.unetMs / batched.steps)} vs ${ms(twoPass.unetMs / twoPass.steps)} per step).`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
