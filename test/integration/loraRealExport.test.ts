// LoRA on a real torch.onnx export (the trained sample model models/tiny-shapes): a kohya file on a text-encoder
// attention MatMul (anonymous onnx::MatMul_N weight, Wᵀ), the UNet's conv_in (Conv, parameter name) and its time
// embedding Gemm (transB = 1). The two ways of applying it (loraGraphEdit.ts: merged weights, side branches) are
// independent computations of kohya's merge_to and forward; on this graph they must give the same image, and a
// different one from the plain model.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GenerateResult } from '../../src/common/protocol/engineProtocol';
import { Engine } from '../../src/engine/engine';
import { decodeImage } from '../../src/node/image/imageCodec';
import { encodeSafetensors, type SafetensorsTensorToWrite } from '../../src/node/lora/safetensorsFile';
import { readOnnxModel } from '../../src/node/onnx/readOnnxModel';

const repo = path.resolve(__dirname, '../../..');
const modelDir = path.join(repo, 'models', 'tiny-shapes');

function random(count: number, seed: number, amplitude: number): Uint8Array {
  const values = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values[i] = (state / 0xffffffff - 0.5) * 2 * amplitude;
  }
  return new Uint8Array(values.buffer);
}

/** The [out, in(, kh, kw)] PyTorch shape of a weight the graph holds (MatMul initializers hold Wᵀ). */
function torchShape(component: string, weight: string, transposed: boolean): number[] {
  const dims = readOnnxModel(path.join(modelDir, component, 'model.onnx')).graph.initializers.find((t) => t.name === weight)?.dims;
  assert.ok(dims, `${component} has ${weight}`);
  return transposed ? [dims[1], dims[0]] : dims;
}

describe('LoRA on a real torch.onnx export (tiny-shapes): merged weights = side branches', function () {
  this.timeout(180_000);
  let dir: string;
  let file: string;
  before(function () {
    if (!fs.existsSync(path.join(modelDir, 'unet', 'model.onnx'))) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-lora-real-'));
    const te = readOnnxModel(path.join(modelDir, 'text_encoder', 'model.onnx')).graph.nodes.find((n) => n.name === '/layers.0/self_attn/to_q/MatMul');
    assert.ok(te, 'the text encoder has /layers.0/self_attn/to_q/MatMul');
    const layers: [string, number[]][] = [
      ['lora_te_layers_0_self_attn_to_q', torchShape('text_encoder', te.inputs[1], true)],
      ['lora_unet_conv_in', torchShape('unet', 'conv_in.weight', false)],
      ['lora_unet_time_embedding_time_embedding_0', torchShape('unet', 'time_embedding.0.weight', false)],
    ];
    const tensors = new Map<string, SafetensorsTensorToWrite>();
    const rank = 2;
    layers.forEach(([base, [out, inF, ...kernel]], i) => {
      const downShape = [rank, inF, ...kernel];
      const upShape = kernel.length ? [out, rank, 1, 1] : [out, rank];
      tensors.set(`${base}.lora_down.weight`, { dtype: 'F32', shape: downShape, data: random(downShape.reduce((a, b) => a * b, 1), 2 * i + 1, 0.5) });
      tensors.set(`${base}.lora_up.weight`, { dtype: 'F32', shape: upShape, data: random(upShape.reduce((a, b) => a * b, 1), 2 * i + 2, 0.5) });
      tensors.set(`${base}.alpha`, { dtype: 'F32', shape: [], data: new Uint8Array(Float32Array.of(1).buffer) });
    });
    file = path.join(dir, 'real.safetensors');
    fs.writeFileSync(file, encodeSafetensors(tensors));
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  const image = async (mode: 'merge' | 'branch', withLora: boolean): Promise<{ pixels: Uint8Array; result: GenerateResult }> => {
    const engine = new Engine(undefined, { loraMode: mode });
    try {
      const result = await engine.generate({
        task: 'txt2img',
        model: { dir: modelDir },
        executionProvider: 'cpu',
        prompt: 'a red circle',
        steps: 4,
        seed: '5',
        scheduler: 'euler',
        guidanceScale: 1,
        ...(withLora ? { loras: [{ file, weight: 1 }] } : {}),
      });
      const decoded = await decodeImage(result.images[0].png);
      return { pixels: decoded.data, result };
    } finally {
      await engine.dispose();
    }
  };
  const maxDiff = (a: Uint8Array, b: Uint8Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

  it('applies all three layers and both ways agree within a pixel level; the plain image differs', async () => {
    const merged = await image('merge', true);
    const branched = await image('branch', true);
    const plain = await image('merge', false);
    assert.deepEqual(merged.result.warnings, [], 'every layer matched');
    assert.ok(maxDiff(merged.pixels, branched.pixels) <= 1, `merged vs branches: ${maxDiff(merged.pixels, branched.pixels)}`);
    assert.ok(maxDiff(merged.pixels, plain.pixels) > 10, 'the LoRA shows');
  });
});
