import * as assert from 'node:assert/strict';
import { latentToRgba } from '../../src/engine/image/latentPreview';
import { LATENT_RGB_FACTORS, type LatentRgbFactors } from '../../src/engine/image/latentRgbFactors';

describe('latentToRgba (ComfyUI latent2rgb preview, comfy/latent_formats.py)', function () {
  it('computes a hand-checked SD1 pixel', function () {
    // one pixel, latent (0.5, -0.25, 1.0, 0.1):
    // R = 0.5·0.3512 − 0.25·0.3250 + 1.0·(−0.2829) + 0.1·(−0.2120) = −0.20975 → (x+1)·127.5 = 100.76 → 101
    // G = 0.5·0.2297 − 0.25·0.4974 + 1.0·0.1762 + 0.1·(−0.2616) = 0.14054 → 145.42 → 145
    // B = 0.5·0.3227 − 0.25·0.2350 + 1.0·0.2721 + 0.1·(−0.7177) = 0.30293 → 166.12 → 166
    const out = latentToRgba(Float32Array.from([0.5, -0.25, 1.0, 0.1]), 4, 1, 1, LATENT_RGB_FACTORS.sd1);
    assert.deepEqual([...out.rgba], [101, 145, 166, 255]);
    assert.equal(out.width, 1);
    assert.equal(out.height, 1);
  });

  it('adds the SDXL bias, clamps to [-1, 1] and reads NCHW planes', function () {
    // 2 pixels: pixel 0 all zeros → bias only; pixel 1 huge → clamped.
    const latents = Float32Array.from([0, 10, 0, 10, 0, 10, 0, -10]); // channel-major: c0=[0,10], c1=[0,10], c2=[0,10], c3=[0,-10]
    const out = latentToRgba(latents, 4, 1, 2, LATENT_RGB_FACTORS.sdxl);
    // bias (0.1084, −0.0175, −0.0011) → 141.32, 125.27, 127.36
    assert.deepEqual([...out.rgba.subarray(0, 4)], [141, 125, 127, 255]);
    // R = 10·(0.3651 − 0.2533 + 0.1076 + 0.3165) + bias > 1 → 255; G,B likewise positive
    assert.deepEqual([...out.rgba.subarray(4, 8)], [255, 255, 255, 255]);
    const negative = latentToRgba(Float32Array.from([-10, 0, 0, 0]), 4, 1, 1, LATENT_RGB_FACTORS.sd1);
    assert.deepEqual([...negative.rgba], [0, 0, 0, 255]);
  });

  it('supports other channel counts and a reusable output buffer', function () {
    const factors: LatentRgbFactors = { factors: [[1, 0, -1], [0, 0.5, 0]], source: 'test' };
    const buffer = new Uint8Array(2 * 4);
    const out = latentToRgba(Float32Array.from([0.2, -0.6, 0.4, 1]), 2, 2, 1, factors, buffer);
    assert.equal(out.rgba, buffer);
    // pixel 0: R 0.2 → 153, G 0.2 → 153, B −0.2 → 102; pixel 1: R −0.6 → 51, G 0.5 → 191.25 → 191, B 0.6 → 204
    assert.deepEqual([...out.rgba], [153, 153, 102, 255, 51, 191, 204, 255]);
    assert.throws(() => latentToRgba(new Float32Array(3), 4, 1, 1, LATENT_RGB_FACTORS.sd1), /values/);
    assert.throws(() => latentToRgba(new Float32Array(3), 3, 1, 1, LATENT_RGB_FACTORS.sd1), /channels/);
  });
  // Its speed (a 4×64×64 latent per call) is in `npm run bench`: no timed assertions in tests.
});
