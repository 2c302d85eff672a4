// `local-diffusion build` (dist/cli.js) on the analytic model: staleness, reproducibility, --check, --only, --force,
// failures that do not stop the others, and bad specs that stop everything.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { concepts, EMBEDDING_DIM } from '../../tools/analytic/concepts';
import { LORA_LAYER_PATHS } from '../../tools/analytic/loraLayers';
import { writeSegmenterModel, writeUpscalerModel } from '../../tools/analytic/upscalerModel';
import { encodeSafetensors } from '../../src/node/lora/safetensorsFile';
import { readAssetHash } from '../../src/node/assets/assetMetadata';
import { readImageParameters } from '../../src/node/image/imageCodec';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist', 'cli.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface Summary {
  spec: string;
  outputs: Array<{ output: string; file: string; status: string; hash: string | null; seconds: number; error?: string }>;
}

function run(args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [cli, 'build', ...args], { encoding: 'utf8', timeout: 120_000, cwd, env: { ...process.env, LOCAL_DIFFUSION_MODELS_DIR: path.join(cwd, 'no-models') } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(r: Run): Summary {
  assert.ok(r.stdout.trim().startsWith('{'), `JSON on stdout: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout) as Summary;
}

function statuses(summary: Summary): Record<string, string> {
  return Object.fromEntries(summary.outputs.map((o) => [o.output, o.status]));
}

/** Every file under dir (relative), with its bytes' length and mtime: to see that nothing was written. */
function snapshot(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else found.push(`${path.relative(dir, full)} ${fs.statSync(full).size} ${fs.statSync(full).mtimeMs}`);
    }
  };
  walk(dir);
  return found.sort();
}

const read = (file: string): Buffer => fs.readFileSync(file);

describe('local-diffusion build (dist/cli.js)', function () {
  this.timeout(300_000);
  let root: string;
  let project: string;
  let specFile: string;
  const spec = {
    defaults: { model: 'models/analytic', steps: 3, width: 64, height: 64, scheduler: 'euler' },
    images: [
      { output: 'media/circle.png', prompt: 'a red circle', seed: 7 },
      { output: 'media/icon.webp', prompt: 'a blue square', seed: 3, resize: { width: 24, height: 16, fit: 'cover' } },
      { output: 'media/banner.jpg', prompt: 'a green circle', seed: 5, width: 128, resize: { width: 40, height: 24 } },
      { output: 'media/wide-contain.png', prompt: 'a yellow square', seed: 9, width: 128, height: 64, resize: { width: 32, height: 32, fit: 'contain' } },
    ] as Array<Record<string, unknown>>,
  };
  const writeSpec = (value: unknown, file = specFile): void => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  const file = (output: string): string => path.join(project, ...output.split('/'));

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-build-'));
    project = path.join(root, 'project');
    await writeAnalyticModel(path.join(project, 'models', 'analytic'), {});
    specFile = path.join(project, 'local-diffusion.json');
    writeSpec(spec);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('builds every missing output, in its format and exact size, with the entry hash in its metadata', async () => {
    // From another folder: the spec's relative model and outputs are relative to the spec, not to the working folder.
    const r = run([specFile, '--json'], root);
    assert.equal(r.status, 0, r.stderr);
    const summary = json(r);
    assert.deepEqual(statuses(summary), { 'media/circle.png': 'built', 'media/icon.webp': 'built', 'media/banner.jpg': 'built', 'media/wide-contain.png': 'built' });
    const expected: Record<string, [string, number, number]> = {
      'media/circle.png': ['png', 64, 64],
      'media/icon.webp': ['webp', 24, 16],
      'media/banner.jpg': ['jpeg', 40, 24],
      'media/wide-contain.png': ['png', 32, 32],
    };
    for (const o of summary.outputs) {
      assert.equal(o.file, file(o.output));
      assert.match(o.hash ?? '', /^[0-9a-f]{64}$/);
      assert.equal(typeof o.seconds, 'number');
      const bytes = new Uint8Array(read(o.file));
      assert.equal(await readAssetHash(bytes), o.hash, `${o.output} carries its hash`);
      const meta = await sharp(bytes).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], expected[o.output], o.output);
    }
    assert.equal(new Set(summary.outputs.map((o) => o.hash)).size, 4, 'each entry has its own hash');
    assert.deepEqual([(summary as unknown as Record<string, number>).built, (summary as unknown as Record<string, number>).fresh, (summary as unknown as Record<string, number>).failed], [4, 0, 0]);
  });

  it('contain pads a 2:1 image into a square with transparent bands; cover fills the frame', async () => {
    const contain = await sharp(read(file('media/wide-contain.png'))).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const alpha = (x: number, y: number): number => contain.data[(y * contain.info.width + x) * 4 + 3];
    assert.equal(alpha(0, 0), 0, 'top band transparent');
    assert.equal(alpha(31, 31), 0, 'bottom band transparent');
    assert.equal(alpha(16, 16), 255, 'the image is in the middle');
    const cover = await sharp(read(file('media/icon.webp'))).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    for (let i = 3; i < cover.data.length; i += 4) assert.equal(cover.data[i], 255, 'cover leaves no border');
  });

  it('a second build finds everything fresh and touches nothing; --check exits 0', () => {
    const before = snapshot(path.join(project, 'media'));
    const r = run(['--json'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(new Set(Object.values(statuses(json(r)))), new Set(['fresh']));
    assert.deepEqual(snapshot(path.join(project, 'media')), before);
    const check = run(['--check'], project);
    assert.equal(check.status, 0, check.stderr);
    assert.equal(check.stdout, '');
  });

  it('editing one entry makes only it stale; --check lists it and exits 1; build rebuilds only it', () => {
    const before = snapshot(path.join(project, 'media'));
    const icon = read(file('media/icon.webp'));
    spec.images[0] = { ...spec.images[0], prompt: 'a red square' };
    writeSpec(spec);
    const check = run(['--check'], project);
    assert.equal(check.status, 1);
    assert.equal(check.stdout, `stale   ${path.join('media', 'circle.png')}\n`);
    assert.deepEqual(snapshot(path.join(project, 'media')), before, '--check writes nothing');
    const checkJson = run(['--check', '--json'], project);
    assert.equal(checkJson.status, 1);
    assert.deepEqual(statuses(json(checkJson)), { 'media/circle.png': 'stale', 'media/icon.webp': 'fresh', 'media/banner.jpg': 'fresh', 'media/wide-contain.png': 'fresh' });

    const r = run(['--json'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(statuses(json(r)), { 'media/circle.png': 'built', 'media/icon.webp': 'fresh', 'media/banner.jpg': 'fresh', 'media/wide-contain.png': 'fresh' });
    const after = snapshot(path.join(project, 'media'));
    assert.deepEqual(read(file('media/icon.webp')), icon);
    assert.deepEqual(
      after.filter((l) => !l.startsWith('circle.png')),
      before.filter((l) => !l.startsWith('circle.png')),
      'the other files are not rewritten',
    );
  });

  it('a changed default makes every entry that uses it stale', () => {
    const edited = { ...spec, defaults: { ...spec.defaults, steps: 4 } };
    writeSpec(edited);
    try {
      const check = run(['--check', '--json'], project);
      assert.equal(check.status, 1);
      assert.deepEqual(new Set(Object.values(statuses(json(check)))), new Set(['stale']));
    } finally {
      writeSpec(spec);
    }
  });

  it('a deleted file is missing for --check, and building it again gives the same bytes', () => {
    for (const output of ['media/circle.png', 'media/banner.jpg', 'media/icon.webp']) {
      const bytes = read(file(output));
      fs.rmSync(file(output));
      const check = run(['--check'], project);
      assert.equal(check.status, 1);
      assert.equal(check.stdout, `missing ${path.join(...output.split('/'))}\n`);
      const r = run([], project);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`built +${output.replace('.', '\\.')}`));
      assert.deepEqual(read(file(output)), bytes, `${output}: same bytes`);
    }
  });

  it('--force rebuilds everything, to the same bytes', () => {
    const before = Object.fromEntries(spec.images.map((e) => [e.output, read(file(e.output as string))]));
    const r = run(['--force', '--json'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(new Set(Object.values(statuses(json(r)))), new Set(['built']));
    for (const [output, bytes] of Object.entries(before)) assert.deepEqual(read(file(output)), bytes, output);
  });

  it('--only limits the build and the check to the named outputs', () => {
    fs.rmSync(file('media/circle.png'));
    fs.rmSync(file('media/icon.webp'));
    const check = run(['--check', '--only', 'media/icon.webp', '--json'], project);
    assert.equal(check.status, 1);
    assert.deepEqual(statuses(json(check)), { 'media/icon.webp': 'missing' });
    const r = run(['--only', './media/icon.webp', '--json'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(statuses(json(r)), { 'media/icon.webp': 'built' });
    assert.ok(!fs.existsSync(file('media/circle.png')), 'the other missing output is not built');
    const forced = run(['--only', 'media/icon.webp', '--only', file('media/banner.jpg'), '--force', '--json'], project);
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(statuses(json(forced)), { 'media/icon.webp': 'built', 'media/banner.jpg': 'built' });
    const unknown = run(['--only', 'media/nothing.png'], project);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^error: --only media\/nothing\.png: no entry/);
    assert.equal(run([], project).status, 0);
  });

  it('a failing entry is reported, the others are still built, and the exit status is 1', async () => {
    const broken = path.join(project, 'models', 'broken');
    fs.cpSync(path.join(project, 'models', 'analytic'), broken, { recursive: true });
    fs.rmSync(path.join(broken, 'unet', 'model.onnx'));
    const failing = path.join(project, 'failing.local-diffusion.json');
    writeSpec(
      {
        defaults: spec.defaults,
        images: [
          { output: 'out/no-model.png', prompt: 'a red circle', seed: 1, model: './models/nowhere' },
          { output: 'out/broken.png', prompt: 'a red circle', seed: 1, model: 'models/broken' },
          { output: 'out/good.webp', prompt: 'a blue circle', seed: 2 },
        ],
      },
      failing,
    );
    const r = run([failing, '--json'], project);
    assert.equal(r.status, 1);
    const summary = json(r);
    assert.deepEqual(statuses(summary), { 'out/no-model.png': 'failed', 'out/broken.png': 'failed', 'out/good.webp': 'built' });
    assert.match(summary.outputs[0].error ?? '', /model_index\.json/);
    assert.ok((summary.outputs[1].error ?? '').length > 0);
    assert.deepEqual(fs.readdirSync(path.join(project, 'out')), ['good.webp'], 'no partial file for the failures');
    const check = run([failing, '--check'], project);
    assert.equal(check.status, 1);
    assert.equal(check.stdout, `missing ${path.join('out', 'broken.png')}\n`);
    assert.match(check.stderr, /^error: out\/no-model\.png: /m);
    const text = run([failing], project);
    assert.equal(text.status, 1);
    assert.match(text.stderr, /^failed {2}out\/broken\.png: /m);
    assert.match(text.stdout, /^fresh {3}out\/good\.webp$/m);
  });

  const problemMatcher = ((): { regexp: RegExp; file: number; line: number; column: number; message: number } => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      contributes: { problemMatchers: Array<{ name: string; pattern: { regexp: string; file: number; line: number; column: number; message: number } }> };
    };
    const matcher = manifest.contributes.problemMatchers.find((m) => m.name === 'local-diffusion');
    assert.ok(matcher, 'package.json contributes the local-diffusion problem matcher');
    return { ...matcher.pattern, regexp: new RegExp(matcher.pattern.regexp) };
  })();
  /** 1-based line and column where `pattern` first matches `text`. */
  const lineColumnOf = (text: string, pattern: RegExp): [number, number] => {
    const match = pattern.exec(text);
    assert.ok(match, `${pattern} is not in the spec`);
    const before = text.slice(0, match.index).split('\n');
    return [before.length, before[before.length - 1].length + 1];
  };
  const BAD_SPECS: Array<{ name: string; images: unknown[]; line: RegExp; at: RegExp }> = [
    { name: 'an unknown field', images: [{ output: 'bad/a.png', prompt: 'x', seed: 1 }, { output: 'bad/b.png', prompt: 'x', seed: 1, sed: 2 }], line: /images\[1\] \(bad\/b\.png\): unknown field "sed"/, at: /"sed": 2/ },
    { name: 'an entry without prompt', images: [{ output: 'bad/a.png', seed: 1 }], line: /images\[0\] \(bad\/a\.png\): prompt is required/, at: /\{\s*"output": "bad\/a\.png",\s*"seed": 1\s*\}/ },
    { name: 'an output outside the folder', images: [{ output: 'bad/a.png', prompt: 'x', seed: 1 }, { output: '../escape.png', prompt: 'x', seed: 1 }], line: /images\[1\] \(\.\.\/escape\.png\): output must stay inside/, at: /"output": "\.\.\/escape\.png"/ },
    { name: 'an absolute output', images: [{ output: path.join(os.tmpdir(), 'ld-escape.png').replace(/\\/g, '/'), prompt: 'x', seed: 1 }], line: /images\[0\] \(.*ld-escape\.png\): output (must be relative|must use)/, at: /"output": "[^"]*ld-escape\.png"/ },
    { name: 'a bad size', images: [{ output: 'bad/a.png', prompt: 'x', seed: 1, width: 100 }], line: /images\[0\] \(bad\/a\.png\): width must be a multiple of 8/, at: /"width": 100/ },
    { name: 'a bad resize', images: [{ output: 'bad/a.png', prompt: 'x', seed: 1, resize: { width: -4, height: 8 } }], line: /images\[0\] \(bad\/a\.png\): resize\.width must be at least 1/, at: /"width": -4/ },
    { name: 'no seed', images: [{ output: 'bad/a.png', prompt: 'x' }], line: /images\[0\] \(bad\/a\.png\): seed is required/, at: /\{\s*"output": "bad\/a\.png",\s*"prompt": "x"\s*\}/ },
  ];
  for (const bad of BAD_SPECS) {
    it(`a spec with ${bad.name}: one error line naming the entry and the field, exit 1, nothing written`, () => {
      const badFile = path.join(project, 'bad.local-diffusion.json');
      writeSpec({ defaults: { model: 'models/analytic', steps: 2, width: 64, height: 64 }, images: bad.images }, badFile);
      const badText = fs.readFileSync(badFile, 'utf8');
      const before = snapshot(root);
      for (const args of [[badFile], [badFile, '--check'], [badFile, '--force', '--json']]) {
        const r = run(args, project);
        assert.equal(r.status, 1, args.join(' '));
        assert.equal(r.stdout, '');
        const lines = r.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        // file:line:column of the entry or field, for terminals and the VS Code task's problem matcher.
        const located = /^error: bad\.local-diffusion\.json:(\d+):(\d+): /.exec(lines[0]);
        assert.ok(located, lines[0]);
        assert.deepEqual([Number(located[1]), Number(located[2])], lineColumnOf(badText, bad.at), lines[0]);
        // The VS Code task's problem matcher (package.json) reads the same file, line, column and message.
        const matched = problemMatcher.regexp.exec(lines[0]);
        assert.ok(matched, `${problemMatcher.regexp} does not match ${lines[0]}`);
        assert.deepEqual(
          [matched[problemMatcher.file], Number(matched[problemMatcher.line]), Number(matched[problemMatcher.column])],
          ['bad.local-diffusion.json', ...lineColumnOf(badText, bad.at)],
        );
        assert.match(matched[problemMatcher.message] ?? '', bad.line);
        assert.match(lines[0], bad.line);
      }
      assert.deepEqual(snapshot(root), before);
      fs.rmSync(badFile);
    });
  }

  it('a missing spec, or bad arguments, is one error and exit 1', () => {
    const empty = fs.mkdtempSync(path.join(root, 'empty-'));
    const r = run([], empty);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: cannot read the spec .*local-diffusion\.json: ENOENT/);
    const both = run(['--check', '--force'], project);
    assert.equal(both.status, 1);
    assert.match(both.stderr, /^error: --check writes nothing/);
    const ep = run(['--ep', 'tpu'], project);
    assert.equal(ep.status, 1);
    assert.match(ep.stderr, /^error: --ep must be one of/);
  });
});

describe('local-diffusion build: tiling and hires fix entries', function () {
  this.timeout(300_000);
  let project: string;

  before(async () => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-build-options-'));
    await writeAnalyticModel(path.join(project, 'models', 'analytic'), {});
    const spec = {
      defaults: { model: 'models/analytic', steps: 3, width: 64, height: 64, scheduler: 'euler' },
      images: [
        { output: 'tile.png', prompt: 'a red circle', seed: 7, tiling: 'xy' },
        { output: 'large.png', prompt: 'a blue square', seed: 3, hires: { scale: 2, strength: 0.5 } },
      ],
    };
    fs.writeFileSync(path.join(project, 'local-diffusion.json'), JSON.stringify(spec, null, 2));
  });
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it('builds them with the engine options they name, fresh afterwards, the same bytes when rebuilt', async () => {
    const r = run(['--json'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(statuses(json(r)), { 'tile.png': 'built', 'large.png': 'built' });
    const tile = read(path.join(project, 'tile.png'));
    const large = read(path.join(project, 'large.png'));
    assert.match((await readImageParameters(new Uint8Array(tile))) ?? '', /Tiling: True/);
    const largeParameters = (await readImageParameters(new Uint8Array(large))) ?? '';
    assert.match(largeParameters, /Hires upscale: 2/);
    assert.match(largeParameters, /Denoising strength: 0\.5/);
    const meta = await sharp(large).metadata();
    assert.deepEqual([meta.width, meta.height], [128, 128], 'the hires fix doubled the size');
    assert.equal(run(['--check'], project).status, 0);
    fs.rmSync(path.join(project, 'tile.png'));
    fs.rmSync(path.join(project, 'large.png'));
    assert.equal(run([], project).status, 0);
    assert.ok(read(path.join(project, 'tile.png')).equals(tile), 'tile.png: the same bytes');
    assert.ok(read(path.join(project, 'large.png')).equals(large), 'large.png: the same bytes');
  });
});

describe('local-diffusion build: a hires fix with an upscaler model', function () {
  this.timeout(300_000);
  let project: string;
  before(async () => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-build-upscaler-'));
    await writeAnalyticModel(path.join(project, 'models', 'analytic'), {});
    await writeUpscalerModel(path.join(project, 'models', 'x2.onnx'), { scale: 2, dtype: 'float32' });
    const spec = {
      defaults: { model: 'models/analytic', steps: 3, width: 64, height: 64, scheduler: 'euler' },
      images: [{ output: 'large.png', prompt: 'a blue square', seed: 3, hires: { scale: 2, strength: 0.5, upscaler: 'models/x2.onnx' } }],
    };
    fs.writeFileSync(path.join(project, 'local-diffusion.json'), JSON.stringify(spec, null, 2));
  });
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it('upscales with the model (named in the infotext), and a changed model file makes the entry stale', async () => {
    const r = run(['--json'], project);
    assert.equal(r.status, 0, r.stderr);
    const large = read(path.join(project, 'large.png'));
    assert.match((await readImageParameters(new Uint8Array(large))) ?? '', /Hires upscaler: x2/);
    assert.deepEqual([(await sharp(large).metadata()).width, (await sharp(large).metadata()).height], [128, 128]);
    assert.equal(run(['--check'], project).status, 0);
    await writeUpscalerModel(path.join(project, 'models', 'x2.onnx'), { scale: 2, dtype: 'float16' });
    assert.equal(run(['--check'], project).status, 1, 'another upscaler file: stale');
  });
});

describe('local-diffusion build: LoRA and background-removal entries, hashed by file content', function () {
  this.timeout(300_000);
  let project: string;
  const specFile = (): string => path.join(project, 'local-diffusion.json');
  const writeSpec = (images: unknown[]): void =>
    fs.writeFileSync(specFile(), JSON.stringify({ defaults: { model: 'models/analytic', steps: 3, width: 64, height: 64, scheduler: 'euler' }, images }, null, 2));
  /** A kohya LoRA on the analytic UNet's attn2.to_k identity layer moving `red` to `blue` (see loraAnalytic.test.ts). */
  const writeLora = (file: string, amount: number): void => {
    const n = EMBEDDING_DIM;
    const red = concepts.findIndex((c) => c.word === 'red');
    const blue = concepts.findIndex((c) => c.word === 'blue');
    const base = `lora_unet_${LORA_LAYER_PATHS.unetToK.replace(/\./g, '_')}`;
    const t = (values: number[], shape: number[]) => ({ dtype: 'F32' as const, shape, data: new Uint8Array(Float32Array.from(values).buffer) });
    const down = Array.from({ length: 2 * n }, (_, i) => (i % n === red ? 1 : 0));
    const up = Array.from({ length: n * 2 }, (_, i) => {
      const r = Math.floor(i / 2);
      return r === blue ? amount : r === red ? -amount : 0;
    });
    const tensors = new Map([
      [`${base}.lora_down.weight`, t(down, [2, n])],
      [`${base}.lora_up.weight`, t(up, [n, 2])],
      [`${base}.alpha`, t([1], [])],
    ]);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, encodeSafetensors(tensors, { ss_network_module: 'networks.lora' }));
  };
  const pixels = async (file: string): Promise<Buffer> => (await sharp(read(file)).removeAlpha().raw().toBuffer());

  before(async () => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-build-files-'));
    await writeAnalyticModel(path.join(project, 'models', 'analytic'), { loraLayers: true });
    writeLora(path.join(project, 'loras', 'blue.safetensors'), 1);
    await writeSegmenterModel(path.join(project, 'models', 'segmenter.onnx'), 64);
  });
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it('builds with the LoRA (red drawn as blue) and the cut-out, fresh afterwards', async () => {
    writeSpec([
      { output: 'red-as-blue.png', prompt: 'a red circle', seed: 4, loras: [{ file: 'loras/blue.safetensors' }] },
      { output: 'blue.png', prompt: 'a blue circle', seed: 4 },
      { output: 'red.png', prompt: 'a red circle', seed: 4 },
      { output: 'cutout.png', prompt: 'a red circle', seed: 4, removeBackground: { model: 'models/segmenter.onnx', preset: 'rmbg' } },
    ]);
    const r = run(['--json'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(new Set(Object.values(statuses(json(r)))), new Set(['built']));
    const asBlue = await pixels(path.join(project, 'red-as-blue.png'));
    assert.ok(asBlue.equals(await pixels(path.join(project, 'blue.png'))), 'the LoRA turns the red circle blue');
    assert.ok(!asBlue.equals(await pixels(path.join(project, 'red.png'))));
    const cutout = await sharp(read(path.join(project, 'cutout.png'))).metadata();
    assert.equal(cutout.hasAlpha, true, 'the cut-out keeps an alpha channel');
    assert.equal(run(['--check'], project).status, 0);
  });

  it('an edited LoRA file makes its entry stale; the same file elsewhere does not', () => {
    fs.mkdirSync(path.join(project, 'elsewhere'), { recursive: true });
    fs.copyFileSync(path.join(project, 'loras', 'blue.safetensors'), path.join(project, 'elsewhere', 'b.safetensors'));
    writeSpec([
      { output: 'red-as-blue.png', prompt: 'a red circle', seed: 4, loras: [{ file: 'elsewhere/b.safetensors' }] },
      { output: 'blue.png', prompt: 'a blue circle', seed: 4 },
      { output: 'red.png', prompt: 'a red circle', seed: 4 },
      { output: 'cutout.png', prompt: 'a red circle', seed: 4, removeBackground: { model: 'models/segmenter.onnx', preset: 'rmbg' } },
    ]);
    assert.equal(run(['--check'], project).status, 0, 'moved, not changed: still fresh');
    writeLora(path.join(project, 'elsewhere', 'b.safetensors'), 0.5);
    const check = run(['--check'], project);
    assert.equal(check.status, 1);
    assert.equal(check.stdout, 'stale   red-as-blue.png\n');
  });

  it('a missing LoRA file, or background removal into a JPEG, is an error naming it', () => {
    writeSpec([{ output: 'x.png', prompt: 'a red circle', seed: 1, loras: [{ file: 'loras/none.safetensors' }] }]);
    const missing = run(['--json'], project);
    assert.equal(missing.status, 1);
    assert.match(json(missing).outputs[0]?.error ?? '', /the LoRA .*none\.safetensors cannot be read: ENOENT/);
    writeSpec([{ output: 'x.jpg', prompt: 'a red circle', seed: 1, removeBackground: { model: 'models/segmenter.onnx' } }]);
    const jpeg = run([], project);
    assert.equal(jpeg.status, 1);
    assert.match(jpeg.stderr, /removeBackground needs an output that keeps transparency/);
  });
});

describe('local-diffusion build: emphasis, clip skip and a VAE folder', function () {
  this.timeout(300_000);
  let project: string;
  const writeSpec = (images: unknown[]): void =>
    fs.writeFileSync(path.join(project, 'local-diffusion.json'), JSON.stringify({ defaults: { model: 'models/analytic', steps: 3, width: 64, height: 64, scheduler: 'euler', guidance: 1 }, images }, null, 2));
  const pixels = async (name: string): Promise<Buffer> => sharp(read(path.join(project, name))).removeAlpha().raw().toBuffer();

  before(async () => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-build-prompt-'));
    await writeAnalyticModel(path.join(project, 'models', 'analytic'), {});
    await writeAnalyticModel(path.join(project, 'models', 'layered'), { textEncoderLayers: 2 });
    // Another VAE folder: a copy of the model's own decoder, so the image must not change, only the hash input.
    fs.cpSync(path.join(project, 'models', 'analytic', 'vae_decoder'), path.join(project, 'vae', 'vae_decoder'), { recursive: true });
  });
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it('passes them to the engine (infotext and image), and the VAE folder counts by content', async () => {
    writeSpec([
      { output: 'original.png', prompt: '(red:0.5)', seed: 2 },
      { output: 'no-norm.png', prompt: '(red:0.5)', seed: 2, emphasis: 'No norm' },
      { output: 'skip.png', prompt: 'a red circle', seed: 2, clipSkip: 2, model: 'models/layered' },
      { output: 'vae.png', prompt: '(red:0.5)', seed: 2, vae: 'vae' },
    ]);
    const r = run(['--json'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.match((await readImageParameters(new Uint8Array(read(path.join(project, 'no-norm.png'))))) ?? '', /Emphasis: No norm/);
    assert.match((await readImageParameters(new Uint8Array(read(path.join(project, 'skip.png'))))) ?? '', /Clip skip: 2/);
    assert.ok(!(await pixels('original.png')).equals(await pixels('no-norm.png')), 'the emphasis mode changes the image');
    assert.ok((await pixels('vae.png')).equals(await pixels('original.png')), 'the same decoder: the same image');
    assert.equal(run(['--check'], project).status, 0);
    // A changed file in the VAE folder makes only that entry stale.
    const config = path.join(project, 'vae', 'vae_decoder', 'config.json');
    fs.writeFileSync(config, `${fs.readFileSync(config, 'utf8').trimEnd()}\n\n`);
    const check = run(['--check'], project);
    assert.equal(check.status, 1);
    assert.equal(check.stdout, 'stale   vae.png\n');
  });
});
