import * as assert from 'node:assert/strict';
import { LIMITS } from '../../src/common/limits';
import {
  DEFAULT_INPAINT_SETTINGS,
  isInpaintSettings,
  isMaskOp,
  maskOpLabel,
  parseFromInpaintWebviewMessage,
  parseToInpaintWebviewMessage,
  sanitizeInpaintSettings,
  type InpaintSettings,
} from '../../src/common/protocol/inpaintEditorProtocol';

const isFromInpaintWebviewMessage = (value: unknown): boolean => parseFromInpaintWebviewMessage(value).ok;
const isToInpaintWebviewMessage = (value: unknown): boolean => parseToInpaintWebviewMessage(value).ok;

const MaskLimits = {
  maxBrushSize: LIMITS.brushSize.max,
  maxStrokeCoordinates: LIMITS.strokeCoordinates.max,
  maxGrowPixels: LIMITS.maskGrowPixels.max,
  maxFeatherSigma: LIMITS.maskFeatherSigma.max,
  maxCoordinate: LIMITS.maskCoordinate.max,
};

const settings: InpaintSettings = { ...DEFAULT_INPAINT_SETTINGS, prompt: 'a red fox', seed: '42' };

describe('inpaintEditorProtocol: mask ops', () => {
  it('accepts well-formed ops of every kind', () => {
    const ops: unknown[] = [
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 1, points: [1, 2] },
      { kind: 'stroke', mode: 'erase', size: 1, hardness: 0, opacity: 0.1, points: [-5.5, 2, 30, 40.25] },
      { kind: 'rect', mode: 'paint', x: -3, y: 2.5, width: 10, height: 0, opacity: 1 },
      { kind: 'invert' },
      { kind: 'clear' },
      { kind: 'fill' },
      { kind: 'grow', pixels: 4 },
      { kind: 'grow', pixels: -MaskLimits.maxGrowPixels },
      { kind: 'feather', sigma: 0.5 },
    ];
    for (const op of ops) assert.ok(isMaskOp(op), JSON.stringify(op));
  });

  it('rejects malformed or out-of-range ops', () => {
    const bad: unknown[] = [
      null,
      'stroke',
      [],
      { kind: 'lasso' },
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 1, points: [1] },
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 1, points: [] },
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 1, points: [1, Number.NaN] },
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 1, points: [1, '2'] },
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 1, points: new Float32Array([1, 2]) },
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 1, points: new Array(MaskLimits.maxStrokeCoordinates + 2).fill(1) },
      { kind: 'stroke', mode: 'paint', size: 0, hardness: 0.5, opacity: 1, points: [1, 2] },
      { kind: 'stroke', mode: 'paint', size: MaskLimits.maxBrushSize + 1, hardness: 0.5, opacity: 1, points: [1, 2] },
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 1.5, opacity: 1, points: [1, 2] },
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 0, points: [1, 2] },
      { kind: 'stroke', mode: 'blur', size: 12, hardness: 0.5, opacity: 1, points: [1, 2] },
      { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 1, points: [MaskLimits.maxCoordinate * 2, 0] },
      { kind: 'rect', mode: 'paint', x: 0, y: 0, width: -1, height: 5, opacity: 1 },
      { kind: 'rect', mode: 'paint', x: 0, y: 0, width: 1, height: 5, opacity: Infinity },
      { kind: 'grow', pixels: 0 },
      { kind: 'grow', pixels: 1.5 },
      { kind: 'grow', pixels: MaskLimits.maxGrowPixels + 1 },
      { kind: 'feather', sigma: 0 },
      { kind: 'feather', sigma: MaskLimits.maxFeatherSigma + 1 },
    ];
    for (const op of bad) assert.equal(isMaskOp(op), false, JSON.stringify(op));
  });

  it('labels ops for the Edit menu', () => {
    assert.equal(maskOpLabel({ kind: 'stroke', mode: 'erase', size: 1, hardness: 1, opacity: 1, points: [0, 0] }), 'Eraser Stroke');
    assert.equal(maskOpLabel({ kind: 'grow', pixels: -2 }), 'Shrink Mask');
    assert.equal(maskOpLabel({ kind: 'grow', pixels: 2 }), 'Grow Mask');
    assert.equal(maskOpLabel({ kind: 'feather', sigma: 2 }), 'Feather Mask');
  });
});

