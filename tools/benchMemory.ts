// npm run bench:memory — peak memory of model loading, info and a generation, on ~600 MB analytic models whose
// UNet weights are embedded in unet/model.onnx or stored as external data (fp32 and fp16). Each measurement runs
// in its own child process; peak RSS is VmHWM from /proc/self/status (maxRSS elsewhere). Tables are printed.
//
// Columns: the UNet alone through onnxruntime-node, created and run once, from the path (what the engine did
// before) and from a buffer, with the session options that could matter; "engine source" is what
// runtime/sessionSource.ts hands ORT now; info is Engine.info (no session since issue 12; it created every
// session before, so its peak was the "from the path" one plus the small components); generate is a 1-step 256²
// txt2img with CFG on the whole model.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeAnalyticModel } from './analytic/analyticModel';
import type { AnalyticModelOptions } from './analytic/analyticModelOptions';
import { Engine } from '../src/engine/engine';
import { prepareSessionSource } from '../src/engine/runtime/sessionSource';

const repo = path.resolve(__dirname, '../..');
const cacheDir = path.join(repo, '.cache', 'bench-memory');

/** 9 MatMul weights of 4096² float32 = 576 MiB (288 MiB as float16: 18 layers then). */
const MODELS: Record<string, Partial<AnalyticModelOptions>> = {
  'fp32 embedded': { heavy: { matmulSize: 4096, layers: 9, rowsPerItem: 8, embedded: true }, sampleSize: 256 },
  'fp32 external': { heavy: { matmulSize: 4096, layers: 9, rowsPerItem: 8 }, sampleSize: 256 },
  'fp16 embedded': { heavy: { matmulSize: 4096, layers: 18, rowsPerItem: 8, embedded: true, weightType: 'float16' }, sampleSize: 256 },
  'fp16 external': { heavy: { matmulSize: 4096, layers: 18, rowsPerItem: 8, weightType: 'float16' }, sampleSize: 256 },
};

type Measure = 'baseline' | 'ort-path' | 'ort-path-no-arena' | 'ort-path-no-prepack' | 'ort-path-no-constant-folding' | 'ort-buffer' | 'ort-buffer-bytes-directly' | 'engine-source' | 'info' | 'generate';
const MEASURES: Measure[] = ['baseline', 'ort-path', 'ort-path-no-arena', 'ort-path-no-prepack', 'ort-path-no-constant-folding', 'ort-buffer', 'ort-buffer-bytes-directly', 'engine-source', 'info', 'generate'];
const LABELS: Record<Measure, string> = {
  baseline: 'Node + ORT, no session',
  'ort-path': 'ORT from the path',
  'ort-path-no-arena': 'path, enableCpuMemArena false',
  'ort-path-no-prepack': 'path, session.disable_prepacking',
  'ort-path-no-constant-folding': 'path, ConstantFolding disabled',
  'ort-buffer': 'ORT from a buffer',
  'ort-buffer-bytes-directly': 'buffer, use_ort_model_bytes_directly + _for_initializers',
  'engine-source': 'engine source (sessionSource.ts)',
  info: 'Engine.info',
  generate: 'Engine.generate (whole model)',
};

/** One run with every input zero and every symbolic dim 1, so lazily mapped weights are touched too. */
async function runOnce(session: ort.InferenceSession): Promise<void> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of session.inputMetadata) {
    if (!input.isTensor) throw new Error(`${input.name} is not a tensor`);
    const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const count = dims.reduce((a, b) => a * b, 1);
    const data =
      input.type === 'float16' ? new Uint16Array(count)
      : input.type === 'int64' ? new BigInt64Array(count)
      : input.type === 'int32' ? new Int32Array(count)
      : new Float32Array(count);
    feeds[input.name] = new ort.Tensor(input.type as 'float32', data as Float32Array, dims);
  }
  await session.run(feeds);
  await session.release();
}

