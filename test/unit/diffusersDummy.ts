// diffusers tests/schedulers/test_schedulers.py SchedulerCommonTest helpers: dummy_sample_deter,
// dummy_noise_deter and dummy_model, ported for the scheduler full-loop tests.
import type { TorchGenerator } from '../../src/engine/noise/torchGenerator';
import type { Scheduler } from '../../src/engine/schedulers/scheduler';

/** (4, 3, 8, 8) = 768 values. */
export const DUMMY_COUNT = 4 * 3 * 8 * 8;

/** dummy_sample_deter (flip = dummy_noise_deter): arange reshaped (3, 8, 8, 4), permuted (3, 0, 1, 2), / numel. */
export function dummySample(flip = false): Float32Array {
  const out = new Float32Array(DUMMY_COUNT);
  for (let b = 0; b < 4; b++)
    for (let c = 0; c < 3; c++)
      for (let h = 0; h < 8; h++)
        for (let w = 0; w < 8; w++) {
          const source = ((c * 8 + h) * 8 + w) * 4 + b;
          out[((b * 3 + c) * 8 + h) * 8 + w] = (flip ? DUMMY_COUNT - 1 - source : source) / DUMMY_COUNT;
        }
  return out;
}

/** dummy_model: sample · t / (t + 1) in float32. */
export function dummyModel(sample: Float32Array, t: number): Float32Array {
  const tf = Math.fround(t);
  const denominator = Math.fround(tf + 1);
  return sample.map((x) => Math.fround(x * tf) / denominator);
}

export function sumAbs(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += Math.abs(v);
  return s;
}

export function meanAbs(x: Float32Array): number {
  return sumAbs(x) / x.length;
}

/**
 * The diffusers full loop: for t in timesteps: [sample = scale_model_input(sample, t)], model, step.
 * `reassignScaled`: the Euler-family tests assign the scaled input back to `sample` (LMS, Heun tests).
 */
export function fullLoop(s: Scheduler, start: Float32Array, generator?: TorchGenerator, reassignScaled = false): Float32Array {
  let sample = start;
  for (const t of s.timesteps) {
    const input = s.scaleModelInput(sample, t);
    if (reassignScaled) sample = input;
    sample = s.step(dummyModel(input, t), t, sample, generator).prevSample;
  }
  return sample;
}

/** start · factor. */
export function scaled(x: Float32Array, factor: number): Float32Array {
  return x.map((v) => v * factor);
}