describe('inpaintEditorProtocol: settings', () => {
  it('accepts the defaults and a fixed seed up to 2^64 − 1', () => {
    assert.ok(isInpaintSettings(DEFAULT_INPAINT_SETTINGS));
    assert.ok(isInpaintSettings(settings));
    assert.ok(isInpaintSettings({ ...settings, seed: '18446744073709551615' }));
  });

  it('takes the same limits as the Generate panel (one table)', () => {
    assert.ok(isInpaintSettings({ ...settings, batchCount: LIMITS.batchCount.max }));
    assert.ok(isInpaintSettings({ ...settings, steps: LIMITS.steps.max, guidanceScale: LIMITS.guidanceScale.max }));
    assert.equal(isInpaintSettings({ ...settings, batchCount: LIMITS.batchCount.max + 1 }), false);
  });

  it('rejects settings out of range or of the wrong type', () => {
    const variants: Partial<Record<keyof InpaintSettings, unknown>>[] = [
      { steps: 0 },
      { steps: 2.5 },
      { guidanceScale: -1 },
      { seed: '-1' },
      { seed: '18446744073709551616' },
      { seed: 42 },
      { scheduler: 'karras' },
      { strength: 0 },
      { strength: 1.01 },
      { inpaintArea: 'crop' },
      { maskPadding: -4 },
      { maskBlur: 65 },
      { batchCount: 0 },
      { batchCount: LIMITS.batchCount.max + 1 },
      { prompt: 5 },
      { negativePrompt: undefined },
      { prompt: 'x'.repeat(10001) },
    ];
    for (const v of variants) assert.equal(isInpaintSettings({ ...settings, ...v }), false, JSON.stringify(v));
  });

  it('sanitizes a partial or stale value field by field', () => {
    // A memento of an older version: the seed was a number.
    const s = sanitizeInpaintSettings({ prompt: 'cat', steps: 999, guidanceScale: 'x', seed: 7, scheduler: 'ddim', strength: -3, batchCount: 2.6, inpaintArea: 'whole' });
    assert.deepEqual(s, {
      ...DEFAULT_INPAINT_SETTINGS,
      prompt: 'cat',
      steps: LIMITS.steps.max,
      seed: '7',
      scheduler: 'ddim',
      strength: 0.01,
      batchCount: 3,
      inpaintArea: 'whole',
    });
    assert.ok(isInpaintSettings(s));
    assert.deepEqual(sanitizeInpaintSettings(undefined), { ...DEFAULT_INPAINT_SETTINGS });
    assert.equal(sanitizeInpaintSettings({ seed: null }, settings).seed, null);
    assert.equal(sanitizeInpaintSettings({ seed: -1 }, settings).seed, null);
    assert.equal(sanitizeInpaintSettings({ seed: '18446744073709551615' }, settings).seed, '18446744073709551615');
    assert.equal(sanitizeInpaintSettings({ seed: 1.5 }, settings).seed, '42');
    assert.equal(sanitizeInpaintSettings({}, settings).seed, '42');
  });
});

describe('inpaintEditorProtocol: webview → host', () => {
  it('accepts every message kind', () => {
    const good: unknown[] = [
      { type: 'ready' },
      { type: 'requestMask' },
      { type: 'cancel' },
      { type: 'maskOp', op: { kind: 'invert' }, baseRevision: 3 },
      { type: 'generate', settings },
      { type: 'applyCandidate', jobId: 2, index: 0 },
      { type: 'discardCandidates', jobId: 2 },
      { type: 'error', message: 'boom' },
    ];
    for (const m of good) assert.ok(isFromInpaintWebviewMessage(m), JSON.stringify(m));
  });

  it('rejects unknown or malformed messages', () => {
    const bad: unknown[] = [
      undefined,
      42,
      { type: 'save' },
      { command: 'ready' },
      { type: 'maskOp', op: { kind: 'invert' } },
      { type: 'maskOp', op: { kind: 'invert' }, baseRevision: -1 },
      { type: 'maskOp', op: { kind: 'nope' }, baseRevision: 0 },
      { type: 'generate', settings: { ...settings, steps: 0 } },
      { type: 'generate' },
      { type: 'applyCandidate', jobId: 2 },
      { type: 'applyCandidate', jobId: 2, index: 1.5 },
      { type: 'discardCandidates', jobId: '2' },
      { type: 'error', message: { text: 'x' } },
    ];
    for (const m of bad) assert.equal(isFromInpaintWebviewMessage(m), false, JSON.stringify(m));
  });
});