function peakRssBytes(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function child(measure: Measure, dir: string): Promise<number> {
  const unet = path.join(dir, 'unet', 'model.onnx');
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  switch (measure) {
    case 'baseline':
      ort.listSupportedBackends();
      break;
    case 'ort-path':
      await runOnce(await ort.InferenceSession.create(unet, options));
      break;
    case 'ort-path-no-arena':
      await runOnce(await ort.InferenceSession.create(unet, { ...options, enableCpuMemArena: false }));
      break;
    case 'ort-path-no-prepack':
      await runOnce(await ort.InferenceSession.create(unet, { ...options, extra: { session: { disable_prepacking: '1' } } }));
      break;
    case 'ort-path-no-constant-folding':
      await runOnce(await ort.InferenceSession.create(unet, { ...options, extra: { optimization: { disable_specified_optimizers: 'ConstantFolding' } } }));
      break;
    case 'ort-buffer':
    case 'ort-buffer-bytes-directly': {
      const session: Record<string, string> = { model_external_initializers_file_folder_path: path.dirname(unet) };
      // Documented for ORT-format models; measured here on .onnx to show they do not apply.
      if (measure === 'ort-buffer-bytes-directly') Object.assign(session, { use_ort_model_bytes_directly: '1', use_ort_model_bytes_for_initializers: '1' });
      await runOnce(await ort.InferenceSession.create(fs.readFileSync(unet), { ...options, extra: { session } }));
      break;
    }
    case 'engine-source': {
      const source = await prepareSessionSource(unet);
      await runOnce(
        source.kind === 'file'
          ? await ort.InferenceSession.create(source.file, options)
          : await ort.InferenceSession.create(source.bytes, { ...options, extra: { session: { model_external_initializers_file_folder_path: source.folder } } }),
      );
      break;
    }
    case 'info':
      await new Engine().info({ dir });
      break;
    case 'generate': {
      const engine = new Engine();
      await engine.generate({ task: 'txt2img', model: { dir }, executionProvider: 'cpu', prompt: 'a red circle', width: 256, height: 256, steps: 1, guidanceScale: 7.5, seed: '1' });
      await engine.dispose();
      break;
    }
  }
  return peakRssBytes();
}

async function ensureModel(name: string): Promise<string> {
  const dir = path.join(cacheDir, name.replace(/\s+/g, '-'));
  const stamp = path.join(dir, 'bench-options.json');
  const wanted = JSON.stringify(MODELS[name]);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return dir;
  process.stderr.write(`writing ${path.relative(repo, dir)} …\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  // In a child: the writer holds the model in memory once.
  const result = spawnSync(process.execPath, [__filename, '--write', name, dir], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`writing ${name} failed`);
  fs.writeFileSync(stamp, wanted);
  return dir;
}

function unetWeightBytes(dir: string): number {
  return fs.readdirSync(path.join(dir, 'unet')).reduce((sum, f) => sum + (f.startsWith('model.onnx') ? fs.statSync(path.join(dir, 'unet', f)).size : 0), 0);
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--write') {
    await writeAnalyticModel(args[2], MODELS[args[1]]);
    return;
  }
  if (args[0] === '--child') {
    process.stdout.write(`${await child(args[1] as Measure, args[2])}\n`);
    return;
  }
  const rows: string[] = [];
  for (const name of Object.keys(MODELS)) {
    const dir = await ensureModel(name);
    const weights = unetWeightBytes(dir);
    const cells: string[] = [];
    for (const measure of MEASURES) {
      process.stderr.write(`${name}: ${LABELS[measure]} …\n`);
      const run = spawnSync(process.execPath, [__filename, '--child', measure, dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (run.status !== 0) throw new Error(`${name} / ${measure} failed:\n${run.stderr}`);
      const peak = Number(run.stdout.trim().split('\n').pop());
      cells.push(measure === 'baseline' ? mib(peak) : `${mib(peak)} (${(peak / weights).toFixed(2)}×)`);
    }
    rows.push(`| ${name} | ${mib(weights)} | ${cells.join(' | ')} |`);
  }
  const lines = [
    `Memory benchmark — ${new Date().toISOString().slice(0, 10)}, ${process.platform}/${process.arch}, Node ${process.version}, onnxruntime-node ${ort.env.versions.node ?? ''}, CPU`,
    'Peak RSS of one child process per cell (× = peak / UNet weights on disk). Goal (issue 12): generate < 1.3 × weights + 170 MiB; info < 300 MiB.',
    '',
    `| UNet weights | on disk | ${MEASURES.map((m) => LABELS[m]).join(' | ')} |`,
    `|---|---|${MEASURES.map(() => '---').join('|')}|`,
    ...rows,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:memory failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
