// NoisePredictor against a recording stand-in for the UNet's session: classifier-free guidance batched as
// [uncond, cond] in one run (diffusers' torch.cat([negative, positive])), two runs when the graph's batch is fixed
// at 1, and the batched input and conditioning tensors made once and reused by every step.
import * as assert from 'node:assert/strict';
import { Unet } from '../../src/engine/components/unet';
import type { UnetConditioning } from '../../src/engine/conditioning/unetConditioning';
import { NoisePredictor } from '../../src/engine/pipelines/noisePrediction';
import type { OnnxSession, OrtTensor, TensorSpec } from '../../src/engine/runtime/ort';
import { floatTensor } from '../../src/engine/runtime/ort';

const H = 2;
const W = 3;
const CELLS = H * W;

/** ε = sample + (the first hidden value of the item): uncond and cond give different outputs. */
function fakeSession(batch: number | string) {
  const inputs: TensorSpec[] = [
    { name: 'sample', type: 'float32', shape: [batch, 4, 'h', 'w'] },
    { name: 'timestep', type: 'int64', shape: [1] },
    { name: 'encoder_hidden_states', type: 'float32', shape: [batch, 2, 2] },
  ];
  const outputs: TensorSpec[] = [{ name: 'out_sample', type: 'float32', shape: [batch, 4, 'h', 'w'] }];
  const runs: Record<string, OrtTensor>[] = [];
  const session = {
    inputs,
    outputs,
    runMs: 0,
    runCount: 0,
    input: (name: string) => inputs.find((i) => i.name === name),
    output: (name: string) => outputs.find((o) => o.name === name),
    run: async (feeds: Record<string, OrtTensor>) => {
      runs.push({ ...feeds });
      const sample = feeds.sample.data as Float32Array;
      const hidden = feeds.encoder_hidden_states.data as Float32Array;
      const n = Number(feeds.sample.dims[0]);
      const item = 4 * CELLS;
      const out = new Float32Array(n * item);
      for (let b = 0; b < n; b++) for (let i = 0; i < item; i++) out[b * item + i] = sample[b * item + i] + hidden[b * 4];
      return { out_sample: floatTensor('float32', out, [n, 4, H, W]) };
    },
  };
  return { session: session as unknown as OnnxSession, runs };
}

const conditioning: UnetConditioning = {
  guided: true,
  inputs: [{ name: 'encoder_hidden_states', itemShape: [2, 2], cond: Float32Array.from([10, 0, 0, 0]), uncond: Float32Array.from([2, 0, 0, 0]) }],
  warnings: [],
};

describe('NoisePredictor (classifier-free guidance around the UNet)', () => {
  for (const [label, batch, runsPerStep] of [['dynamic batch: one run of 2', 'batch', 1], ['batch fixed at 1: two runs', 1, 2]] as const) {
    it(`${label}; ε = ε_u + g·(ε_c − ε_u)`, async () => {
      const { session, runs } = fakeSession(batch);
      const predictor = new NoisePredictor({ unet: new Unet(session, null), conditioning, guidanceScale: 3, height: H, width: W });
      predictor.input.fill(1);
      const eps = await predictor.predict(999);
      // ε_u = 1 + 2, ε_c = 1 + 10: 3 + 3·(11 − 3) = 27
      assert.deepEqual([...new Set(eps)], [27]);
      assert.equal(eps.length, 4 * CELLS);
      assert.equal(runs.length, runsPerStep);
    });
  }

  it('reuses the batched input and the conditioning tensors across steps (no per-step allocation of them)', async () => {
    const { session, runs } = fakeSession('batch');
    const predictor = new NoisePredictor({ unet: new Unet(session, null), conditioning, guidanceScale: 7.5, height: H, width: W });
    predictor.input.fill(0.5);
    const first = await predictor.predict(999);
    predictor.input.fill(-0.5);
    const second = await predictor.predict(500);
    assert.equal(runs.length, 2);
    assert.equal(runs[0].sample, runs[1].sample, 'the same sample tensor');
    assert.equal(runs[0].sample.data, runs[1].sample.data, 'over the same buffer');
    assert.equal(runs[0].encoder_hidden_states, runs[1].encoder_hidden_states, 'the same conditioning tensor');
    assert.notEqual(first, second, 'each step gets its own result (schedulers may keep it)');
    // The second batch item repeats the first (the image is the same for uncond and cond).
    const sample = runs[1].sample.data as Float32Array;
    assert.deepEqual([...new Set(sample)], [-0.5]);
  });
});