describe('inpaintEditorProtocol: host → webview', () => {
  const info = { fileName: 'a.png', format: 'png', width: 4, height: 2, readonly: false, lossy: false, warnings: [] };

  it('accepts every message kind', () => {
    const good: unknown[] = [
      { type: 'init', document: info, settings },
      { type: 'image', revision: 1, bytes: new Uint8Array(3), mimeType: 'image/png', width: 4, height: 2 },
      { type: 'mask', revision: 2, baseRevision: null, region: { x: 0, y: 0, width: 4, height: 2, data: new Uint8Array(8) } },
      { type: 'mask', revision: 3, baseRevision: 2, region: { x: 1, y: 1, width: 2, height: 1, data: new Uint8Array(2) } },
      { type: 'maskOpApplied', revision: 4, op: { kind: 'clear' }, hash: 0xffffffff, fromThisView: true },
      { type: 'jobStarted', jobId: 1, batchCount: 2, steps: 20 },
      { type: 'jobProgress', jobId: 1, progress: { stage: 'starting' } },
      { type: 'jobProgress', jobId: 1, progress: { stage: 'denoising', image: 1, images: 2, step: 3, steps: 20, elapsedMs: 900 } },
      { type: 'jobProgress', jobId: 1, progress: { stage: 'loading', component: 'unet', index: 1, total: 4 } },
      { type: 'jobPreview', jobId: 1, image: 1, width: 2, height: 2, rgba: new Uint8Array(16) },
      { type: 'jobEnded', jobId: 1, outcome: 'cancelled' },
      { type: 'jobEnded', jobId: 1, outcome: 'done', message: 'a warning' },
      { type: 'candidates', jobId: 1, width: 4, height: 2, candidates: [{ index: 0, png: new Uint8Array(5), seed: '1', parameters: '' }] },
      { type: 'candidates', jobId: null, width: 0, height: 0, candidates: [] },
      { type: 'notice', level: 'warning', message: 'careful' },
    ];
    for (const m of good) assert.ok(isToInpaintWebviewMessage(m), JSON.stringify(m));
  });

  it('rejects malformed messages (wrong lengths, base64 strings instead of bytes)', () => {
    const bad: unknown[] = [
      { type: 'init', document: { ...info, format: 'gif' }, settings },
      { type: 'image', revision: 1, bytes: 'iVBORw0KGgo=', mimeType: 'image/png', width: 4, height: 2 },
      { type: 'mask', revision: 2, baseRevision: null, region: { x: 0, y: 0, width: 4, height: 2, data: new Uint8Array(7) } },
      { type: 'maskOpApplied', revision: 4, op: { kind: 'clear' }, hash: -1, fromThisView: true },
      { type: 'jobPreview', jobId: 1, image: 1, width: 2, height: 2, rgba: new Uint8Array(15) },
      { type: 'jobProgress', jobId: 1, progress: { stage: 'warping' } },
      { type: 'jobProgress', jobId: 1, progress: { stage: 'denoising', image: 0, images: 2, step: 3, steps: 20, elapsedMs: 900 } },
      { type: 'jobEnded', jobId: 1, outcome: 'exploded' },
      // The editor said 'finished' where the panel said 'done': one word now.
      { type: 'jobEnded', jobId: 1, outcome: 'finished' },
      { type: 'candidates', jobId: 1, width: 4, height: 2, candidates: [{ index: 0, png: [1, 2], seed: '1', parameters: '' }] },
      { type: 'candidates', jobId: 1, width: 4, height: 2, candidates: [{ index: 0, png: new Uint8Array(5), seed: 1, parameters: '' }] },
      { type: 'notice', level: 'fatal', message: 'x' },
    ];
    for (const m of bad) assert.equal(isToInpaintWebviewMessage(m), false, JSON.stringify(m));
  });
});
