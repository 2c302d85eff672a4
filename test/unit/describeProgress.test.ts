import * as assert from 'node:assert/strict';
import { describeProgress } from '../../webview/inpaint/describeProgress';

describe('describeProgress', () => {
  it('says where the job is and how far along, images counting from 1', () => {
    assert.deepEqual(describeProgress({ stage: 'denoising', image: 2, images: 2, step: 5, steps: 20, elapsedMs: 1234 }), {
      text: 'Image 2/2 · Step 5/20 · 1.2 s',
      fraction: 0.625,
    });
    assert.deepEqual(describeProgress({ stage: 'denoising', image: 1, images: 1, step: 20, steps: 20, elapsedMs: 500 }), { text: 'Step 20/20 · 0.5 s', fraction: 1 });
    assert.deepEqual(describeProgress({ stage: 'loading', component: 'unet', index: 1, total: 4 }), { text: 'Loading the model: unet (2/4)…', fraction: undefined });
    assert.deepEqual(describeProgress({ stage: 'decoding', image: 1, images: 2 }), { text: 'Decoding image 1/2…', fraction: 0.5 });
    assert.equal(describeProgress({ stage: 'starting' }).fraction, undefined);
  });
});
