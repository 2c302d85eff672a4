import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { centreCrop } from '../../src/engine/postprocess/centreCrop';
import { padEdges } from '../../src/engine/pipelines/padEdges';
import { graphDownsampling, sizeForUnet, unetSizeMultiple } from '../../src/engine/sizing/unetSizeMultiple';
import { writeOnnxModel } from '../../src/node/onnx/onnxWriter';
import { readOnnxModel } from '../../src/node/onnx/readOnnxModel';
import { GraphBuilder } from '../../tools/onnx/graphBuilder';

const repo = path.resolve(__dirname, '../../..');

/** conv_in (stride 1), then `strided` stride-2 Convs and one stride-2 AveragePool when `pool`: a UNet's down path. */
async function downPathGraph(strided: number, pool: boolean): Promise<string> {
  const g = new GraphBuilder('down-path');
  let x = g.addInput('sample', 'float32', [1, 4, 'h', 'w']);
  const weight = g.addInitializer('w', new Float32Array(4 * 4 * 3 * 3), [4, 4, 3, 3]);
  x = g.op1('Conv', [x, weight], { pads: [1, 1, 1, 1], strides: [1, 1] });
  for (let i = 0; i < strided; i++) x = g.op1('Conv', [x, weight], { pads: [1, 1, 1, 1], strides: [2, 2] });
  if (pool) x = g.op1('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
  g.addOutput('out_sample', 'float32', [1, 4, 'h2', 'w2'], x);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ld-down-path-')), 'model.onnx');
  await writeOnnxModel(file, g.toModel());
  return file;
}

describe('sizes a UNet takes (unetSizeMultiple, sizeForUnet) and the centre crop back', () => {
  it('vae scale factor × 2^(down blocks − 1), from down_block_types or block_out_channels', () => {
    // SD 1.5's unet/config.json: four down blocks, three of them down-sample; VAE ×8 → 64.
    const sd15 = { down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'], block_out_channels: [320, 640, 1280, 1280] };
    assert.equal(unetSizeMultiple(sd15, 8), 64);
    assert.equal(unetSizeMultiple({ block_out_channels: [16, 32, 64] }, 4), 16);
    // Nothing says the graph down-samples: the VAE's multiple only.
    assert.equal(unetSizeMultiple({ sample_size: 64 }, 8), 8);
    assert.equal(unetSizeMultiple(null, 8), 8);
  });

  it('without down_block_types or block_out_channels, counts the graph\'s strided Conv / pooling nodes', async () => {
    const twoConvs = readOnnxModel(await downPathGraph(2, false));
    const pooled = await downPathGraph(3, true);
    assert.equal(graphDownsampling(twoConvs), 4);
    assert.equal(unetSizeMultiple({ sample_size: 64 }, 8, () => twoConvs), 32);
    // Downsample2D with use_conv=False is an AvgPool2d: it counts too.
    assert.equal(unetSizeMultiple(null, 8, () => readOnnxModel(pooled)), 8 * 16);
    // The config wins when it says: the graph is not read.
    assert.equal(unetSizeMultiple({ block_out_channels: [1, 2] }, 8, () => assert.fail('read the graph')), 16);
  });

  it('the trained tiny-shapes UNet: its graph gives what its config gives', () => {
    const dir = path.join(repo, 'models', 'tiny-shapes');
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'unet', 'config.json'), 'utf8')) as Record<string, unknown>;
    const graph = readOnnxModel(path.join(dir, 'unet', 'model.onnx'));
    assert.equal(unetSizeMultiple(null, 8, () => graph), unetSizeMultiple(config, 8));
    assert.equal(unetSizeMultiple(config, 8), 32);
  });

  it('rounds each side up to the multiple', () => {
    assert.deepEqual(sizeForUnet(600, 600, 64), { width: 640, height: 640 });
    assert.deepEqual(sizeForUnet(72, 64, 16), { width: 80, height: 64 });
    assert.deepEqual(sizeForUnet(512, 768, 64), { width: 512, height: 768 });
  });

  it('edge-pads to the generation size and centre-crops back to the same pixels', async () => {
    const data = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i);
    const image = { width: 3, height: 2, channels: 3 as const, data };
    const padded = padEdges(image, 5, 4);
    assert.deepEqual([padded.width, padded.height], [5, 4]);
    // The top-left corner repeats the source's top-left pixel.
    assert.deepEqual([...padded.data.subarray(0, 3)], [0, 1, 2]);
    const back = await centreCrop(3, 2).apply(padded);
    assert.deepEqual([back.width, back.height], [3, 2]);
    assert.deepEqual([...back.data], [...data]);
    await assert.rejects(centreCrop(6, 2).apply(image), /smaller than 6×2/);
  });
});
