import * as assert from 'node:assert/strict';
import { DEFAULT_INPAINT_SETTINGS } from '../../src/common/protocol/inpaintEditorProtocol';
import { carryImageParameters } from '../../src/host/inpaint/carryImageParameters';

describe('carryImageParameters (A1111 "Send to inpaint")', () => {
  const base = { ...DEFAULT_INPAINT_SETTINGS, prompt: 'last used', negativePrompt: 'old negative', steps: 30 };

  it("takes the image's own prompt and negative prompt, keeps the editor's steps", () => {
    const text = 'a big yellow star on a blue background\nNegative prompt: blurry\nSteps: 20, Sampler: Euler, CFG scale: 7.5, Seed: 8, Size: 64x64';
    const carried = carryImageParameters(base, text);
    assert.equal(carried.prompt, 'a big yellow star on a blue background');
    assert.equal(carried.negativePrompt, 'blurry');
    assert.equal(carried.steps, 30);
  });

  it('an image without parameters keeps the last-used settings', () => {
    assert.deepEqual(carryImageParameters(base, undefined), base);
    assert.deepEqual(carryImageParameters(base, '  '), base);
  });
});
