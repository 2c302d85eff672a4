// A LoRA layer's ΔW = strength · alpha/rank · up·down (kohya sd-scripts `networks/lora.py` merge_to) as
// loraDelta.ts + loraDeltaMatMul.ts compute it (ONNX Runtime's MatMul), against the sums written out here; and
// torch.onnx node names → kohya module names (loraTargets.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loraFactors } from '../../src/engine/lora/loraDelta';
import { loraDeltaValues } from '../../src/engine/lora/loraDeltaMatMul';
import { moduleKeyOfNode } from '../../src/engine/lora/loraTargets';
import { readLoraFile } from '../../src/node/lora/loraFile';
import { encodeSafetensors } from '../../src/node/lora/safetensorsFile';

const f32 = (values: number[], shape: number[]) => ({ dtype: 'F32' as const, shape, data: new Uint8Array(Float32Array.from(values).buffer) });
const seq = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * k + 1));

describe('LoRA deltas', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-delta-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('Linear: up·down × strength × alpha/rank, and its transpose for MatMul weights', async () => {
    const [out, r, inF] = [5, 3, 4];
    const up = seq(out * r, 0.7);
    const down = seq(r * inF, 1.3);
    const file = path.join(dir, 'linear.safetensors');
    fs.writeFileSync(file, encodeSafetensors(new Map([
      ['lora_unet_a_to_q.lora_up.weight', f32(up, [out, r])],
      ['lora_unet_a_to_q.lora_down.weight', f32(down, [r, inF])],
      ['lora_unet_a_to_q.alpha', f32([1.5], [])],
    ])));
    const lora = readLoraFile(file);
    const factors = loraFactors(lora, lora.modules[0], 0.8);
    assert.deepEqual(factors.shape, [out, inF]);
    const delta = await loraDeltaValues(factors, false);
    const deltaT = await loraDeltaValues(factors, true);
    const scale = 0.8 * (1.5 / r);
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < inF; i++) {
        let sum = 0;
        for (let k = 0; k < r; k++) sum += up[o * r + k] * down[k * inF + i];
        assert.ok(Math.abs(delta[o * inF + i] - scale * sum) < 1e-5, `delta[${o}, ${i}]`);
        assert.ok(Math.abs(deltaT[i * out + o] - scale * sum) < 1e-5, `deltaᵀ[${i}, ${o}]`);
      }
    }
  });

  it('Conv 3×3 (LoCon): Σ_r up[o, r]·down[r, i, y, x], no alpha = scale 1', async () => {
    const [out, r, inF] = [2, 2, 3];
    const up = seq(out * r, 0.3);
    const down = seq(r * inF * 9, 0.9);
    const file = path.join(dir, 'conv.safetensors');
    fs.writeFileSync(file, encodeSafetensors(new Map([
      ['lora_unet_b_conv1.lora_up.weight', f32(up, [out, r, 1, 1])],
      ['lora_unet_b_conv1.lora_down.weight', f32(down, [r, inF, 3, 3])],
    ])));
    const lora = readLoraFile(file);
    const factors = loraFactors(lora, lora.modules[0], 1);
    assert.deepEqual(factors.shape, [out, inF, 3, 3]);
    const delta = await loraDeltaValues(factors, false);
    for (let o = 0; o < out; o++) {
      for (let j = 0; j < inF * 9; j++) {
        let sum = 0;
        for (let k = 0; k < r; k++) sum += up[o * r + k] * down[k * inF * 9 + j];
        assert.ok(Math.abs(delta[o * inF * 9 + j] - sum) < 1e-5);
      }
    }
  });

  it('torch.onnx node names give kohya module names', () => {
    assert.equal(moduleKeyOfNode('/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_k/MatMul'), 'down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k');
    assert.equal(moduleKeyOfNode('/text_model/encoder/layers.11/mlp/fc1/MatMul'), 'text_model_encoder_layers_11_mlp_fc1');
    assert.equal(moduleKeyOfNode('/up_blocks.1/resnets.2/conv_shortcut/Conv'), 'up_blocks_1_resnets_2_conv_shortcut');
    assert.equal(moduleKeyOfNode('/time_embedding/linear_1/Gemm'), 'time_embedding_linear_1');
    assert.equal(moduleKeyOfNode('/down_blocks.0/attentions.0/transformer_blocks.0/attn1/Softmax'), undefined);
    assert.equal(moduleKeyOfNode('MatMul_node_3'), undefined);
  });
});
