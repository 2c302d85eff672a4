import * as assert from 'node:assert/strict';
import type { InpaintModel } from '../../src/common/protocol/inpaintEditorProtocol';
import { defaultSizeForImage, sizeForUnet, wholeImageGenerationSize } from '../../src/common/sizing/generationSize';
import { modelSizeNote } from '../../webview/inpaint/modelSizeNote';

const SD15: InpaintModel = { name: 'sd15', nativeWidth: 512, nativeHeight: 512, vaeScaleFactor: 8, sizeMultiple: 64, inpainting: false };
const TINY: InpaintModel = { name: 'tiny-shapes', nativeWidth: 64, nativeHeight: 64, vaeScaleFactor: 4, sizeMultiple: 16, inpainting: false };

describe('what the inpaint editor says about the model and the size it works at', () => {
  it('a 1200×630 image on SD 1.5: about the native area with its aspect, in multiples of 64', () => {
    assert.deepEqual(wholeImageGenerationSize(1200, 630, SD15), { width: 704, height: 384 });
    assert.equal(
      modelSizeNote(SD15, { width: 1200, height: 630 }, false),
      'sd15: native 512×512, sides in multiples of 64. This 1200×630 image is worked on at 704×384, then brought back to 1200×630.',
    );
  });

  it('an image the UNet takes as it is: its own size', () => {
    assert.match(modelSizeNote(SD15, { width: 512, height: 640 }, false), /This 512×640 image is worked on at its own size\.$/);
  });

  it('72×40 on tiny-shapes: a multiple of the VAE but not of the UNet, rounded up (the engine centre-crops back)', () => {
    assert.deepEqual(defaultSizeForImage(72, 40, TINY), { width: 72, height: 40 });
    assert.deepEqual(wholeImageGenerationSize(72, 40, TINY), { width: 80, height: 48 });
    assert.match(modelSizeNote(TINY, { width: 72, height: 40 }, false), /worked on at 80×48, then brought back to 72×40/);
  });

  it('only masked: the native size (or the fixed one), and an inpainting UNet is named', () => {
    assert.match(modelSizeNote({ ...TINY, inpainting: true }, { width: 300, height: 200 }, true), /inpainting UNet\. Only masked: the area around the mask is worked on at 64×64/);
    assert.match(modelSizeNote({ ...SD15, fixedSize: { width: 512, height: 512 } }, { width: 900, height: 900 }, true), /at 512×512/);
    assert.deepEqual(sizeForUnet(600, 600, 64), { width: 640, height: 640 });
  });
});
