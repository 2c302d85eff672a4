import * as assert from 'node:assert/strict';
import * as v from 'valibot';
import { LIMITS } from '../../src/common/limits';
import {
  generateFormValuesSchema,
  isValidImageSide,
  nearestValidSide,
  parseFromGeneratePanelMessage,
  parseToGeneratePanelMessage,
  type GenerateFormValues,
  type PanelResult,
  type ToGeneratePanelMessage,
} from '../../src/common/protocol/generatePanelProtocol';

const isFromGeneratePanelMessage = (value: unknown): boolean => parseFromGeneratePanelMessage(value).ok;
const isToGeneratePanelMessage = (value: unknown): boolean => parseToGeneratePanelMessage(value).ok;
const isGenerateFormValues = (value: unknown): boolean => v.is(generateFormValuesSchema, value);

const form: GenerateFormValues = {
  prompt: 'a red fox',
  negativePrompt: '',
  width: 512,
  height: 768,
  steps: 20,
  guidanceScale: 7.5,
  seed: null,
  scheduler: 'euler-a',
  batchCount: 2,
  useInitImage: false,
  strength: 0.75,
};

const result: PanelResult = {
  resultId: '6f0c1c5e-1d3b-4a43-9b8e-2a1c3f4d5e6f',
  png: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
  width: 512,
  height: 768,
  seed: '1234',
  prompt: 'a red fox',
  parameters: 'a red fox\nSteps: 20, Seed: 1234',
};

describe('generate panel protocol: messages from the panel', () => {
  it('accepts a valid generate request (random and fixed seeds up to 2^64 − 1, as decimal strings)', () => {
    assert.equal(isFromGeneratePanelMessage({ type: 'generate', form }), true);
    assert.equal(isFromGeneratePanelMessage({ type: 'generate', form: { ...form, seed: '4294967295' } }), true);
    assert.equal(isFromGeneratePanelMessage({ type: 'generate', form: { ...form, seed: '18446744073709551615' } }), true);
    assert.equal(isFromGeneratePanelMessage({ type: 'generate', form: { ...form, seed: '0', useInitImage: true, strength: 1 } }), true);
  });

  it("accepts a generate request without a size: the engine uses the model's native size", () => {
    const { width: _w, height: _h, ...native } = form;
    const parsed = parseFromGeneratePanelMessage({ type: 'generate', form: native });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.equal(parsed.message.type === 'generate' && 'width' in parsed.message.form, false);
    // Both or neither.
    assert.equal(isFromGeneratePanelMessage({ type: 'generate', form: { ...native, width: 512 } }), false);
  });

  it('says what is wrong with a refused message (for the log)', () => {
    const parsed = parseFromGeneratePanelMessage({ type: 'generate', form: { ...form, steps: LIMITS.steps.max + 1 } });
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.error, /^form\.steps: .*150/);
    const unknown = parseFromGeneratePanelMessage({ type: 'shutdown' });
    assert.match(unknown.ok ? '' : unknown.error, /type: .*"ready"/);
  });

  it('drops keys the schema does not know', () => {
    const parsed = parseFromGeneratePanelMessage({ type: 'cancel', extra: 'x' });
    assert.deepEqual(parsed, { ok: true, message: { type: 'cancel' } });
  });

  const invalid: Array<[string, Partial<Record<keyof GenerateFormValues, unknown>>]> = [
    ['an empty prompt', { prompt: '   ' }],
    ['a prompt that is not a string', { prompt: 42 }],
    ['an over-long prompt', { prompt: 'x'.repeat(LIMITS.promptLength.max + 1) }],
    ['a fractional width', { width: 512.5 }],
    ['a width above the limit', { width: LIMITS.size.max + 8 }],
    ['a zero height', { height: 0 }],
    ['zero steps', { steps: 0 }],
    ['fractional steps', { steps: 20.5 }],
    ['too many steps', { steps: LIMITS.steps.max + 1 }],
    ['a NaN guidance', { guidanceScale: Number.NaN }],
    ['a negative guidance', { guidanceScale: -1 }],
    ['a guidance above the limit', { guidanceScale: LIMITS.guidanceScale.max + 0.5 }],
    ['a seed as a number', { seed: 123 }],
    ['a seed of -1 (random is null)', { seed: '-1' }],
    ['a seed of 2^64', { seed: '18446744073709551616' }],
    ['a seed with a sign or spaces', { seed: '+5' }],
    ['a fractional seed', { seed: '1.5' }],
    ['an empty seed (random is null)', { seed: '' }],
    ['an unknown scheduler', { scheduler: 'dpm2' }],
    ['a batch of 0', { batchCount: 0 }],
    ['a batch above the limit', { batchCount: LIMITS.batchCount.max + 1 }],
    ['a strength of 0', { strength: 0 }],
    ['a strength above 1', { strength: 1.5 }],
    ['useInitImage as a string', { useInitImage: 'yes' }],
  ];
  for (const [what, change] of invalid) {
    it(`rejects ${what}`, () => {
      const bad = { ...form, ...change };
      assert.equal(isGenerateFormValues(bad), false);
      assert.equal(isFromGeneratePanelMessage({ type: 'generate', form: bad }), false);
    });
  }

  it('rejects a generate request with a missing field', () => {
    const { steps: _steps, ...missing } = form;
    assert.equal(isFromGeneratePanelMessage({ type: 'generate', form: missing }), false);
  });

  it('validates ready, result actions and the simple messages', () => {
    assert.equal(isFromGeneratePanelMessage({ type: 'ready', known: [] }), true);
    assert.equal(
      isFromGeneratePanelMessage({
        type: 'ready',
        known: [{ resultId: result.resultId, savedUri: 'file:///w/generated/a-red-fox-1234.png', prompt: 'a red fox', seed: '1234' }],
      }),
      true,
    );
    assert.equal(isFromGeneratePanelMessage({ type: 'ready' }), false);
    assert.equal(isFromGeneratePanelMessage({ type: 'ready', known: [{ resultId: '../../x' }] }), false);
    assert.equal(isFromGeneratePanelMessage({ type: 'ready', known: [{ resultId: 'a', seed: '-3' }] }), false);
    assert.equal(isFromGeneratePanelMessage({ type: 'ready', known: [{ resultId: 'a', seed: 3 }] }), false);
    assert.equal(isFromGeneratePanelMessage({ type: 'resultAction', action: 'saveToWorkspace', resultId: result.resultId }), true);
    assert.equal(isFromGeneratePanelMessage({ type: 'resultAction', action: 'openInInpaintEditor', resultId: 'abc' }), true);
    assert.equal(isFromGeneratePanelMessage({ type: 'resultAction', action: 'deleteFile', resultId: 'abc' }), false);
    assert.equal(isFromGeneratePanelMessage({ type: 'resultAction', action: 'open', resultId: '' }), false);
    assert.equal(isFromGeneratePanelMessage({ type: 'resultAction', action: 'open', resultId: 'a/b' }), false);
    for (const type of ['cancel', 'pickInitImage', 'clearInitImage', 'selectModel']) {
      assert.equal(isFromGeneratePanelMessage({ type }), true, type);
    }
    assert.equal(isFromGeneratePanelMessage({ type: 'error', message: 'boom' }), true);
    assert.equal(isFromGeneratePanelMessage({ type: 'error', message: 3 }), false);
  });

  it('rejects non-objects and unknown types', () => {
    for (const value of [null, undefined, 'generate', 42, [], { type: 'shutdown' }, { kind: 'request' }]) {
      assert.equal(isFromGeneratePanelMessage(value), false, JSON.stringify(value));
    }
  });
});

