// LoRA on an SDXL layout (the analytic SDXL model with identity layers at SDXL module paths): a kohya file for the
// second text encoder (`lora_te2_…`) and one for the UNet in SGM block names (`lora_unet_input_blocks_4_1_…`, which
// must be converted to `down_blocks.1.attentions.0`), each turning a word into another exactly as the prompt with
// that word draws it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GenerateResult, LoraRef } from '../../src/common/protocol/engineProtocol';
import { Engine } from '../../src/engine/engine';
import { encodeSafetensors, type SafetensorsTensorToWrite } from '../../src/node/lora/safetensorsFile';
import { concepts } from '../../tools/analytic/concepts';
import { SDXL_HIDDEN_1, SDXL_HIDDEN_2, writeSdxlAnalyticModel } from '../../tools/analytic/sdxlAnalyticModel';
import { maxByteDiff, resultRgb } from '../fixtures/analyticImages';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-lora-sdxl-'));
const index = (word: string): number => concepts.findIndex((c) => c.word === word);

function f32(values: ArrayLike<number>, shape: number[]): SafetensorsTensorToWrite {
  return { dtype: 'F32', shape, data: new Uint8Array(Float32Array.from(values).buffer) };
}

/** A rank-2 kohya LoRA on `key` moving dimension `from` to `to` of an n-wide Linear (alpha 1 / rank 2 halves 2·ΔW). */
function writeMove(name: string, key: string, n: number, from: number, to: number): string {
  const down = Array.from({ length: 2 * n }, (_, i) => (i % n === from ? 1 : 0));
  const up = Array.from({ length: n * 2 }, (_, i) => {
    const r = Math.floor(i / 2);
    return r === to ? 1 : r === from ? -1 : 0;
  });
  const file = path.join(root, `${name}.safetensors`);
  const tensors = new Map([
    [`${key}.lora_down.weight`, f32(down, [2, n])],
    [`${key}.lora_up.weight`, f32(up, [n, 2])],
    [`${key}.alpha`, f32([1], [])],
  ]);
  fs.writeFileSync(file, encodeSafetensors(tensors, { ss_network_module: 'networks.lora', ss_base_model_version: 'sdxl_base_v1-0' }));
  return file;
}

describe('LoRA on an SDXL layout (analytic SDXL model)', function () {
  this.timeout(300_000);
  const engine = new Engine();
  let dir: string;
  before(async () => {
    dir = path.join(root, 'sdxl');
    await writeSdxlAnalyticModel(dir, { loraLayers: true });
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const generate = (prompt: string, loras: LoraRef[] = []): Promise<GenerateResult> =>
    engine.generate({ task: 'txt2img', model: { dir }, executionProvider: 'cpu', prompt, width: 64, height: 48, steps: 3, seed: '5', previewEverySteps: 0, ...(loras.length ? { loras } : {}) });

  it('a kohya text_encoder_2 LoRA (lora_te2_) draws the ring the prompt says is a circle (a shape needs a place: "on the left")', async () => {
    const file = writeMove('te2_ring', 'lora_te2_text_model_encoder_layers_0_self_attn_q_proj', SDXL_HIDDEN_2, index('circle'), index('ring'));
    const ring = await resultRgb(await generate('a red ring on the left'));
    const circle = await resultRgb(await generate('a red circle on the left'));
    assert.ok(maxByteDiff(ring, circle) > 20, 'the words draw different images');
    const result = await generate('a red circle on the left', [{ file, weight: 1 }]);
    assert.deepEqual(result.warnings, []);
    assert.ok(maxByteDiff(await resultRgb(result), ring) <= 1);
    assert.match(result.images[0].parameters, /Lora hashes: "te2_ring: [0-9a-f]{12}"/);
  });

  it('a kohya UNet LoRA in SGM block names (input_blocks_4_1 = down_blocks.1.attentions.0) draws blue for red', async () => {
    const key = 'lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k';
    const file = writeMove('unet_blue', key, SDXL_HIDDEN_1 + SDXL_HIDDEN_2, index('red'), index('blue'));
    const blue = await resultRgb(await generate('a blue circle on the left'));
    const result = await generate('a red circle on the left', [{ file, weight: 1 }]);
    assert.deepEqual(result.warnings, []);
    assert.ok(maxByteDiff(await resultRgb(result), blue) <= 1);
    // Without it, red again (the unpatched weights).
    assert.ok(maxByteDiff(await resultRgb(await generate('a red circle on the left')), blue) > 20);
  });
});
