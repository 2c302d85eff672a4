// npm run bench — measures the engine on synthetic models and prints markdown tables: the per-step overhead on a
// UNet that costs nothing (`npm run bench -- --overhead` prints only that one), then step-heavy models.
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
import { latentToRgba } from '../src/engine/image/latentPreview';
import { LATENT_RGB_FACTORS } from '../src/engine/image/latentRgbFactors';
import { encodeSafetensors, type SafetensorsTensorToWrite } from '../src/node/lora/safetensorsFile';

const repo = path.resolve(__dirname, '../..');
const cacheDir = path.join(repo, '.cache', 'bench');

/** Sized so that a UNet step costs well over 50 ms on a 2-core CPU and the weights are 1.5 GiB (a fp16 SD 1.5 UNet: 1.7 GB). */
const HEAVY = { matmulSize: 4096, layers: 24, rowsPerItem: 8 };
const MODELS: Record<string, Partial<AnalyticModelOptions>> = {
  /** A UNet that costs almost nothing: what remains of a step is the engine's own per-step work. */
  'light-dynamic-batch': { sampleSize: 512 },
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
  // format 2: the heavy MatMuls carry module-scope node names (LoRA targets).
  const wanted = JSON.stringify({ ...MODELS[name], benchFormat: 2 });
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return dir;
  process.stderr.write(`writing ${path.relative(repo, dir)} …\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  await writeAnalyticModel(dir, MODELS[name]);
  fs.writeFileSync(stamp, wanted);
  return dir;
}

interface OverheadScenario {
  label: string;
  guidanceScale: number;
  previewEverySteps: number;
  steps: number;
}

interface OverheadMeasurement {
  /** (denoiseMs − unetMs − previewMs) / steps of each warm run. */
  perStepMs: number[];
  unetPerStepMs: number;
  previewPerStepMs: number;
}

/** The bench's job: a 512² txt2img with a prompt and a negative prompt, seed 1. */
function txt2imgParams(
  scenario: { dir: string; steps: number; guidanceScale: number; previewEverySteps: number },
  executionProvider: 'cpu' | 'auto',
) {
  return {
    task: 'txt2img' as const,
    model: { dir: scenario.dir },
    executionProvider,
    prompt: 'a red circle on the left',
    negativePrompt: 'a blue square',
    width: 512,
    height: 512,
    steps: scenario.steps,
    guidanceScale: scenario.guidanceScale,
    previewEverySteps: scenario.previewEverySteps,
    seed: '1',
  };
}

/** Warm runs per scenario; the machine is noisy, so the table shows the best run beside the median. */
const OVERHEAD_RUNS = 15;

/** Per-step overhead of the denoising loop outside session.run and the preview, over several warm runs. */
async function runOverheadChild(scenario: OverheadScenario & { dir: string }): Promise<OverheadMeasurement> {
  const engine = new Engine();
  const params = txt2imgParams(scenario, 'cpu');
  await engine.generate(params); // cold: load and first runs
  const perStepMs: number[] = [];
  let unetMs = 0;
  let previewMs = 0;
  for (let i = 0; i < OVERHEAD_RUNS; i++) {
    const t = (await engine.generate(params)).timings;
    perStepMs.push((t.denoiseMs - t.unetMs - t.previewMs) / scenario.steps);
    unetMs += t.unetMs;
    previewMs += t.previewMs;
  }
  await engine.dispose();
  const runs = OVERHEAD_RUNS * scenario.steps;
  return { perStepMs, unetPerStepMs: unetMs / runs, previewPerStepMs: previewMs / runs };
}

/** The latent2rgb preview of a 4×64×64 latent (a 512² image), per call. */
function latentPreviewPerCallMs(): number {
  const latents = new Float32Array(4 * 64 * 64);
  for (let i = 0; i < latents.length; i++) latents[i] = Math.sin(i) * 2;
  const out = new Uint8Array(64 * 64 * 4);
  for (let i = 0; i < 50; i++) latentToRgba(latents, 4, 64, 64, LATENT_RGB_FACTORS.sd1, out); // warm-up
  const runs = 500;
  const start = performance.now();
  for (let i = 0; i < runs; i++) latentToRgba(latents, 4, 64, 64, LATENT_RGB_FACTORS.sd1, out);
  return (performance.now() - start) / runs;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function spawnChild<T>(arg: string, scenario: object, label: string): T {
  const child = spawnSync(process.execPath, [__filename, arg, JSON.stringify(scenario)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`scenario "${label}" failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() as string) as T;
}