describe('generate panel protocol: messages to the panel', () => {
  const preview = { width: 2, height: 2, rgba: new Uint8Array(16) };
  const denoising = { stage: 'denoising', image: 1, images: 1, step: 3, steps: 20, elapsedMs: 1500, preview } as const;

  it('accepts progress with a raw RGBA preview of the right length', () => {
    assert.equal(isToGeneratePanelMessage({ type: 'progress', jobId: 1, progress: denoising }), true);
    assert.equal(isToGeneratePanelMessage({ type: 'progress', jobId: 1, progress: { ...denoising, preview: undefined } }), true);
    assert.equal(isToGeneratePanelMessage({ type: 'progress', jobId: 1, progress: { stage: 'encodingPrompt' } }), true);
    assert.equal(
      isToGeneratePanelMessage({ type: 'progress', jobId: 1, progress: { stage: 'loading', component: 'unet', index: 0, total: 4 } }),
      true,
    );
  });

  it('rejects previews whose bytes do not match their size, or that are not bytes', () => {
    const wrongLength = { ...denoising, preview: { ...preview, rgba: new Uint8Array(15) } };
    assert.equal(isToGeneratePanelMessage({ type: 'progress', jobId: 1, progress: wrongLength }), false);
    const asArray = { ...denoising, preview: { ...preview, rgba: Array.from({ length: 16 }, () => 0) } };
    assert.equal(isToGeneratePanelMessage({ type: 'progress', jobId: 1, progress: asArray }), false);
    const asBase64 = { ...denoising, preview: { ...preview, rgba: 'AAAAAAAAAAAAAAAAAAAAAA==' } };
    assert.equal(isToGeneratePanelMessage({ type: 'progress', jobId: 1, progress: asBase64 }), false);
    assert.equal(isToGeneratePanelMessage({ type: 'progress', jobId: 1, progress: { stage: 'denoising', step: 1 } }), false);
    assert.equal(isToGeneratePanelMessage({ type: 'progress', jobId: 1, progress: { stage: 'dreaming' } }), false);
  });

  it('requires result images as Uint8Array, never base64', () => {
    assert.equal(isToGeneratePanelMessage({ type: 'results', jobId: 1, results: [result] }), true);
    assert.equal(isToGeneratePanelMessage({ type: 'results', jobId: 1, results: [{ ...result, png: 'iVBORw0KGgo=' }] }), false);
    assert.equal(isToGeneratePanelMessage({ type: 'results', jobId: 1, results: [{ ...result, seed: '-1' }] }), false);
    assert.equal(isToGeneratePanelMessage({ type: 'results', jobId: 1, results: [{ ...result, seed: 1234 }] }), false);
  });

  it('accepts a full init snapshot and rejects a broken one', () => {
    const init: ToGeneratePanelMessage = {
      type: 'init',
      defaults: { steps: 20, guidanceScale: 7.5, scheduler: 'default', width: 0, height: 0 },
      model: { name: 'analytic-shapes', builtIn: true, nativeWidth: 64, nativeHeight: 64, sizeMultiple: 8 },
      results: [result],
      job: { jobId: 3, startedAt: 1000, images: 1, steps: 20, progress: denoising },
      initImage: { png: new Uint8Array(4), width: 64, height: 64, label: 'fox.png' },
      canSaveToWorkspace: true,
    };
    assert.equal(isToGeneratePanelMessage(init), true);
    assert.equal(isToGeneratePanelMessage({ ...init, job: null, initImage: null, model: null, results: [] }), true);
    assert.equal(isToGeneratePanelMessage({ ...init, defaults: { ...init.defaults, scheduler: 'nope' } }), false);
    assert.equal(isToGeneratePanelMessage({ ...init, canSaveToWorkspace: undefined }), false);
    assert.equal(isToGeneratePanelMessage({ ...init, initImage: { ...init.initImage, png: [1, 2] } }), false);
  });

  it('validates job end, saved and model messages', () => {
    assert.equal(isToGeneratePanelMessage({ type: 'jobEnded', jobId: 1, outcome: 'done', elapsedMs: 10, warnings: [] }), true);
    assert.equal(
      isToGeneratePanelMessage({ type: 'jobEnded', jobId: 1, outcome: 'failed', message: 'engine exited', elapsedMs: 10, warnings: [] }),
      true,
    );
    assert.equal(isToGeneratePanelMessage({ type: 'jobEnded', jobId: 1, outcome: 'exploded', elapsedMs: 10, warnings: [] }), false);
    // One word for the panel and the inpaint editor.
    assert.equal(isToGeneratePanelMessage({ type: 'jobEnded', jobId: 1, outcome: 'finished', elapsedMs: 10, warnings: [] }), false);
    assert.equal(isToGeneratePanelMessage({ type: 'jobEnded', jobId: 1, outcome: 'done', elapsedMs: 10, warnings: [3] }), false);
    assert.equal(
      isToGeneratePanelMessage({ type: 'resultSaved', resultId: result.resultId, savedPath: 'generated/a.png', savedUri: 'file:///a.png' }),
      true,
    );
    assert.equal(isToGeneratePanelMessage({ type: 'model', model: { name: 'x', builtIn: false, error: 'missing' } }), true);
    assert.equal(isToGeneratePanelMessage({ type: 'model', model: { name: 'x' } }), false);
    // The model's own defaults (SDXL guidance 5, Turbo 4 steps and guidance 0), within the limits.
    assert.equal(isToGeneratePanelMessage({ type: 'model', model: { name: 'x', builtIn: false, defaultSteps: 4, defaultGuidanceScale: 0 } }), true);
    assert.equal(isToGeneratePanelMessage({ type: 'model', model: { name: 'x', builtIn: false, defaultSteps: 0 } }), false);
    assert.equal(isToGeneratePanelMessage({ type: 'model', model: { name: 'x', builtIn: false, defaultGuidanceScale: -1 } }), false);
    assert.equal(isToGeneratePanelMessage({ type: 'initImage', image: null }), true);
  });
});

describe('image sides', () => {
  it("accepts whole numbers within the limits that are multiples of the model's scale factor", () => {
    assert.equal(isValidImageSide(8, 8), true);
    assert.equal(isValidImageSide(512, 8), true);
    assert.equal(isValidImageSide(LIMITS.size.max, 8), true);
    assert.equal(isValidImageSide(0, 8), false);
    assert.equal(isValidImageSide(516, 8), false);
    assert.equal(isValidImageSide(516), true, 'before the model has said its scale factor');
    assert.equal(isValidImageSide(512.5), false);
    assert.equal(isValidImageSide(LIMITS.size.max + 8, 8), false);
  });

  it('rounds init image sizes to the nearest side the model takes', () => {
    assert.equal(nearestValidSide(1200, 8), 1200);
    assert.equal(nearestValidSide(630, 8), 632);
    assert.equal(nearestValidSide(627, 8), 624);
    assert.equal(nearestValidSide(630, 64), 640);
    assert.equal(nearestValidSide(3, 8), LIMITS.size.min);
    assert.equal(nearestValidSide(100_000, 8), LIMITS.size.max);
    assert.equal(nearestValidSide(627.4), 627);
  });
});
