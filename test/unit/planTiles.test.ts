import * as assert from 'node:assert/strict';
import { parseRemoveBackgroundArgs } from '../../src/cli/removeBackgroundCommand';
import { parseUpscaleArgs } from '../../src/cli/upscaleCommand';
import { planTiles } from '../../src/engine/upscale/planTiles';
import { chooseTileSize } from '../../src/engine/upscale/upscaleMemory';

describe('planTiles (Real-ESRGAN tile_process)', () => {
  it('cores cover every pixel exactly once, windows add clamped context', () => {
    for (const [w, h, tile, pad] of [[37, 29, 8, 2], [64, 64, 32, 10], [5, 100, 7, 3], [1, 1, 4, 0]]) {
      const plans = planTiles(w, h, { tile, pad });
      const seen = new Uint8Array(w * h);
      for (const p of plans) {
        for (let y = p.core.y; y < p.core.y + p.core.height; y++) for (let x = p.core.x; x < p.core.x + p.core.width; x++) seen[y * w + x]++;
        assert.equal(p.window.x, Math.max(0, p.core.x - pad));
        assert.equal(p.window.y, Math.max(0, p.core.y - pad));
        assert.equal(p.window.x + p.window.width, Math.min(w, p.core.x + p.core.width + pad));
        assert.equal(p.window.y + p.window.height, Math.min(h, p.core.y + p.core.height + pad));
      }
      assert.ok(seen.every((n) => n === 1), `${w}×${h} tile ${tile}`);
    }
  });

  it('a fixed window is shifted inside the image, never clipped', () => {
    const plans = planTiles(50, 40, { tile: 12, pad: 4, fixedWindow: { width: 20, height: 20 } });
    for (const p of plans) {
      assert.deepEqual([p.window.width, p.window.height], [20, 20]);
      assert.ok(p.window.x >= 0 && p.window.x + 20 <= 50 && p.core.x >= p.window.x && p.core.x + p.core.width <= p.window.x + 20);
    }
    assert.throws(() => planTiles(10, 40, { tile: 12, pad: 4, fixedWindow: { width: 20, height: 20 } }), /exactly 20×20/);
  });

  it('chooseTileSize: the whole image when it fits, smaller tiles for a smaller budget, an error when nothing fits', () => {
    assert.deepEqual(chooseTileSize(100, 80, 4, 10, 4, 1 << 30, 3), { tile: 100, whole: true });
    const small = chooseTileSize(1000, 800, 4, 10, 4, 256 << 20, 3);
    assert.equal(small.whole, false);
    assert.equal(small.tile % 32, 0);
    assert.throws(() => chooseTileSize(1000, 800, 4, 10, 4, 8 << 20, 3), /memory budget/);
  });
});

describe('upscale / remove-background arguments', () => {
  it('parses and refuses', () => {
    const cmd = parseUpscaleArgs(['--image', 'a.png', '--out', 'b.webp', '--scale', '4', '--tile', '256', '--memory-mb', '512', '--ep', 'cpu']);
    assert.ok(cmd !== 'help');
    assert.deepEqual([cmd.scale, cmd.tile, cmd.memoryBytes, cmd.executionProvider, cmd.tilePad], [4, 256, 512 << 20, 'cpu', 10]);
    assert.throws(() => parseUpscaleArgs(['--image', 'a.png', '--out', 'b.gif']), /extension/);
    assert.throws(() => parseUpscaleArgs(['--image', 'a.png', '--out', 'b.png', '--scale', '9']), /--scale/);
    assert.throws(() => parseUpscaleArgs(['--image', 'a.png', '--out', 'b.png', '--tile', '33.5']), /--tile/);
    assert.throws(() => parseRemoveBackgroundArgs(['--model', 'm.onnx', '--image', 'a.png', '--out', 'b.jpg']), /JPEG cannot hold transparency/);
    assert.throws(() => parseRemoveBackgroundArgs(['--model', 'm.onnx', '--image', 'a.png', '--out', 'b.png', '--preset', 'x']), /--preset/);
  });
});