async function overheadTable(): Promise<string[]> {
  const dir = await ensureModel('light-dynamic-batch');
  const scenarios: OverheadScenario[] = [
    { label: 'CFG batched, no preview', guidanceScale: 7.5, previewEverySteps: 0, steps: 50 },
    { label: 'CFG batched, preview every step', guidanceScale: 7.5, previewEverySteps: 1, steps: 50 },
    { label: 'no CFG (guidance 1), no preview', guidanceScale: 1, previewEverySteps: 0, steps: 50 },
  ];
  const lines = [
    `Per-step overhead — a UNet that costs almost nothing, 512×512 (64×64 latents), CPU, ${OVERHEAD_RUNS} warm runs: (denoiseMs − unetMs − previewMs) / steps.`,
    '',
    '| scenario | overhead per step: best run (median; max) | UNet per step | preview per step |',
    '|---|---|---|---|',
  ];
  for (const scenario of scenarios) {
    process.stderr.write(`running: overhead, ${scenario.label} …\n`);
    const m = spawnChild<OverheadMeasurement>('--overhead-child', { ...scenario, dir }, scenario.label);
    lines.push(
      `| ${scenario.label} | ${ms2(Math.min(...m.perStepMs))} (${ms2(median(m.perStepMs))}; ${ms2(Math.max(...m.perStepMs))}) | ${ms2(m.unetPerStepMs)} | ${scenario.previewEverySteps ? ms2(m.previewPerStepMs) : '—'} |`,
    );
  }
  lines.push('');
  lines.push(`Latent preview (latent2rgb, 4×64×64 → 64×64 RGBA): ${ms2(latentPreviewPerCallMs())} per call.`);
  return lines;
}

