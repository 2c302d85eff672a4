import * as assert from 'node:assert/strict';
import { formatA1111Parameters, parseA1111Parameters, type A1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { samplerLabel } from '../../src/common/metadata/samplerLabel';

describe('A1111 parameters (facts §5.1)', function () {
  const full: A1111Parameters = {
    prompt: 'a photo of a cat, (masterpiece:1.2)\nsecond line',
    negativePrompt: 'blurry, lowres',
    steps: 20,
    sampler: 'Euler a',
    cfgScale: 7,
    seed: 3735928559,
    width: 512,
    height: 768,
    modelHash: 'abcdef1234',
    model: 'stable-diffusion-v1-5',
    denoisingStrength: 0.75,
    clipSkip: 2,
    emphasis: 'No norm',
    extra: [
      ['Lora hashes', 'detail: 0123abcd, style: 4567ef01'],
      ['Version', 'local-diffusion 0.1.0'],
    ],
  };

  it('formats the golden string (key order, quoting, Python numbers)', function () {
    assert.equal(
      formatA1111Parameters(full),
      'a photo of a cat, (masterpiece:1.2)\nsecond line\n' +
        'Negative prompt: blurry, lowres\n' +
        'Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 3735928559, Size: 512x768, Model hash: abcdef1234, ' +
        'Model: stable-diffusion-v1-5, Denoising strength: 0.75, Clip skip: 2, Emphasis: No norm, ' +
        'Lora hashes: "detail: 0123abcd, style: 4567ef01", Version: local-diffusion 0.1.0',
    );
  });

  it('omits the negative line when empty, prints 7.5 and quotes values with : , or newline', function () {
    assert.equal(
      formatA1111Parameters({ prompt: 'cat', negativePrompt: '', steps: 4, sampler: 'LCM', cfgScale: 7.5, seed: 0, width: 64, height: 64, extra: [['Note', 'a "b"\nc'], ['Tiling', 'Tiling']] }),
      'cat\nSteps: 4, Sampler: LCM, CFG scale: 7.5, Seed: 0, Size: 64x64, Note: "a \\"b\\"\\nc", Tiling',
    );
    assert.equal(
      formatA1111Parameters({ prompt: '', steps: 1, sampler: 'Euler', cfgScale: 0.00001, seed: 1, width: 8, height: 8, denoisingStrength: 1 }),
      'Steps: 1, Sampler: Euler, CFG scale: 1e-05, Seed: 1, Size: 8x8, Denoising strength: 1',
    );
  });

  it('round-trips through the parser', function () {
    const text = formatA1111Parameters(full);
    const parsed = parseA1111Parameters(text);
    assert.equal(parsed.prompt, full.prompt);
    assert.equal(parsed.negativePrompt, full.negativePrompt);
    assert.equal(parsed.steps, 20);
    assert.equal(parsed.sampler, 'Euler a');
    assert.equal(parsed.cfgScale, 7);
    assert.equal(parsed.seed, 3735928559);
    // Seeds beyond 2^53 − 1 come back exact, as bigints (PyTorch / ComfyUI seeds reach 2^64 − 1).
    const big = parseA1111Parameters(formatA1111Parameters({ ...full, seed: 18446744073709551615n }));
    assert.equal(big.seed, 18446744073709551615n);
    assert.equal(parseA1111Parameters(formatA1111Parameters({ ...full, seed: 9007199254740993n })).seed, 9007199254740993n);
    assert.equal(parsed.width, 512);
    assert.equal(parsed.height, 768);
    assert.equal(parsed.modelHash, 'abcdef1234');
    assert.equal(parsed.model, 'stable-diffusion-v1-5');
    assert.equal(parsed.denoisingStrength, 0.75);
    assert.equal(parsed.clipSkip, 2);
    assert.equal(parsed.emphasis, 'No norm');
    assert.deepEqual(parsed.extra, [
      ['Lora hashes', 'detail: 0123abcd, style: 4567ef01'],
      ['Version', 'local-diffusion 0.1.0'],
    ]);
    assert.equal(parsed.raw['Size'], '512x768');
    assert.equal(parsed.raw['Lora hashes'], 'detail: 0123abcd, style: 4567ef01');
    assert.equal(formatA1111Parameters(parsed), text);
  });

  it('parses a real-world A1111 1.9 infotext with a multi-line negative prompt', function () {
    const text =
      'masterpiece, best quality\n1girl\nNegative prompt: worst quality\nbad hands\n' +
      'Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 42, Size: 832x1216, Model hash: 31e35c80fc, Model: sd_xl_base_1.0, Version: v1.9.3';
    const p = parseA1111Parameters(text);
    assert.equal(p.prompt, 'masterpiece, best quality\n1girl');
    assert.equal(p.negativePrompt, 'worst quality\nbad hands');
    assert.equal(p.sampler, 'DPM++ 2M');
    assert.equal(p.cfgScale, 6.5);
    assert.equal(p.width, 832);
    assert.equal(p.height, 1216);
    assert.equal(p.raw['Schedule type'], 'Karras');
    assert.equal(p.scheduleType, 'Karras');
    assert.deepEqual(p.extra, [
      ['Version', 'v1.9.3'],
    ]);
    assert.equal(p.denoisingStrength, undefined);
  });

  it('rejects text without a parameters line or with a malformed field', function () {
    assert.throws(() => parseA1111Parameters('just a prompt'), /not A1111 parameters/);
    assert.throws(() => parseA1111Parameters('p\nSteps: 20, Sampler: Euler, Seed: 1, Size: 8x8'), /missing "CFG scale"/);
    assert.throws(() => parseA1111Parameters('p\nSteps: x, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 8x8'), /"Steps" is not an integer/);
    assert.throws(() => parseA1111Parameters('p\nSteps: 2, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 8 by 8'), /malformed Size/);
  });

  it('samplerLabel gives the A1111 ≥ 1.9 sampler names (the Karras schedule goes in "Schedule type")', function () {
    assert.deepEqual(
      (['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'] as const).map(samplerLabel),
      ['Euler', 'Euler a', 'DDIM', 'DPM++ 2M', 'DPM++ 2M', 'LCM'],
    );
  });
});
