// LoRA through the whole engine (generate → PNG) on analytic models with identity layers at real module paths
// (tools/analytic/loraLayers.ts): a LoRA's delta on them is a known linear map of the concept weights or the latent,
// so each case's image is a closed form (AnalyticOracle), not a recorded output. The LoRA files are written here,
// in kohya sd-scripts `networks/lora.py` and PEFT/diffusers key layouts.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import type { GenerateParams, GenerateResult, LoraRef } from '../../src/common/protocol/engineProtocol';
import { Engine } from '../../src/engine/engine';
import { loraShortHash } from '../../src/node/lora/loraHash';
import { encodeSafetensors, type SafetensorsTensorToWrite } from '../../src/node/lora/safetensorsFile';
import type { AnalyticModelOptions } from '../../tools/analytic/analyticModelOptions';
import { AnalyticOracle } from '../../tools/analytic/analyticOracle';
import { concepts, EMBEDDING_DIM } from '../../tools/analytic/concepts';
import { LATENT_CHANNELS } from '../../tools/analytic/linearVae';
import { LORA_LAYER_PATHS } from '../../tools/analytic/loraLayers';
import { analyticModelCache, maxByteDiff, planarToBytes, resultRgb } from '../fixtures/analyticImages';

const SIZE = 64;
const LATENT = SIZE / 8;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-lora-'));
const loraDir = path.join(root, 'loras');
fs.mkdirSync(loraDir);
const model = analyticModelCache(root, { loraLayers: true });

const index = (word: string): number => concepts.findIndex((c) => c.word === word);

function f32(values: ArrayLike<number>, shape: number[]): SafetensorsTensorToWrite {
  return { dtype: 'F32', shape, data: new Uint8Array(Float32Array.from(values).buffer) };
}

/** Row-major [rows, cols] from a function. */
function matrix(rows: number, cols: number, at: (r: number, c: number) => number): number[] {
  return Array.from({ length: rows * cols }, (_, i) => at(Math.floor(i / cols), i % cols));
}

function writeLora(name: string, tensors: Record<string, SafetensorsTensorToWrite>): string {
  const file = path.join(loraDir, `${name}.safetensors`);
  fs.writeFileSync(file, encodeSafetensors(new Map(Object.entries(tensors)), { ss_network_module: 'networks.lora' }));
  return file;
}

/**
 * A rank-2 Linear LoRA moving concept `from` to concept `to` (ΔW = e_to·e_fromᵀ − e_from·e_fromᵀ): up has both
 * columns (e_to − e_from), down both rows e_fromᵀ, so up·down = 2·ΔW, and alpha 1 over rank 2 halves it again.
 */
function moveConcept(from: string, to: string): { down: SafetensorsTensorToWrite; up: SafetensorsTensorToWrite; alpha: SafetensorsTensorToWrite } {
  const f = index(from);
  const t = index(to);
  return {
    down: f32(matrix(2, EMBEDDING_DIM, (_, c) => (c === f ? 1 : 0)), [2, EMBEDDING_DIM]),
    up: f32(matrix(EMBEDDING_DIM, 2, (r) => (r === t ? 1 : r === f ? -1 : 0)), [EMBEDDING_DIM, 2]),
    alpha: f32([1], []),
  };
}

function kohyaName(prefix: string, modulePath: string): string {
  return `${prefix}_${modulePath.replace(/\./g, '_')}`;
}

function kohyaMove(prefix: string, modulePath: string, from: string, to: string): Record<string, SafetensorsTensorToWrite> {
  const m = moveConcept(from, to);
  const base = kohyaName(prefix, modulePath);
  return { [`${base}.lora_down.weight`]: m.down, [`${base}.lora_up.weight`]: m.up, [`${base}.alpha`]: m.alpha };
}

after(() => fs.rmSync(root, { recursive: true, force: true }));

