import * as assert from 'node:assert/strict';
import { centreCrop } from '../../src/engine/postprocess/centreCrop';
import { padEdges } from '../../src/engine/pipelines/padEdges';
import { sizeForUnet, unetSizeMultiple } from '../../src/engine/sizing/unetSizeMultiple';

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
