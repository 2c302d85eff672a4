import * as assert from 'node:assert/strict';
import { parseFromGeneratePanelMessage, type GenerateFormValues } from '../../src/common/protocol/generatePanelProtocol';
import { panelGenerationParams } from '../../src/host/generate/panelGenerationParams';

const form: GenerateFormValues = {
  prompt: 'a red fox',
  negativePrompt: ' ',
  steps: 20,
  guidanceScale: 7.5,
  seed: null,
  scheduler: 'default',
  batchCount: 1,
  useInitImage: false,
  strength: 0.75,
};

describe('Generate panel → engine parameters', () => {
  it("leaves the size to the engine when the form asks for the model's own (its size may not be known yet)", () => {
    // As the page sends it when Generate is clicked before the engine has reported the native size.
    const parsed = parseFromGeneratePanelMessage({ type: 'generate', form });
    assert.ok(parsed.ok && parsed.message.type === 'generate', parsed.ok ? '' : parsed.error);
    const params = panelGenerationParams(parsed.message.form, undefined);
    assert.deepEqual(params, { task: 'txt2img', prompt: 'a red fox', steps: 20, guidanceScale: 7.5, scheduler: 'default', batchCount: 1 });
  });

  it('the hires fix option goes to txt2img as hires { scale, strength, steps }; the schema holds it to LIMITS', () => {
    const hires = { scale: 1.5, strength: 0.4, steps: 0 };
    const parsed = parseFromGeneratePanelMessage({ type: 'generate', form: { ...form, hires } });
    assert.ok(parsed.ok && parsed.message.type === 'generate', parsed.ok ? '' : parsed.error);
    const params = panelGenerationParams(parsed.message.form, undefined);
    assert.deepEqual(params, { task: 'txt2img', prompt: 'a red fox', steps: 20, guidanceScale: 7.5, scheduler: 'default', batchCount: 1, hires });
    assert.equal(parseFromGeneratePanelMessage({ type: 'generate', form: { ...form, hires: { ...hires, scale: 5 } } }).ok, false);
    const withModel = panelGenerationParams({ ...form, hires }, undefined, '/models/esrgan.onnx');
    assert.deepEqual(withModel.task === 'txt2img' && withModel.hires, { ...hires, upscaler: '/models/esrgan.onnx' });
  });

  it('passes a chosen size, the seed, the negative prompt and the init image', () => {
    const init = Uint8Array.from([1, 2, 3]);
    const params = panelGenerationParams(
      { ...form, width: 512, height: 768, seed: '4294967295', negativePrompt: 'blurry', useInitImage: true, strength: 0.5 },
      init,
    );
    assert.deepEqual(params, {
      task: 'img2img',
      prompt: 'a red fox',
      negativePrompt: 'blurry',
      width: 512,
      height: 768,
      steps: 20,
      guidanceScale: 7.5,
      scheduler: 'default',
      batchCount: 1,
      seed: '4294967295',
      initImage: init,
      strength: 0.5,
    });
    assert.equal('initImage' in panelGenerationParams({ ...form, useInitImage: true }, undefined), false);
  });
});