// Both ways of applying a LoRA (loraGraphEdit.ts): weights merged, and side branches beside the untouched weights.
for (const loraMode of ['merge', 'branch'] as const) describe(`LoRA on analytic models (closed-form colours), ${loraMode}`, function () {
  this.timeout(120_000);
  const engine = new Engine(undefined, { loraMode });
  const oracle = new AnalyticOracle();
  after(async () => {
    await engine.dispose();
  });

  const generate = (dir: string, prompt: string, extra: Partial<GenerateParams> = {}): Promise<GenerateResult> =>
    engine.generate({
      task: 'txt2img',
      model: { dir },
      executionProvider: 'cpu',
      width: SIZE,
      height: SIZE,
      steps: 4,
      seed: '3',
      scheduler: 'euler',
      guidanceScale: 1,
      prompt,
      ...extra,
    } as GenerateParams);
  /** The image whose concept weights are `values` (words → weight). */
  const expectedFor = (values: Record<string, number>): Uint8Array => {
    const w = new Float32Array(EMBEDDING_DIM);
    for (const [word, v] of Object.entries(values)) w[index(word)] = v;
    return planarToBytes(oracle.expectedImage(w, SIZE, SIZE), SIZE, SIZE);
  };
  const withLoras = (loras: LoraRef[]): Partial<GenerateParams> => ({ loras });

  it('a kohya UNet LoRA (attn2.to_k MatMul, alpha 1 ≠ rank 2) turns red into blue at strength 1, halfway at 0.5', async () => {
    const dir = await model('fp32');
    const file = writeLora('unet_blue', kohyaMove('lora_unet', LORA_LAYER_PATHS.unetToK, 'red', 'blue'));
    const plain = await resultRgb(await generate(dir, 'a red circle'));
    assert.ok(maxByteDiff(plain, expectedFor({ red: 1, circle: 1 })) <= 1, 'the identity layers change nothing by themselves');
    const full = await generate(dir, 'a red circle', withLoras([{ file, weight: 1 }]));
    assert.deepEqual(full.warnings, []);
    assert.ok(maxByteDiff(await resultRgb(full), expectedFor({ blue: 1, circle: 1 })) <= 1);
    const half = await resultRgb(await generate(dir, 'a red circle', withLoras([{ file, weight: 0.5 }])));
    assert.ok(maxByteDiff(half, expectedFor({ red: 0.5, blue: 0.5, circle: 1 })) <= 1);
    assert.ok(maxByteDiff(half, plain) > 20, 'the LoRA shows');
    // Back without a LoRA: the plain weights again.
    assert.ok(maxByteDiff(await resultRgb(await generate(dir, 'a red circle')), plain) === 0);
  });

  it('a PEFT text-encoder LoRA from a <lora:name:weight> tag, with the tag kept in the infotext and A1111 "Lora hashes"', async () => {
    const dir = await model('fp32');
    const m = moveConcept('red', 'green');
    const base = `text_encoder.${LORA_LAYER_PATHS.textEncoderQ}`;
    // PEFT without alpha: scale 1, so up carries half of the rank-2 product.
    const up = f32(matrix(EMBEDDING_DIM, 2, (r) => (r === index('green') ? 0.5 : r === index('red') ? -0.5 : 0)), [EMBEDDING_DIM, 2]);
    const file = writeLora('te_green', { [`${base}.lora_A.weight`]: m.down, [`${base}.lora_B.weight`]: up });
    const prompt = 'a red circle <lora:te_green:1>';
    const result = await generate(dir, prompt, { loraFolders: [loraDir] });
    assert.deepEqual(result.warnings, []);
    assert.ok(maxByteDiff(await resultRgb(result), expectedFor({ green: 1, circle: 1 })) <= 1);
    const info = parseA1111Parameters(result.images[0].parameters);
    assert.equal(info.prompt, prompt);
    assert.match(result.images[0].parameters, new RegExp(`Lora hashes: "te_green: ${await loraShortHash(file)}"`));
  });

  it('A1111 te/unet multipliers: <lora:name:te:unet> weights the text-encoder and UNet layers of one file apart', async () => {
    const dir = await model('fp32');
    const te = moveConcept('red', 'green');
    const teBase = kohyaName('lora_te', LORA_LAYER_PATHS.textEncoderQ);
    writeLora('both', {
      [`${teBase}.lora_down.weight`]: te.down,
      [`${teBase}.lora_up.weight`]: te.up,
      [`${teBase}.alpha`]: te.alpha,
      ...kohyaMove('lora_unet', LORA_LAYER_PATHS.unetToK, 'red', 'blue'),
    });
    const run = async (tag: string) => resultRgb(await generate(dir, `a red circle ${tag}`, { loraFolders: [loraDir] }));
    // The text encoder turns red into green first; the UNet layer moves only red.
    assert.ok(maxByteDiff(await run('<lora:both:1>'), expectedFor({ green: 1, circle: 1 })) <= 1);
    assert.ok(maxByteDiff(await run('<lora:both:0:1>'), expectedFor({ blue: 1, circle: 1 })) <= 1);
    assert.ok(maxByteDiff(await run('<lora:both:te=1:unet=0>'), expectedFor({ green: 1, circle: 1 })) <= 1);
    assert.ok(maxByteDiff(await run('<lora:both:0.5:0.5>'), expectedFor({ red: 0.25, blue: 0.25, green: 0.5, circle: 1 })) <= 1);
  });

  it('a Linear LoRA on a Gemm (transB = 1, weight named after its parameter) moves red to blue', async () => {
    const dir = await model('fp32');
    const file = writeLora('gemm_blue', kohyaMove('lora_unet', LORA_LAYER_PATHS.unetGemm, 'red', 'blue'));
    const result = await generate(dir, 'a red circle', withLoras([{ file, weight: 0.5 }]));
    assert.deepEqual(result.warnings, []);
    assert.ok(maxByteDiff(await resultRgb(result), expectedFor({ red: 0.5, blue: 0.5, circle: 1 })) <= 1);
  });

  it('two LoRAs on the same weight add: red → ½ blue + ½ green', async () => {
    const dir = await model('fp32');
    writeLora('unet_blue', kohyaMove('lora_unet', LORA_LAYER_PATHS.unetToK, 'red', 'blue'));
    writeLora('unet_green', kohyaMove('lora_unet', LORA_LAYER_PATHS.unetToK, 'red', 'green'));
    const result = await generate(dir, 'a red circle <lora:unet_blue:0.5> <lora:unet_green:0.5>', { loraFolders: [loraDir] });
    assert.ok(maxByteDiff(await resultRgb(result), expectedFor({ blue: 0.5, green: 0.5, circle: 1 })) <= 1);
    assert.match(result.images[0].parameters, /Lora hashes: "unet_blue: [0-9a-f]{12}, unet_green: [0-9a-f]{12}"/);
  });

  it('a LoCon 1×1 conv layer scales the latent by 1 + strength·0.5', async () => {
    const dir = await model('fp32');
    const base = kohyaName('lora_unet', LORA_LAYER_PATHS.unetConv1x1);
    const c = LATENT_CHANNELS;
    const file = writeLora('conv1x1', {
      [`${base}.lora_down.weight`]: f32(matrix(c, c, (r, k) => (r === k ? 1 : 0)), [c, c, 1, 1]),
      [`${base}.lora_up.weight`]: f32(matrix(c, c, (r, k) => (r === k ? 0.5 : 0)), [c, c, 1, 1]),
    });
    const result = await generate(dir, 'a red circle', withLoras([{ file, weight: 1 }]));
    const target = oracle.targetLatent('a red circle', LATENT, LATENT).map((x) => Math.fround(x * 1.5));
    assert.ok(maxByteDiff(await resultRgb(result), planarToBytes(oracle.decodeLatent(target, LATENT, LATENT), SIZE, SIZE)) <= 1);
  });

  it('a LoCon 3×3 conv layer: centre tap ×1.25 and a right-neighbour tap ×0.1 (missing at the right edge)', async () => {
    const dir = await model('fp32');
    const base = kohyaName('lora_unet', LORA_LAYER_PATHS.unetConv3x3);
    const c = LATENT_CHANNELS;
    // down [r = c, in = c, 3, 3]: tap (1, 1) 0.25, tap (1, 2) 0.1 on the diagonal; up = I (1×1).
    const down = new Float32Array(c * c * 9);
    for (let i = 0; i < c; i++) {
      down[(i * c + i) * 9 + 4] = 0.25;
      down[(i * c + i) * 9 + 5] = 0.1;
    }
    const file = writeLora('conv3x3', {
      [`${base}.lora_down.weight`]: f32(down, [c, c, 3, 3]),
      [`${base}.lora_up.weight`]: f32(matrix(c, c, (r, k) => (r === k ? 1 : 0)), [c, c, 1, 1]),
      [`${base}.alpha`]: f32([c], []),
    });
    const result = await generate(dir, 'red', withLoras([{ file, weight: 1 }]));
    // 'red' names no shape: the latent is one colour everywhere, so the right neighbour equals the pixel.
    const plane = LATENT * LATENT;
    const target = oracle.targetLatent('red', LATENT, LATENT).map((x, i) => Math.fround(x * ((i % plane) % LATENT === LATENT - 1 ? 1.25 : 1.35)));
    assert.ok(maxByteDiff(await resultRgb(result), planarToBytes(oracle.decodeLatent(target, LATENT, LATENT), SIZE, SIZE)) <= 1);
  });

  for (const [name, options] of [
    ['external data', { externalData: 'model.onnx_data' }],
    ['fp16 weights in external data', { externalData: 'model.onnx_data', floatType: 'float16' }],
  ] as [string, Partial<AnalyticModelOptions>][]) {
    it(`applies to a model with ${name}, reading only the touched weights`, async () => {
      const dir = await model(name.replace(/\W+/g, '-'), options);
      const file = writeLora('unet_blue', kohyaMove('lora_unet', LORA_LAYER_PATHS.unetToK, 'red', 'blue'));
      const dataFile = path.join(dir, 'unet', 'model.onnx_data');
      const before = fs.readFileSync(dataFile);
      const result = await generate(dir, 'a red circle', withLoras([{ file, weight: 0.5 }]));
      assert.ok(maxByteDiff(await resultRgb(result), expectedFor({ red: 0.5, blue: 0.5, circle: 1 })) <= 2);
      assert.deepEqual(fs.readFileSync(dataFile), before, 'the original weights are untouched');
    });
  }

  it('refuses an SDXL LoRA (lora_te1_/lora_te2_, SGM block names) on an SD 1.x model', async () => {
    const dir = await model('fp32');
    const file = writeLora('sdxl_style', {
      ...kohyaMove('lora_unet', 'input_blocks.4.1.transformer_blocks.0.attn2.to_k', 'red', 'blue'),
      ...kohyaMove('lora_te1', LORA_LAYER_PATHS.textEncoderQ, 'red', 'blue'),
      ...kohyaMove('lora_te2', LORA_LAYER_PATHS.textEncoderQ, 'red', 'blue'),
    });
    await assert.rejects(generate(dir, 'a red circle', withLoras([{ file }])), /sdxl_style\.safetensors is an SDXL LoRA/);
  });

  it('a LoRA none of whose layers match is an error; one that partly matches applies and says what it left out', async () => {
    const dir = await model('fp32');
    const other = 'mid_block.attentions.0.transformer_blocks.0.attn1.to_q';
    const none = writeLora('no_match', kohyaMove('lora_unet', other, 'red', 'blue'));
    await assert.rejects(generate(dir, 'a red circle', withLoras([{ file: none }])), /no_match\.safetensors: none of its 1 layers match/);
    const partial = writeLora('partial', {
      ...kohyaMove('lora_unet', LORA_LAYER_PATHS.unetToK, 'red', 'blue'),
      ...kohyaMove('lora_unet', other, 'red', 'blue'),
    });
    const result = await generate(dir, 'a red circle', withLoras([{ file: partial }]));
    assert.ok(maxByteDiff(await resultRgb(result), expectedFor({ blue: 1, circle: 1 })) <= 1);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /LoRA partial: 1 of 2 layers applied; not applied: lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q \(no such layer in the graph\)/);
  });

  it('switching a UNet LoRA or its strength reloads only the UNet: the other sessions are kept', async () => {
    const dir = await model('fp32');
    const file = writeLora('unet_blue', kohyaMove('lora_unet', LORA_LAYER_PATHS.unetToK, 'red', 'blue'));
    await generate(dir, 'a red circle', withLoras([{ file, weight: 1 }]));
    const first = engine.currentModel;
    assert.ok(first);
    const half = await generate(dir, 'a red circle', withLoras([{ file, weight: 0.5 }]));
    const second = engine.currentModel;
    assert.ok(second && second !== first);
    assert.equal(second.textEncoder.session, first.textEncoder.session);
    assert.equal(second.vaeDecoder.session, first.vaeDecoder.session);
    assert.notEqual(second.unet.session, first.unet.session);
    assert.ok(maxByteDiff(await resultRgb(half), expectedFor({ red: 0.5, blue: 0.5, circle: 1 })) <= 1);
    // The kept sessions still run after the old model was released, and a plain run reuses them too.
    const plain = await generate(dir, 'a red circle');
    assert.equal(engine.currentModel?.vaeDecoder.session, first.vaeDecoder.session);
    assert.ok(maxByteDiff(await resultRgb(plain), expectedFor({ red: 1, circle: 1 })) <= 1);
  });

  it('the CLI: --lora PATH:WEIGHT and --lora-dir for <lora:name:weight> tags', async function () {
    if (loraMode === 'branch') this.skip();
    const dir = await model('fp32');
    const file = writeLora('unet_blue', kohyaMove('lora_unet', LORA_LAYER_PATHS.unetToK, 'red', 'blue'));
    const cli = path.resolve(__dirname, '../../../dist/cli.js');
    const run = (args: string[], out: string): Uint8Array => {
      const r = spawnSync(process.execPath, [cli, 'generate', '--model', dir, '--steps', '4', '--seed', '3', '--scheduler', 'euler', '--guidance', '1', '--width', String(SIZE), '--height', String(SIZE), '--ep', 'cpu', '--out', out, ...args], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      return fs.readFileSync(out);
    };
    const fromFile = run(['--prompt', 'a red circle', '--lora', `${file}:1`], path.join(root, 'cli-file.png'));
    const png = (bytes: Uint8Array) => resultRgb({ images: [{ png: bytes }] } as unknown as GenerateResult);
    assert.ok(maxByteDiff(await png(fromFile), expectedFor({ blue: 1, circle: 1 })) <= 1);
    const fromTag = run(['--prompt', 'a red circle <lora:unet_blue:0.5>', '--lora-dir', loraDir], path.join(root, 'cli-tag.png'));
    assert.ok(maxByteDiff(await png(fromTag), expectedFor({ red: 0.5, blue: 0.5, circle: 1 })) <= 1);
  });

  it('a <lora:…> tag that names no file in the folders is a warning, and the image is the plain one', async () => {
    const dir = await model('fp32');
    const result = await generate(dir, 'a red circle <lora:missing:1>', { loraFolders: [loraDir] });
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /<lora:missing:1>: no missing\.safetensors in/);
    assert.ok(maxByteDiff(await resultRgb(result), expectedFor({ red: 1, circle: 1 })) <= 1);
  });
});
