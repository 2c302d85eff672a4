// The denoising loop reuses buffers when a scheduler says it keeps no model output (Scheduler.keepsModelOutput):
// one guided-noise buffer overwritten every step, and step() writing into two alternating latent buffers and one x0
// buffer. For every sampler, the reusing loop must give bit-identical latents and x0 to diffusers' fresh-array loop.
import * as assert from 'node:assert/strict';
import { SAMPLER_NAMES } from '../../src/common/samplers';
import { TorchGenerator } from '../../src/engine/noise/torchGenerator';
import { createScheduler } from '../../src/engine/schedulers/createScheduler';
import type { Scheduler, SchedulerStepBuffers } from '../../src/engine/schedulers/scheduler';
import type { SchedulerConfig } from '../../src/engine/schedulers/schedulerConfig';
import { dummyModel, dummySample } from './diffusersDummy';

const SD_CONFIG: SchedulerConfig = {
  num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1,
  prediction_type: 'epsilon', timestep_spacing: 'leading',
};

interface Trace {
  latents: Float32Array;
  predOriginals: Float32Array[];
}

/** diffusers' loop: a fresh model output every step, the scheduler allocating its outputs. */
function freshLoop(s: Scheduler): Trace {
  const generator = new TorchGenerator(7);
  let sample = dummySample();
  const predOriginals: Float32Array[] = [];
  for (const t of s.timesteps) {
    const out = s.step(dummyModel(s.scaleModelInput(sample, t), t), t, sample, generator);
    predOriginals.push(Float32Array.from(out.predOriginalSample));
    sample = out.prevSample;
  }
  return { latents: Float32Array.from(sample), predOriginals };
}

/** denoise.ts's loop: one model-output buffer rewritten every step, and (optionally) step buffers. */
function reusingLoop(s: Scheduler, withStepBuffers: boolean): Trace {
  const generator = new TorchGenerator(7);
  let sample = dummySample();
  const modelOutput = new Float32Array(sample.length);
  const x0 = new Float32Array(sample.length);
  const buffers: SchedulerStepBuffers[] = [
    { prevSample: new Float32Array(sample.length), predOriginalSample: x0 },
    { prevSample: new Float32Array(sample.length), predOriginalSample: x0 },
  ];
  const predOriginals: Float32Array[] = [];
  s.timesteps.forEach((t, i) => {
    modelOutput.set(dummyModel(s.scaleModelInput(sample, t), t));
    const out = s.step(modelOutput, t, sample, generator, withStepBuffers ? buffers[i % 2] : undefined);
    predOriginals.push(Float32Array.from(out.predOriginalSample));
    sample = out.prevSample;
  });
  return { latents: Float32Array.from(sample), predOriginals };
}

function scheduler(name: (typeof SAMPLER_NAMES)[number]): Scheduler {
  const s = createScheduler(name, SD_CONFIG);
  s.setTimesteps(8);
  return s;
}

describe('scheduler step buffers and keepsModelOutput', () => {
  for (const name of SAMPLER_NAMES) {
    const keeps = scheduler(name).keepsModelOutput;
    if (keeps) continue;
    it(`${name}: reusing the model output and the step buffers gives diffusers' latents and x0, bit for bit`, () => {
      const fresh = freshLoop(scheduler(name));
      const reused = reusingLoop(scheduler(name), true);
      assert.deepEqual(reused.latents, fresh.latents);
      assert.equal(reused.predOriginals.length, fresh.predOriginals.length);
      reused.predOriginals.forEach((x0, i) => assert.deepEqual(x0, fresh.predOriginals[i], `x0 at step ${i}`));
    });
  }

  it('the schedulers that say they keep a model output do (reusing its buffer would change their result)', () => {
    const keeping = SAMPLER_NAMES.filter((name) => scheduler(name).keepsModelOutput);
    assert.deepEqual(keeping, ['pndm']);
    // PLMS reads its past model outputs (ets): one rewritten buffer gives another image, so the flag is needed.
    assert.notDeepEqual(reusingLoop(scheduler('pndm'), false).latents, freshLoop(scheduler('pndm')).latents);
  });

  it('step writes into the buffers it is given and returns them', () => {
    const s = scheduler('euler');
    const sample = dummySample();
    const t = s.timesteps[0];
    const buffers = { prevSample: new Float32Array(sample.length), predOriginalSample: new Float32Array(sample.length) };
    const out = s.step(dummyModel(s.scaleModelInput(sample, t), t), t, sample, undefined, buffers);
    assert.equal(out.prevSample, buffers.prevSample);
    assert.equal(out.predOriginalSample, buffers.predOriginalSample);
  });
});
