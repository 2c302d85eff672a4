// A1111 "Clip skip" (CLIP_stop_at_last_layers, stable-diffusion-webui `modules/sd_hijack_clip.py`
// encode_with_transformers) over the output names an ONNX text encoder has (optimum: hidden_states.0 … .L).
import * as assert from 'node:assert/strict';
import { applyLayerNorm, clipSkipHidden, clipSkipOutput, fitFinalLayerNorm } from '../../src/engine/prompt/clipSkip';

const layers = (n: number): string[] => Array.from({ length: n + 1 }, (_, i) => `hidden_states.${i}`);

/** Deterministic pseudo-random values in [-2, 2). */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 4 - 2;
  }
  return out;
}

describe('clipSkipOutput', () => {
  it('says clip skip is unavailable when the encoder has only last_hidden_state (most SD 1.x exports)', () => {
    const r = clipSkipOutput(['last_hidden_state', 'pooler_output'], 2, { finalLayerNorm: true });
    assert.equal(r.available, false);
    assert.match(!r.available ? r.reason : '', /Clip skip 2 is unavailable for this model: .*last_hidden_state, pooler_output/);
  });

  it('clip skip 1 is the usual output', () => {
    assert.deepEqual(clipSkipOutput(['last_hidden_state'], 1, { finalLayerNorm: true }), {
      available: true,
      outputName: 'last_hidden_state',
      finalLayerNorm: false,
      alsoFetch: [],
    });
  });

  it('SD 1.x clip skip N: hidden_states[-N] with the final norm, recovered from the last layer and last_hidden_state', () => {
    const r = clipSkipOutput(['last_hidden_state', 'pooler_output', ...layers(12)], 2, { finalLayerNorm: true });
    assert.deepEqual(r, { available: true, outputName: 'hidden_states.11', finalLayerNorm: true, alsoFetch: ['hidden_states.12', 'last_hidden_state'] });
    const r12 = clipSkipOutput(['last_hidden_state', ...layers(12)], 12, { finalLayerNorm: true });
    assert.equal(r12.available && r12.outputName, 'hidden_states.1');
    assert.equal(clipSkipOutput(['last_hidden_state', ...layers(12)], 14, { finalLayerNorm: true }).available, false);
    assert.equal(clipSkipOutput(layers(12), 2, { finalLayerNorm: true }).available, false);
  });

  it('SDXL: hidden_states[-N] as it is (the penultimate layer for N = 2)', () => {
    const r = clipSkipOutput(['text_embeds', 'last_hidden_state', ...layers(32)], 2, { finalLayerNorm: false });
    assert.deepEqual(r, { available: true, outputName: 'hidden_states.31', finalLayerNorm: false, alsoFetch: [] });
  });

  it('refuses a clip skip below 1', () => {
    assert.equal(clipSkipOutput(['last_hidden_state'], 0, { finalLayerNorm: true }).available, false);
  });
});

describe('fitFinalLayerNorm / clipSkipHidden', () => {
  const hidden = 8;
  const tokens = 77;
  const truth = { weight: values(hidden, 1), bias: values(hidden, 2), eps: 1e-5 };
  const last = values(tokens * hidden, 3);
  const skipped = values(tokens * hidden, 4);
  const outputs = {
    'hidden_states.12': last,
    'hidden_states.11': skipped,
    last_hidden_state: applyLayerNorm(last, hidden, truth),
  };

  it('recovers the norm’s weight and bias from one run', () => {
    const fit = fitFinalLayerNorm(last, outputs.last_hidden_state, hidden, 1e-5);
    assert.ok(fit);
    for (let c = 0; c < hidden; c++) {
      assert.ok(Math.abs(fit.weight[c] - truth.weight[c]) < 1e-4, `weight ${c}`);
      assert.ok(Math.abs(fit.bias[c] - truth.bias[c]) < 1e-4, `bias ${c}`);
    }
  });

  it('gives final_layer_norm(hidden_states[-2])', () => {
    const selection = clipSkipOutput(['last_hidden_state', ...layers(12)], 2, { finalLayerNorm: true });
    assert.ok(selection.available);
    const z = clipSkipHidden(selection, outputs, hidden, 1e-5);
    assert.ok(z);
    const expected = applyLayerNorm(skipped, hidden, truth);
    for (let i = 0; i < z.length; i++) assert.ok(Math.abs(z[i] - expected[i]) < 1e-4, `index ${i}`);
  });

  it('finds no norm between outputs a LayerNorm does not relate', () => {
    assert.equal(fitFinalLayerNorm(last, values(tokens * hidden, 9), hidden, 1e-5), undefined);
  });

  it('a feature constant over the run is usable only where the skipped layer holds the same value', () => {
    // Rows [a, b, −a−b, 0]: mean 0, the last feature normalises to 0 at every token, so its scale is not determined.
    const rows = (pairs: number[][]): Float32Array => Float32Array.from(pairs.flatMap(([a, b]) => [a!, b!, -a! - b!, 0]));
    const norm = { weight: Float32Array.from([2, 0.5, 1, 3]), bias: Float32Array.from([0.1, 0, -0.2, 0.4]), eps: 1e-5 };
    const lastLayer = rows([[1, 0], [0, 1], [2, -1], [0.5, 0.5], [0, 0]]);
    const post = applyLayerNorm(lastLayer, 4, norm);
    const fit = fitFinalLayerNorm(lastLayer, post, 4, 1e-5);
    assert.ok(fit);
    assert.deepEqual([...fit.constant.keys()], [3]);
    const selection = clipSkipOutput(['last_hidden_state', ...layers(3)], 2, { finalLayerNorm: true });
    assert.ok(selection.available);
    const same = rows([[3, -1], [1, 1]]);
    const z = clipSkipHidden(selection, { 'hidden_states.3': lastLayer, 'hidden_states.2': same, last_hidden_state: post }, 4, 1e-5);
    assert.ok(z);
    const expected = applyLayerNorm(same, 4, norm);
    for (let i = 0; i < z.length; i++) assert.ok(Math.abs(z[i]! - expected[i]!) < 1e-4, `index ${i}`);
    const other = Float32Array.from([1, 0, 0, -1, 0, 1, 0, -1]);
    assert.equal(clipSkipHidden(selection, { 'hidden_states.3': lastLayer, 'hidden_states.2': other, last_hidden_state: post }, 4, 1e-5), undefined);
  });
});