async function runChild(scenario: Scenario & { dir: string }): Promise<Measurement> {
  const engine = new Engine();
  const params = txt2imgParams(scenario, 'auto');
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

/** The benchmark LoRA: rank LORA_RANK on the first LORA_LAYERS heavy MatMuls (4096² each), kohya keys. */
const LORA_LAYERS = 8;
const LORA_RANK = 16;

function benchLora(): string {
  const file = path.join(cacheDir, 'lora', `heavy-r${LORA_RANK}-x${LORA_LAYERS}.safetensors`);
  if (fs.existsSync(file)) return file;
  const n = HEAVY.matmulSize;
  const tensors = new Map<string, SafetensorsTensorToWrite>();
  const small = (count: number, seed: number): Uint8Array => {
    const values = new Float32Array(count);
    let state = seed;
    for (let i = 0; i < count; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      values[i] = (state / 0xffffffff - 0.5) * 1e-3;
    }
    return new Uint8Array(values.buffer);
  };
  for (let i = 1; i <= LORA_LAYERS; i++) {
    const base = `lora_unet_heavy_layers_${i}`;
    tensors.set(`${base}.lora_down.weight`, { dtype: 'F32', shape: [LORA_RANK, n], data: small(LORA_RANK * n, 2 * i) });
    tensors.set(`${base}.lora_up.weight`, { dtype: 'F32', shape: [n, LORA_RANK], data: small(n * LORA_RANK, 2 * i + 1) });
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodeSafetensors(tensors));
  return file;
}

interface LoraMeasurement {
  /** Load times (ms) as the engine reports them: cold without a LoRA, then with it, another strength, the first again. */
  plainMs: number;
  loraMs: number;
  otherStrengthMs: number;
  cachedMs: number;
  backToPlainMs: number;
}

/** Load times with and without a LoRA, in one engine (switching keeps the unchanged sessions). */
async function runLoraChild(scenario: { dir: string; file: string; graphCacheDir: string; mode: 'merge' | 'branch' }): Promise<LoraMeasurement> {
  fs.rmSync(scenario.graphCacheDir, { recursive: true, force: true });
  const engine = new Engine(undefined, { graphCacheDir: scenario.graphCacheDir, loraMode: scenario.mode });
  const load = async (weight?: number): Promise<number> => {
    const result = await engine.generate({
      task: 'txt2img',
      model: { dir: scenario.dir },
      executionProvider: 'auto',
      prompt: 'a red circle',
      width: 512,
      height: 512,
      steps: 1,
      guidanceScale: 1,
      previewEverySteps: 0,
      seed: '1',
      ...(weight !== undefined ? { loras: [{ file: scenario.file, weight }] } : {}),
    });
    return result.timings.loadMs;
  };
  const plainMs = await load();
  const loraMs = await load(1);
  const otherStrengthMs = await load(0.5);
  const cachedMs = await load(1);
  const backToPlainMs = await load();
  await engine.dispose();
  return { plainMs, loraMs, otherStrengthMs, cachedMs, backToPlainMs };
}

async function loraTable(): Promise<string[]> {
  const dir = await ensureModel('heavy-dynamic-batch');
  const file = benchLora();
  const run = (mode: 'merge' | 'branch'): LoraMeasurement => {
    process.stderr.write(`running: LoRA load times (${mode}) …\n`);
    return spawnChild<LoraMeasurement>('--lora-child', { dir, file, graphCacheDir: path.join(cacheDir, 'graphs'), mode }, `LoRA load times (${mode})`);
  };
  const merge = run('merge');
  const branch = run('branch');
  const row = (label: string, key: keyof LoraMeasurement) => `| ${label} | ${ms(merge[key])} | ${ms(branch[key])} |`;
  return [
    `LoRA load times — heavy model (${HEAVY.layers} MatMuls of ${HEAVY.matmulSize}², external data), a kohya LoRA of rank ${LORA_RANK} on ${LORA_LAYERS} of them; one engine per mode, one step each:`,
    '',
    '| load | merged weights | side branches |',
    '|---|---|---|',
    row('cold, no LoRA', 'plainMs'),
    row('+ LoRA at 1 (UNet reloaded, other sessions kept)', 'loraMs'),
    row('same LoRA at 0.5', 'otherStrengthMs'),
    row('back to 1 (edited graph from the on-disk cache)', 'cachedMs'),
    row('back to no LoRA', 'backToPlainMs'),
  ];
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)} %`;
}

function ms2(x: number): string {
  return `${x.toFixed(3)} ms`;
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
  const loraArg = process.argv.indexOf('--lora-child');
  if (loraArg >= 0) {
    process.stdout.write(`${JSON.stringify(await runLoraChild(JSON.parse(process.argv[loraArg + 1]) as { dir: string; file: string; graphCacheDir: string; mode: 'merge' | 'branch' }))}\n`);
    return;
  }
  if (process.argv.includes('--lora')) {
    process.stdout.write(`${(await loraTable()).join('\n')}\n`);
    return;
  }
  const overheadArg = process.argv.indexOf('--overhead-child');
  if (overheadArg >= 0) {
    const scenario = JSON.parse(process.argv[overheadArg + 1]) as OverheadScenario & { dir: string };
    process.stdout.write(`${JSON.stringify(await runOverheadChild(scenario))}\n`);
    return;
  }
  const overhead = await overheadTable();
  if (process.argv.includes('--overhead')) {
    process.stdout.write(`${overhead.join('\n')}\n`);
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

  const lines: string[] = [...overhead, ''];
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
  lines.push('');
  lines.push(...(await loraTable()));
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
