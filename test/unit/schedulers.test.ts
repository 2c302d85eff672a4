import * as assert from 'node:assert/strict';
import type { ConcreteSchedulerName } from '../../src/common/protocol/engineProtocol';
import { TorchGenerator } from '../../src/engine/noise/torchGenerator';
import { createScheduler, resolveDefaultScheduler } from '../../src/engine/schedulers/createScheduler';
import { SAMPLER_NAMES } from '../../src/common/samplers';
import { DDIMScheduler } from '../../src/engine/schedulers/ddim';
import { DDPMScheduler } from '../../src/engine/schedulers/ddpm';
import { DPMSolverSDEScheduler } from '../../src/engine/schedulers/dpmSolverSde';
import { HeunDiscreteScheduler } from '../../src/engine/schedulers/heunDiscrete';
import { LMSDiscreteScheduler } from '../../src/engine/schedulers/lmsDiscrete';
import { PNDMScheduler } from '../../src/engine/schedulers/pndm';
import { UniPCMultistepScheduler } from '../../src/engine/schedulers/unipcMultistep';
import { DPMSolverMultistepScheduler } from '../../src/engine/schedulers/dpmSolverMultistep';
import { EulerAncestralDiscreteScheduler } from '../../src/engine/schedulers/eulerAncestralDiscrete';
import { EulerDiscreteScheduler } from '../../src/engine/schedulers/eulerDiscrete';
import { LCMScheduler } from '../../src/engine/schedulers/lcm';
import type { Scheduler } from '../../src/engine/schedulers/scheduler';
import type { SchedulerConfig, TimestepSpacing } from '../../src/engine/schedulers/schedulerConfig';

// ---- helpers ----------------------------------------------------------------------------------------

/** The SD 1.5 scheduler_config.json (runwayml/stable-diffusion-v1-5 scheduler/scheduler_config.json, a PNDMScheduler). */
const SD_CONFIG: SchedulerConfig = {
  _class_name: 'PNDMScheduler',
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
};

const ALL_NAMES: ConcreteSchedulerName[] = ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'];

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}

/** start, start − step, … (count values). */
function descending(start: number, step: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start - i * step);
}

function euler(config: SchedulerConfig, n: number): EulerDiscreteScheduler {
  const s = new EulerDiscreteScheduler(config);
  s.setTimesteps(n);
  return s;
}

function dpm(config: SchedulerConfig, n: number): DPMSolverMultistepScheduler {
  const s = new DPMSolverMultistepScheduler(config);
  s.setTimesteps(n);
  return s;
}

function timestepsOf(name: ConcreteSchedulerName, config: SchedulerConfig, n: number, strength = 1): readonly number[] {
  const s = createScheduler(name, config);
  s.setTimesteps(n, strength);
  return s.timesteps;
}

/** tests/schedulers/test_schedulers.py dummy_sample_deter (flip = dummy_noise_deter): (4,3,8,8) flattened NCHW. */
function dummySample(flip = false): Float32Array {
  const count = 4 * 3 * 8 * 8;
  const out = new Float32Array(count);
  for (let b = 0; b < 4; b++)
    for (let c = 0; c < 3; c++)
      for (let h = 0; h < 8; h++)
        for (let w = 0; w < 8; w++) {
          const source = ((c * 8 + h) * 8 + w) * 4 + b; // arange reshaped (3, 8, 8, 4), permuted (3, 0, 1, 2)
          out[((b * 3 + c) * 8 + h) * 8 + w] = (flip ? count - 1 - source : source) / count;
        }
  return out;
}

/** dummy_model: sample · t / (t + 1) in float32. */
function dummyModel(sample: Float32Array, t: number): Float32Array {
  const tf = Math.fround(t);
  const denominator = Math.fround(tf + 1);
  return sample.map((x) => Math.fround(x * tf) / denominator);
}

function scale(x: Float32Array, factor: number): Float32Array {
  return x.map((v) => v * factor);
}

function sumAbs(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += Math.abs(v);
  return s;
}

function maxAbsDiff(a: Float32Array, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The diffusers test loop: (sample = scale_model_input(sample) for Euler-type), model, step. */
function fullLoop(s: Scheduler, start: Float32Array, generator?: TorchGenerator, reassignScaled = false): Float32Array {
  let sample = start;
  for (const t of s.timesteps) {
    const input = s.scaleModelInput(sample, t);
    if (reassignScaled) sample = input;
    sample = s.step(dummyModel(input, t), t, sample, generator).prevSample;
  }
  return sample;
}

// ---- tables -----------------------------------------------------------------------------------------

describe('schedulers: training tables (scheduling_ddim.py __init__: betas, alphas_cumprod)', () => {
  const s = new DDIMScheduler(SD_CONFIG);
  const ac = s.alphasCumprod;

  it('ᾱ of the SD scaled_linear schedule', () => {
    assert.equal(ac.length, 1000);
    assertNear(ac[0], 0.99915, 5e-6, 'ᾱ[0]');
    assertNear(ac[1], 0.998296, 5e-7, 'ᾱ[1]');
    assertNear(Math.sqrt(ac[999]), 0.0682649, 5e-8, '√ᾱ[999]');
    // torch.cumprod on CPU accumulates float32 input in double (acc_type<float> = double) and stores
    // float32: ᾱ[999] = 0.00466009508… (a float32-accumulated product would give 0.0046600914).
    assertNear(ac[999], 0.0046600951, 5e-11, 'ᾱ[999]');
  });

  it('training sigmas σ_0 and σ_999', () => {
    const e = euler(SD_CONFIG, 1000);
    assertNear(e.sigmas[999], 0.0291675, 5e-8, 'σ_0'); // reversed: the last scheduled sigma is σ(t=0)
    // σ_max = 14.614647 (printed 14.6146 by diffusers; a float32-accumulated cumprod would give 14.614653).
    assertNear(e.sigmas[0], 14.614647, 5e-7, 'σ_999');
  });

  it('linear, scaled_linear, squaredcos_cap_v2 and trained_betas produce consistent tables', () => {
    const linear = new DDIMScheduler({ beta_schedule: 'linear', beta_start: 0.0001, beta_end: 0.02 }).alphasCumprod;
    assertNear(linear[0], 0.9999, 1e-7, 'linear ᾱ[0]');
    assertNear(linear[999], 4.0358e-5, 1e-8, 'linear ᾱ[999]');
    const cosine = new DDIMScheduler({ beta_schedule: 'squaredcos_cap_v2' }).alphasCumprod;
    assert.ok(cosine[0] > 0.9999 && cosine[999] < 1e-6 && cosine[500] > 0.45 && cosine[500] < 0.55, 'cosine shape');
    const betas = Array.from({ length: 1000 }, (_, i) => 0.0001 + (i * 0.0199) / 999);
    const trained = new DDIMScheduler({ trained_betas: betas, beta_schedule: 'scaled_linear' }).alphasCumprod;
    assertNear(trained[999], linear[999], 1e-9, 'trained_betas = the linear betas');
    const zeroSnr = new EulerDiscreteScheduler({ ...SD_CONFIG, rescale_betas_zero_snr: true });
    assert.equal(zeroSnr.alphasCumprod[999], 2 ** -24);
  });
});

describe('schedulers: timestep spacing (set_timesteps of scheduling_ddim.py, scheduling_euler_discrete.py, scheduling_dpmsolver_multistep.py, scheduling_lcm.py)', () => {
  const spacing = (timestep_spacing: TimestepSpacing): SchedulerConfig => ({ ...SD_CONFIG, timestep_spacing });

  it('DDIM integer timesteps for n = 50, 20, 4, 1 and every spacing', () => {
    const ddim = (sp: TimestepSpacing, n: number): number[] => [...timestepsOf('ddim', spacing(sp), n)];
    assert.deepEqual(ddim('leading', 50), descending(981, 20, 50));
    assert.deepEqual(ddim('trailing', 50), descending(999, 20, 50));
    assert.deepEqual(
      ddim('linspace', 50),
      [
        999, 979, 958, 938, 917, 897, 877, 856, 836, 816, 795, 775, 754, 734, 714, 693, 673, 652, 632, 612, 591, 571, 550, 530, 510, 489, 469, 449,
        428, 408, 387, 367, 347, 326, 306, 285, 265, 245, 224, 204, 183, 163, 143, 122, 102, 82, 61, 41, 20, 0,
      ],
    );
    assert.deepEqual(ddim('leading', 20), descending(951, 50, 20));
    assert.deepEqual(ddim('trailing', 20), descending(999, 50, 20));
    assert.deepEqual(ddim('linspace', 20), [999, 946, 894, 841, 789, 736, 684, 631, 578, 526, 473, 421, 368, 315, 263, 210, 158, 105, 53, 0]);
    assert.deepEqual(ddim('leading', 4), [751, 501, 251, 1]);
    assert.deepEqual(ddim('trailing', 4), [999, 749, 499, 249]);
    assert.deepEqual(ddim('linspace', 4), [999, 666, 333, 0]);
    assert.deepEqual(ddim('leading', 1), [1]);
    assert.deepEqual(ddim('trailing', 1), [999]);
    assert.deepEqual(ddim('linspace', 1), [0]);
    // the SD config has no timestep_spacing: DDIM's own default is "leading"
    assert.deepEqual([...timestepsOf('ddim', SD_CONFIG, 4)], [751, 501, 251, 1]);
  });

  it('Euler n = 20 linspace: float timesteps, interpolated sigmas, init_noise_sigma', () => {
    const e = euler(SD_CONFIG, 20); // the default spacing of Euler is linspace
    // np.linspace(0, 999, 20, dtype=float32) reversed: the float32 values are 473.21054, 262.89474, 52.57895
    // (printed to 4 decimals below).
    const t = [
      999, 946.4211, 893.8421, 841.2632, 788.6842, 736.1053, 683.5263, 630.9474, 578.3684, 525.7895, 473.2105, 420.6316, 368.0526, 315.4737,
      262.8947, 210.3158, 157.7368, 105.1579, 52.5789, 0,
    ];
    assertClose(e.timesteps, t, 5e-5, 't');
    const sigma = [
      14.6146, 10.7469, 8.0815, 6.205, 4.8557, 3.8654, 3.1238, 2.5572, 2.1157, 1.7648, 1.4806, 1.2458, 1.0481, 0.8784, 0.7297, 0.5964, 0.4736,
      0.3555, 0.2322, 0.0292, 0,
    ]; // σ_max 14.614647 (see the ᾱ test)
    assertClose(e.sigmas, sigma, 5e-5, 'σ');
    assertNear(e.initNoiseSigma, 14.614647, 5e-7, 'init_noise_sigma');
  });

  it('Euler leading and trailing (n = 20, 30, 50), init_noise_sigma √(σ² + 1) for leading', () => {
    const lead = euler(spacing('leading'), 20);
    assert.deepEqual([...lead.timesteps], descending(951, 50, 20));
    assertClose(lead.sigmas.subarray(0, 5), [11.0283, 8.3907, 6.5064, 5.1344, 4.1167], 5e-5, 'leading σ start');
    assertClose(lead.sigmas.subarray(18), [0.2281, 0.0413, 0], 5e-5, 'leading σ end');
    assertNear(lead.initNoiseSigma, 11.0736, 5e-5, 'leading init');
    const lead30 = euler(spacing('leading'), 30);
    assert.equal(lead30.timesteps[0], 958);
    assertNear(lead30.sigmas[0], 11.4769, 5e-5, 'leading n=30 σ');
    assertNear(lead30.initNoiseSigma, 11.5203, 5e-5, 'leading n=30 init');
    const lead50 = euler(spacing('leading'), 50);
    assert.equal(lead50.timesteps[0], 981);
    assertNear(lead50.sigmas[0], 13.1204, 5e-5, 'leading n=50 σ');
    assertNear(lead50.initNoiseSigma, 13.1585, 5e-5, 'leading n=50 init');

    const trail = euler(spacing('trailing'), 20);
    assert.deepEqual([...trail.timesteps], descending(999, 50, 20));
    const sigma = [
      14.6146, 10.9042, 8.3028, 6.443, 5.0878, 4.0817, 3.3211, 2.7355, 2.2765, 1.9103, 1.6129, 1.3672, 1.1606, 0.9838, 0.8299, 0.6932, 0.5693,
      0.4538, 0.3417, 0.223, 0,
    ];
    assertClose(trail.sigmas, sigma, 5e-5, 'trailing σ');
    assertNear(trail.initNoiseSigma, 14.614647, 5e-7, 'trailing init = max σ');
  });

  it('Euler Karras (n = 20, linspace): Karras sigmas and fractional timesteps', () => {
    const e = euler({ ...SD_CONFIG, use_karras_sigmas: true }, 20);
    const sigma = [
      14.6146, 11.7254, 9.3402, 7.3836, 5.7894, 4.4998, 3.4648, 2.6408, 1.9909, 1.4832, 1.0908, 0.7909, 0.5647, 0.3964, 0.273, 0.1842, 0.1213,
      0.0779, 0.0485, 0.0292, 0,
    ];
    assertClose(e.sigmas, sigma, 5e-5, 'σ');
    // 3 decimals; 560.976 and 34.698 sit 6.6e-4 from the values here (560.97534, 34.69736, which diffusers'
    // NumPy code reproduces: tools/reference/diffusersScheduleTables.py, lmsKarras20).
    const t = [
      999, 961.733, 921.042, 876.314, 826.791, 771.552, 709.53, 639.615, 560.976, 473.749, 380.132, 285.318, 197.081, 123.395, 69.257, 34.698,
      15.482, 5.992, 1.783, 0,
    ];
    assertClose(e.timesteps, t, 7e-4, 't');
    assertNear(e.timesteps[8], 560.97534, 5e-5, 't[8]');
    assertNear(e.timesteps[1], 961.733, 5e-4, 't[1]');
  });

  it('Euler ancestral uses the Euler schedule (and no Karras option)', () => {
    for (const sp of ['linspace', 'leading', 'trailing'] as const) {
      const ea = new EulerAncestralDiscreteScheduler({ ...spacing(sp), use_karras_sigmas: true });
      ea.setTimesteps(20);
      const e = euler(spacing(sp), 20);
      assert.deepEqual([...ea.timesteps], [...e.timesteps], sp);
      assert.deepEqual(ea.sigmas, e.sigmas, sp);
      assert.equal(ea.initNoiseSigma, e.initNoiseSigma, sp);
    }
  });

  it('SD-Turbo style trailing Euler, 1/2/4 steps (stabilityai/sd-turbo scheduler_config.json)', () => {
    const turbo = spacing('trailing');
    const one = euler(turbo, 1);
    assert.deepEqual([...one.timesteps], [999]);
    assertClose(one.sigmas, [14.6146, 0], 5e-5, 'n=1 σ');
    const two = euler(turbo, 2);
    assert.deepEqual([...two.timesteps], [999, 499]);
    assertClose(two.sigmas, [14.6146, 1.6129, 0], 5e-5, 'n=2 σ');
    const four = euler(turbo, 4);
    assert.deepEqual([...four.timesteps], [999, 749, 499, 249]);
    assertClose(four.sigmas, [14.6146, 4.0817, 1.6129, 0.6932, 0], 5e-5, 'n=4 σ');
    assertNear(one.initNoiseSigma, 14.6146, 5e-5, 'init');
    // one step: UNet input = latents / √(14.6147² + 1) = latents / 14.6489
    const latents = new Float32Array([14.6489]);
    assertNear(one.scaleModelInput(latents, 999)[0], 1, 1e-5, 'scaled input');
  });

  it('DPM++ 2M timesteps and sigmas, plain and Karras (n = 20)', () => {
    const plain = dpm(SD_CONFIG, 20);
    assert.deepEqual([...plain.timesteps], [999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200, 150, 100, 50]);
    assertClose(plain.sigmas.subarray(0, 2), [14.6146, 10.9042], 5e-5, 'σ start');
    const tail = [1.9103, 1.6183, 1.3717, 1.1644, 0.9871, 0.8328, 0.6958, 0.5717, 0.4561, 0.3439, 0.2256, 0];
    assertClose(plain.sigmas.subarray(9), tail, 5e-5, 'σ end');
    assert.equal(plain.initNoiseSigma, 1);

    const karras = dpm({ ...SD_CONFIG, use_karras_sigmas: true }, 20);
    assert.deepEqual([...karras.timesteps], [999, 962, 921, 876, 827, 772, 710, 640, 561, 474, 380, 285, 197, 123, 69, 35, 15, 6, 2, 0]);
    // the same sigmas as Euler Karras and as k-diffusion get_sigmas_karras(20, 0.0291675, 14.614653)
    assertClose(karras.sigmas, [...euler({ ...SD_CONFIG, use_karras_sigmas: true }, 20).sigmas], 1e-6, 'σ = Euler Karras σ');
  });

  it('LCM picks timesteps from its 50-step origin schedule (n = 1, 2, 4, 8)', () => {
    assert.deepEqual([...timestepsOf('lcm', SD_CONFIG, 1)], [999]);
    assert.deepEqual([...timestepsOf('lcm', SD_CONFIG, 2)], [999, 499]);
    assert.deepEqual([...timestepsOf('lcm', SD_CONFIG, 4)], [999, 759, 499, 259]);
    assert.deepEqual([...timestepsOf('lcm', SD_CONFIG, 8)], [999, 879, 759, 639, 499, 379, 259, 139]);
    const lcm = createScheduler('lcm', SD_CONFIG);
    lcm.setTimesteps(4);
    assert.equal(lcm.initNoiseSigma, 1);
    assert.throws(() => lcm.setTimesteps(51), /original_inference_steps/);
  });

  it('init_noise_sigma is 1 and scale_model_input is the identity for DDIM, DPM++ and LCM', () => {
    for (const name of ['ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'] as const) {
      const s = createScheduler(name, SD_CONFIG);
      s.setTimesteps(4);
      assert.equal(s.initNoiseSigma, 1, name);
      const x = new Float32Array([0.5, -2]);
      assert.deepEqual(s.scaleModelInput(x, s.timesteps[0]), x, name);
    }
  });
});

describe('schedulers: img2img strength (pipeline_stable_diffusion_img2img.py get_timesteps)', () => {
  it('runs int(n·strength) steps from the end of the schedule for every non-LCM scheduler', () => {
    const cases: Array<[number, number, number]> = [
      [50, 0.75, 37],
      [20, 0.5, 10],
      [4, 0.5, 2],
      [2, 0.5, 1],
    ];
    for (const name of ALL_NAMES.filter((n) => n !== 'lcm')) {
      for (const [n, strength, expected] of cases) {
        const full = timestepsOf(name, SD_CONFIG, n);
        const cut = timestepsOf(name, SD_CONFIG, n, strength);
        assert.equal(cut.length, expected, `${name} n=${n} s=${strength}`);
        assert.deepEqual([...cut], full.slice(n - expected), `${name} n=${n} s=${strength}`);
      }
    }
  });

  it('LCM multiplies strength into its origin schedule', () => {
    // origin = range(1, int(50·0.5) + 1)·20 − 1 = [19 … 499]; floor(linspace(0, 25, 4, endpoint=False)) = [0, 6, 12, 18]
    assert.deepEqual([...timestepsOf('lcm', SD_CONFIG, 4, 0.5)], [499, 379, 259, 139]);
    assert.deepEqual([...timestepsOf('lcm', SD_CONFIG, 2, 0.5)], [499, 259]);
    assert.deepEqual([...timestepsOf('lcm', SD_CONFIG, 4, 0.05)], []); // int(50·0.05) = 2 origin steps < 4
  });

  it('leaves no timestep when n·strength < 1, and rejects strengths outside (0, 1]', () => {
    for (const name of ALL_NAMES.filter((n) => n !== 'lcm')) assert.deepEqual([...timestepsOf(name, SD_CONFIG, 4, 0.2)], [], name);
    assert.throws(() => timestepsOf('ddim', SD_CONFIG, 4, 0), /strength/);
    assert.throws(() => timestepsOf('ddim', SD_CONFIG, 4, 1.5), /strength/);
    assert.throws(() => timestepsOf('ddim', SD_CONFIG, 0), /positive integer/);
  });

  it('add_noise at the start: x0 + σ_begin·n for Euler-type (not ×init_noise_sigma), √ᾱ·x0 + √(1−ᾱ)·n for DDIM / LCM / DPM', () => {
    const x0 = new Float32Array([0.25, -0.5, 1]);
    const noise = new Float32Array([1, 2, -1]);
    for (const name of ['euler', 'euler-a'] as const) {
      const s = createScheduler(name, SD_CONFIG) as EulerDiscreteScheduler;
      s.setTimesteps(20, 0.5);
      const sigma = s.sigmas[10];
      assertClose(s.addNoise(x0, noise, s.timesteps[0]), [...x0].map((v, i) => v + noise[i] * sigma), 1e-6, name);
    }
    for (const name of ['ddim', 'lcm', 'dpmpp-2m'] as const) {
      const s = createScheduler(name, SD_CONFIG);
      s.setTimesteps(20, 0.5);
      const t = s.timesteps[0];
      const a = s.alphasCumprod[t];
      const expected = [...x0].map((v, i) => Math.sqrt(a) * v + Math.sqrt(1 - a) * noise[i]);
      assertClose(s.addNoise(x0, noise, t), expected, 2e-6, `${name} t=${t}`);
    }
  });

  it('add_noise after a step uses the next timestep (the inpaint re-noise)', () => {
    const s = createScheduler('euler', SD_CONFIG) as EulerDiscreteScheduler;
    s.setTimesteps(10);
    const x = new Float32Array([1, 2, 3]);
    const t0 = s.timesteps[0];
    s.step(new Float32Array([0.1, 0.2, 0.3]), t0, s.scaleModelInput(x, t0));
    const out = s.addNoise(new Float32Array([0, 0, 0]), new Float32Array([1, 1, 1]), s.timesteps[1]);
    assertClose(out, [s.sigmas[1], s.sigmas[1], s.sigmas[1]], 0, 'σ_1·noise');
    assert.throws(() => s.addNoise(x, x, s.timesteps[2]), /expected/);
  });
});

// ---- diffusers' own full-loop constants (tests/schedulers/test_scheduler_*.py) ------------------------------

describe("schedulers: diffusers' test constants (tests/schedulers/test_scheduler_{ddim,euler,euler_ancestral,dpm_multi,lcm}.py)", () => {
  const LINEAR = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' } as const;
  const EULER_TEST = { ...LINEAR, num_train_timesteps: 1100 } as const;
  const DPM_TEST = { ...LINEAR, lower_order_final: false, final_sigmas_type: 'sigma_min' } as const;
  const LCM_TEST = { num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' } as const;
  const COUNT = 768;

  function ddimLoop(config: SchedulerConfig): Float32Array {
    const s = new DDIMScheduler({ ...LINEAR, clip_sample: true, ...config });
    s.setTimesteps(10);
    return fullLoop(s, dummySample());
  }

  it('DDIM: 172.0067, v-pred 52.5302, set_alpha_to_one 149.8295, without 149.0784', () => {
    const plain = ddimLoop({});
    assertNear(sumAbs(plain), 172.0067, 5e-5, 'default');
    assertNear(sumAbs(plain) / COUNT, 0.223967, 5e-7, 'default mean');
    assertNear(sumAbs(ddimLoop({ prediction_type: 'v_prediction' })), 52.5302, 5e-5, 'v-pred');
    assertNear(sumAbs(ddimLoop({ set_alpha_to_one: true, beta_start: 0.01 })), 149.8295, 5e-5, 'set_alpha_to_one');
    assertNear(sumAbs(ddimLoop({ set_alpha_to_one: false, beta_start: 0.01 })), 149.0784, 5e-5, 'no set_alpha_to_one');
  });

  function eulerLoop(s: EulerDiscreteScheduler, generator?: TorchGenerator): Float32Array {
    s.setTimesteps(10);
    return fullLoop(s, scale(dummySample(), s.initNoiseSigma), generator, true);
  }

  it('Euler: 10.0807, v-pred 0.0002, Karras 124.52299', () => {
    assertNear(sumAbs(eulerLoop(new EulerDiscreteScheduler(EULER_TEST))), 10.0807, 5e-5, 'default');
    // v-pred converges to ~0 (here 2.4e-10); diffusers' 0.0002 (and its mean 2.27e-6, i.e. a sum of
    // 1.7e-3) are rounding noise of another build, checked with diffusers' own 1e-2 tolerance.
    const vpred = sumAbs(eulerLoop(new EulerDiscreteScheduler({ ...EULER_TEST, prediction_type: 'v_prediction' })));
    assertNear(vpred, 0.0002, 1e-2, 'v-pred');
    assert.ok(vpred < 1e-3, `v-pred sum ${vpred}`);
    // 124.52258 here; diffusers 124.52299 (asserted there with 1e-2). The Karras ends follow σ_max, which
    // depends on how the ᾱ product is accumulated (double here, as torch.cumprod on CPU).
    const karras = eulerLoop(new EulerDiscreteScheduler({ ...EULER_TEST, use_karras_sigmas: true }));
    assertNear(sumAbs(karras), 124.52299499511719, 5e-4, 'Karras');
    assertNear(sumAbs(karras) / COUNT, 0.16213932633399963, 1e-6, 'Karras mean');
  });

  it('Euler ancestral with torch.manual_seed(0): 152.3192, v-pred 108.4439', () => {
    // 152.31927 here; float32 summation order alone moves this sum by 1e-4.
    const plain = eulerLoop(new EulerAncestralDiscreteScheduler(EULER_TEST), new TorchGenerator(0));
    assertNear(sumAbs(plain), 152.3192, 1e-4, 'default');
    assertNear(sumAbs(plain) / COUNT, 0.1983, 5e-5, 'default mean');
    const vpred = eulerLoop(new EulerAncestralDiscreteScheduler({ ...EULER_TEST, prediction_type: 'v_prediction' }), new TorchGenerator(0));
    assertNear(sumAbs(vpred), 108.4439, 5e-5, 'v-pred');
  });

  function dpmLoop(config: SchedulerConfig): number {
    const s = new DPMSolverMultistepScheduler({ ...DPM_TEST, ...config });
    s.setTimesteps(10);
    return sumAbs(fullLoop(s, dummySample())) / COUNT;
  }

  it('DPM++ 2M: mean 0.3301, v-pred 0.2251, Karras + v-pred 0.2096 (diffusers tolerance 1e-3)', () => {
    assertNear(dpmLoop({}), 0.3301, 5e-5, 'default');
    assertNear(dpmLoop({ prediction_type: 'v_prediction' }), 0.2251, 5e-5, 'v-pred');
    // 0.2092 here, inside diffusers' 1e-3 tolerance.
    const karrasVpred = dpmLoop({ prediction_type: 'v_prediction', use_karras_sigmas: true });
    assertNear(karrasVpred, 0.2096, 1e-3, 'Karras + v-pred');
    assertNear(karrasVpred, 0.2092, 5e-5, 'Karras + v-pred, this port');
  });

  it('LCM with seed 0: 1 step 18.7097 / 0.0244, 10 steps 197.7616 / 0.2575', () => {
    for (const [n, sum, mean] of [
      [1, 18.7097, 0.0244],
      [10, 197.7616, 0.2575],
    ] as const) {
      const s = new LCMScheduler(LCM_TEST);
      s.setTimesteps(n);
      const out = fullLoop(s, dummySample(), new TorchGenerator(0));
      assertNear(sumAbs(out), sum, 5e-5, `${n} steps sum`);
      assertNear(sumAbs(out) / COUNT, mean, 5e-5, `${n} steps mean`);
    }
  });

  it('img2img loops (test_full_loop_with_noise): Euler 57062.9297, Euler a 56163.0508, DDIM 354.5418, DPM++ 318.4111', () => {
    // t_start = 8 of 10 ⇔ strength 0.2; t_start = 5 ⇔ strength 0.5 (diffusers' 1e-2 tolerance on float32 sums)
    const noise = dummySample(true);
    const e = new EulerDiscreteScheduler(EULER_TEST);
    e.setTimesteps(10, 0.2);
    let x = e.addNoise(scale(dummySample(), e.initNoiseSigma), noise, e.timesteps[0]);
    assertNear(sumAbs(fullLoop(e, x, undefined, true)), 57062.9297, 1e-2, 'Euler');

    const ea = new EulerAncestralDiscreteScheduler(EULER_TEST);
    ea.setTimesteps(10, 0.2);
    x = ea.addNoise(scale(dummySample(), ea.initNoiseSigma), noise, ea.timesteps[0]);
    assertNear(sumAbs(fullLoop(ea, x, new TorchGenerator(0), true)), 56163.0508, 1e-2, 'Euler ancestral');

    const ddim = new DDIMScheduler({ ...LINEAR, clip_sample: true });
    ddim.setTimesteps(10, 0.2);
    x = ddim.addNoise(dummySample(), noise, ddim.timesteps[0]);
    assertNear(sumAbs(fullLoop(ddim, x)), 354.5418, 1e-2, 'DDIM');

    const d = new DPMSolverMultistepScheduler(DPM_TEST);
    d.setTimesteps(10, 0.5);
    x = d.addNoise(dummySample(), noise, d.timesteps[0]);
    assertNear(sumAbs(fullLoop(d, x)), 318.4111, 1e-2, 'DPM++ 2M');
  });
});

// ---- behaviour the pipelines rely on -------------------------------------------------------------------

describe('schedulers: a model that predicts the exact noise of a fixed x0', () => {
  const SIZE = 64;
  const x0 = new TorchGenerator(11).randn([SIZE]);
  const noise = new TorchGenerator(12).randn([SIZE]);
  const TOLERANCE = 5e-5;

  /** ᾱ seen by the model at loop step i: 1/(σ²+1) for sigma schedulers, the ᾱ table for DDIM / LCM. */
  function alphaBarAt(s: Scheduler, i: number, t: number): number {
    if (s instanceof EulerDiscreteScheduler || s instanceof DPMSolverMultistepScheduler) {
      const begin = s.sigmas.length - 1 - s.timesteps.length;
      const sigma = s.sigmas[begin + i];
      return 1 / (sigma * sigma + 1);
    }
    return s.alphasCumprod[t];
  }

  /** ε = (x_in − √ᾱ·x0)/√(1−ᾱ); v = √ᾱ·ε − √(1−ᾱ)·x0. */
  function exactModel(input: Float32Array, alphaBar: number, v: boolean): Float32Array {
    const a = Math.sqrt(alphaBar);
    const b = Math.sqrt(1 - alphaBar);
    return input.map((xin, k) => {
      const eps = (xin - a * x0[k]) / b;
      return v ? a * eps - b * x0[k] : eps;
    });
  }

  function run(s: Scheduler, start: Float32Array, v: boolean, generator?: TorchGenerator): Float32Array {
    let x = start;
    s.timesteps.forEach((t, i) => {
      const input = s.scaleModelInput(x, t);
      const out = s.step(exactModel(input, alphaBarAt(s, i, t), v), t, x, generator);
      assert.ok(maxAbsDiff(out.predOriginalSample, x0) < TOLERANCE, `${s.name} step ${i}: x0 off by ${maxAbsDiff(out.predOriginalSample, x0)}`);
      x = out.prevSample;
    });
    return x;
  }

  for (const prediction of ['epsilon', 'v_prediction'] as const) {
    for (const name of ALL_NAMES.filter((n) => n !== 'ddim')) {
      it(`${name} (${prediction}) ends at x0 and predicts x0 at every step`, () => {
        for (const steps of [1, 4, 20]) {
          if (name === 'lcm' && steps === 20) continue; // LCM's c_skip grows at small t; 1–8 steps is its range
          const s = createScheduler(name, { ...SD_CONFIG, prediction_type: prediction });
          s.setTimesteps(steps);
          const end = run(s, scale(noise, s.initNoiseSigma), prediction === 'v_prediction', new TorchGenerator(5));
          assert.ok(maxAbsDiff(end, x0) < TOLERANCE, `${name} ${steps} steps: ${maxAbsDiff(end, x0)}`);
        }
        // img2img start from add_noise at strength 0.5
        const s = createScheduler(name, { ...SD_CONFIG, prediction_type: prediction });
        s.setTimesteps(8, 0.5);
        const end = run(s, s.addNoise(x0, noise, s.timesteps[0]), prediction === 'v_prediction', new TorchGenerator(5));
        assert.ok(maxAbsDiff(end, x0) < TOLERANCE, `${name} img2img: ${maxAbsDiff(end, x0)}`);
      });
    }

    it(`ddim (${prediction}) ends at √ᾱ_f·x0 + √(1−ᾱ_f)·n with set_alpha_to_one false, at x0 with true`, () => {
      const s = createScheduler('ddim', { ...SD_CONFIG, prediction_type: prediction });
      s.setTimesteps(10, 0.7);
      const end = run(s, s.addNoise(x0, noise, s.timesteps[0]), prediction === 'v_prediction');
      const finalAlpha = s.alphasCumprod[0]; // final_alpha_cumprod = ᾱ[0] = 0.99915
      const expected = [...x0].map((v, k) => Math.sqrt(finalAlpha) * v + Math.sqrt(1 - finalAlpha) * noise[k]);
      assert.ok(maxAbsDiff(end, expected) < TOLERANCE, `closed form: ${maxAbsDiff(end, expected)}`);
      assert.ok(maxAbsDiff(end, x0) > 1e-3, 'not x0 itself');

      // txt2img: the noise direction is the first step's ε, n' = (x_T − √ᾱ_T·x0)/√(1−ᾱ_T)
      const t2i = createScheduler('ddim', { ...SD_CONFIG, prediction_type: prediction });
      t2i.setTimesteps(20);
      const aT = t2i.alphasCumprod[t2i.timesteps[0]];
      const endT2i = run(t2i, noise, prediction === 'v_prediction');
      const expectedT2i = [...x0].map((v, k) => {
        const n1 = (noise[k] - Math.sqrt(aT) * v) / Math.sqrt(1 - aT);
        return Math.sqrt(finalAlpha) * v + Math.sqrt(1 - finalAlpha) * n1;
      });
      assert.ok(maxAbsDiff(endT2i, expectedT2i) < TOLERANCE, `txt2img closed form: ${maxAbsDiff(endT2i, expectedT2i)}`);

      const one = createScheduler('ddim', { ...SD_CONFIG, prediction_type: prediction, set_alpha_to_one: true });
      one.setTimesteps(20);
      assert.ok(maxAbsDiff(run(one, noise, prediction === 'v_prediction'), x0) < TOLERANCE, 'set_alpha_to_one → x0');
    });
  }

  it('DDIM clip_sample clamps the predicted x0 to ±clip_sample_range', () => {
    const s = createScheduler('ddim', { ...SD_CONFIG, clip_sample: true, clip_sample_range: 0.5 });
    s.setTimesteps(4);
    const t = s.timesteps[0];
    const out = s.step(exactModel(noise, s.alphasCumprod[t], false), t, noise);
    const clipped = [...x0].map((v) => Math.min(Math.max(v, -0.5), 0.5));
    assertClose(out.predOriginalSample, clipped, TOLERANCE, 'clipped x0');
    assert.ok(out.predOriginalSample.every((v) => Math.abs(v) <= 0.5));
    assert.ok(clipped.filter((v) => Math.abs(v) === 0.5).length > 10, 'the test clips something');
  });

  it("'sample' prediction passes x0 through for Euler, DDIM, DPM++ and LCM", () => {
    for (const name of ['euler', 'ddim', 'dpmpp-2m', 'lcm'] as const) {
      const s = createScheduler(name, { ...SD_CONFIG, prediction_type: 'sample', set_alpha_to_one: true });
      s.setTimesteps(4);
      let x = scale(noise, s.initNoiseSigma);
      for (const t of s.timesteps) x = s.step(x0, t, x, new TorchGenerator(1)).prevSample;
      assert.ok(maxAbsDiff(x, x0) < 1e-5, `${name}: ${maxAbsDiff(x, x0)}`);
    }
    assert.throws(() => createScheduler('euler-a', { prediction_type: 'sample' }), /prediction_type/);
  });

  it('Euler ancestral draws randn([numel]) on every step, the last included; LCM on every step but the last', () => {
    const steps = 5;
    for (const [name, draws] of [
      ['euler-a', steps],
      ['lcm', steps - 1],
    ] as const) {
      const s = createScheduler(name, SD_CONFIG);
      s.setTimesteps(steps);
      const generator = new TorchGenerator(7);
      run(s, scale(noise, s.initNoiseSigma), false, generator);
      const reference = new TorchGenerator(7);
      for (let k = 0; k < draws; k++) reference.randn([SIZE]);
      assert.deepEqual(generator.rand([4]), reference.rand([4]), name);
    }
  });

  it('throws clear errors for a missing generator, a timestep out of order and a call before setTimesteps', () => {
    const ea = createScheduler('euler-a', SD_CONFIG);
    ea.setTimesteps(4);
    const t0 = ea.timesteps[0];
    assert.throws(() => ea.step(noise, t0, noise), /needs a TorchGenerator/);

    const lcm = createScheduler('lcm', SD_CONFIG);
    lcm.setTimesteps(2);
    assert.throws(() => lcm.step(noise, 999, noise), /needs a TorchGenerator/);
    const single = createScheduler('lcm', SD_CONFIG);
    single.setTimesteps(1);
    assert.equal(single.step(noise, 999, noise).prevSample.length, SIZE); // the last step needs no noise

    const e = createScheduler('euler', SD_CONFIG);
    assert.throws(() => e.step(noise, 999, noise), /setTimesteps/);
    e.setTimesteps(4);
    assert.throws(() => e.step(noise, e.timesteps[1], noise), /expected/);
    assert.throws(() => e.step(noise, e.timesteps[0], new Float32Array(3)), /length/);
    for (const t of e.timesteps) e.step(noise, t, noise);
    assert.throws(() => e.step(noise, 0, noise), /after the last step/);
  });
});

describe('schedulers: DPM++ 2M final-step order and final sigma', () => {
  const LINEAR = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', final_sigmas_type: 'sigma_min' } as const;

  /** Runs all but the last step of the dummy loop; returns the last step's output and its first-order value. */
  function lastStep(config: SchedulerConfig, n: number): { actual: Float32Array; firstOrder: number[] } {
    const s = new DPMSolverMultistepScheduler({ ...LINEAR, ...config });
    s.setTimesteps(n);
    let x = dummySample();
    const ts = s.timesteps;
    for (const t of ts.slice(0, -1)) x = s.step(dummyModel(x, t), t, x).prevSample;
    const t = ts[ts.length - 1];
    const eps = dummyModel(x, t);
    const alphaSigma = (sigma: number): [number, number] => [1 / Math.sqrt(sigma * sigma + 1), sigma / Math.sqrt(sigma * sigma + 1)];
    const [alphaS, sigmaS] = alphaSigma(s.sigmas[n - 1]);
    const [alphaT, sigmaT] = alphaSigma(s.sigmas[n]);
    const h = Math.log(alphaT / sigmaT) - Math.log(alphaS / sigmaS);
    const firstOrder = [...x].map((v, k) => (sigmaT / sigmaS) * v - alphaT * Math.expm1(-h) * ((v - sigmaS * eps[k]) / alphaS));
    return { actual: s.step(eps, t, x).prevSample, firstOrder };
  }

  it('lower_order_final (< 15 steps) and euler_at_final make the last step first order', () => {
    const lower = lastStep({ lower_order_final: true }, 10);
    assert.ok(maxAbsDiff(lower.actual, lower.firstOrder) < 1e-5, `lower_order_final: ${maxAbsDiff(lower.actual, lower.firstOrder)}`);
    const second = lastStep({ lower_order_final: false }, 10);
    assert.ok(maxAbsDiff(second.actual, second.firstOrder) > 1e-4, 'second order when lower_order_final is false');
    const many = lastStep({ lower_order_final: true }, 20);
    assert.ok(maxAbsDiff(many.actual, many.firstOrder) > 1e-4, 'second order with 15 steps or more');
    const euler = lastStep({ lower_order_final: true, euler_at_final: true }, 20);
    assert.ok(maxAbsDiff(euler.actual, euler.firstOrder) < 1e-5, `euler_at_final: ${maxAbsDiff(euler.actual, euler.firstOrder)}`);
  });

  it('final_sigmas_type sigma_min ends the sigmas at σ(0), zero at 0 (Euler and DPM++)', () => {
    assertNear(dpm({ ...SD_CONFIG, final_sigmas_type: 'sigma_min' }, 10).sigmas[10], 0.0291675, 5e-8, 'DPM++ sigma_min');
    assert.equal(dpm(SD_CONFIG, 10).sigmas[10], 0);
    assertNear(euler({ ...SD_CONFIG, final_sigmas_type: 'sigma_min' }, 10).sigmas[10], 0.0291675, 5e-8, 'Euler sigma_min');
    assert.equal(euler(SD_CONFIG, 10).sigmas[10], 0);
  });
});

describe('createScheduler / resolveDefaultScheduler', () => {
  it('builds the named scheduler class', () => {
    const expected: Record<ConcreteSchedulerName, unknown> = {
      euler: EulerDiscreteScheduler,
      'euler-karras': EulerDiscreteScheduler,
      'euler-a': EulerAncestralDiscreteScheduler,
      lms: LMSDiscreteScheduler,
      'lms-karras': LMSDiscreteScheduler,
      heun: HeunDiscreteScheduler,
      ddim: DDIMScheduler,
      pndm: PNDMScheduler,
      ddpm: DDPMScheduler,
      unipc: UniPCMultistepScheduler,
      'dpmpp-2m': DPMSolverMultistepScheduler,
      'dpmpp-2m-karras': DPMSolverMultistepScheduler,
      'dpmpp-2m-sde': DPMSolverMultistepScheduler,
      'dpmpp-2m-sde-karras': DPMSolverMultistepScheduler,
      'dpmpp-sde': DPMSolverSDEScheduler,
      'dpmpp-sde-karras': DPMSolverSDEScheduler,
      lcm: LCMScheduler,
    };
    for (const name of SAMPLER_NAMES) {
      const s = createScheduler(name, SD_CONFIG);
      assert.ok(s instanceof (expected[name] as new (...args: never[]) => Scheduler), name);
      assert.equal(s.name, name);
      // diffusers' class attribute order: 2 for the two-evaluation schedulers (img2img starts at t_start · 2)
      assert.equal(s.order, name === 'heun' || name.startsWith('dpmpp-sde') ? 2 : 1, name);
    }
  });

  it('keeps the keys each class knows and uses class defaults for the rest (from_config)', () => {
    // an empty config gives each class its own defaults: DDIM linear 1e-4…0.02, LCM scaled_linear 0.00085…0.012
    assertNear(createScheduler('ddim', {}).alphasCumprod[0], 0.9999, 1e-7, 'DDIM default betas');
    assertNear(createScheduler('lcm', {}).alphasCumprod[0], 0.99915, 1e-7, 'LCM default betas');
    // PNDM-only keys (skip_prk_steps) are ignored; DDIM reads set_alpha_to_one/steps_offset/clip_sample
    assert.deepEqual([...timestepsOf('ddim', SD_CONFIG, 4)], [751, 501, 251, 1]);
    // the dpmpp names force the DPM++ 2M solver whatever the model config says, and set Karras on/off
    const sde = { ...SD_CONFIG, _class_name: 'DPMSolverMultistepScheduler', algorithm_type: 'sde-dpmsolver++', solver_order: 3, use_karras_sigmas: true };
    assert.equal(createScheduler('dpmpp-2m', sde).name, 'dpmpp-2m');
    assert.deepEqual([...timestepsOf('dpmpp-2m', sde, 20)], [...timestepsOf('dpmpp-2m', SD_CONFIG, 20)]);
    assert.equal(createScheduler('dpmpp-2m-karras', SD_CONFIG).name, 'dpmpp-2m-karras');
  });

  it('rejects options this port does not implement, and values of the wrong type', () => {
    assert.throws(() => createScheduler('euler', { interpolation_type: 'log_linear' }), /interpolation_type/);
    assert.throws(() => createScheduler('euler', { use_exponential_sigmas: true }), /use_exponential_sigmas/);
    assert.throws(() => createScheduler('ddim', { thresholding: true }), /thresholding/);
    assert.throws(() => createScheduler('dpmpp-2m', { use_lu_lambdas: true }), /use_lu_lambdas/);
    assert.throws(() => createScheduler('ddim', { timestep_spacing: 'karras' as TimestepSpacing }), /timestep_spacing/);
    const badType = JSON.parse('{"num_train_timesteps": "1000"}') as SchedulerConfig; // as read from a broken JSON file
    assert.throws(() => createScheduler('euler', badType), /num_train_timesteps/);
    assert.throws(() => createScheduler('ddim', { beta_schedule: 'cubic' as 'linear' }), /beta_schedule/);
    assert.throws(() => createScheduler('ddim', { trained_betas: [0.1, 0.2] }), /trained_betas/);
    assert.throws(() => createScheduler('euler', JSON.parse('{"sigma_min": "small"}') as SchedulerConfig), /sigma_min/);
    assert.throws(() => createScheduler('dpmpp-2m', { variance_type: 'learned_range' }), /variance_type/);
  });

  it('maps _class_name to the closest supported scheduler', () => {
    const resolve = (config: SchedulerConfig): { name: ConcreteSchedulerName; note?: string } => resolveDefaultScheduler(config);
    assert.deepEqual(resolve({ _class_name: 'EulerDiscreteScheduler' }), { name: 'euler' });
    assert.deepEqual(resolve({ _class_name: 'EulerAncestralDiscreteScheduler' }), { name: 'euler-a' });
    assert.deepEqual(resolve({ _class_name: 'DDIMScheduler' }), { name: 'ddim' });
    assert.deepEqual(resolve({ _class_name: 'LCMScheduler' }), { name: 'lcm' });
    assert.deepEqual(resolve({ _class_name: 'DPMSolverMultistepScheduler' }), { name: 'dpmpp-2m' });
    assert.deepEqual(resolve({ _class_name: 'DPMSolverMultistepScheduler', use_karras_sigmas: true }), { name: 'dpmpp-2m-karras' });
    assert.deepEqual(resolve({ _class_name: 'DPMSolverMultistepScheduler', algorithm_type: 'sde-dpmsolver++' }), { name: 'dpmpp-2m-sde' });
    assert.deepEqual(resolve({ _class_name: 'DPMSolverMultistepScheduler', algorithm_type: 'sde-dpmsolver++', use_karras_sigmas: true }), {
      name: 'dpmpp-2m-sde-karras',
    });
    const order3 = resolve({ _class_name: 'DPMSolverMultistepScheduler', solver_order: 3 });
    assert.equal(order3.name, 'dpmpp-2m');
    assert.match(order3.note ?? '', /solver_order 3/);
    // The SD 1.5 folder: PNDMScheduler runs as PNDM with no warning.
    assert.deepEqual(resolve(SD_CONFIG), { name: 'pndm' });
    assert.deepEqual(resolve({ _class_name: 'UniPCMultistepScheduler' }), { name: 'unipc' });
    assert.match(resolve({ _class_name: 'UniPCMultistepScheduler', solver_order: 3 }).note ?? '', /solver_order 3/);
    assert.deepEqual(resolve({ _class_name: 'LMSDiscreteScheduler' }), { name: 'lms' });
    assert.deepEqual(resolve({ _class_name: 'LMSDiscreteScheduler', use_karras_sigmas: true }), { name: 'lms-karras' });
    assert.deepEqual(resolve({ _class_name: 'EulerDiscreteScheduler', use_karras_sigmas: true }), { name: 'euler-karras' });
    assert.deepEqual(resolve({ _class_name: 'HeunDiscreteScheduler' }), { name: 'heun' });
    assert.match(resolve({ _class_name: 'HeunDiscreteScheduler', use_karras_sigmas: true }).note ?? '', /plain sigmas/);
    assert.match(resolve({ _class_name: 'UniPCMultistepScheduler', use_karras_sigmas: true }).note ?? '', /use_karras_sigmas/);
    // the names fix the schedule: a Karras model config does not turn plain Heun / UniPC into Karras ones
    const karrasConfig = { ...SD_CONFIG, use_karras_sigmas: true };
    assert.deepEqual([...timestepsOf('unipc', karrasConfig, 10)], [...timestepsOf('unipc', SD_CONFIG, 10)]);
    assert.deepEqual([...timestepsOf('heun', karrasConfig, 10)], [...timestepsOf('heun', SD_CONFIG, 10)]);
    assert.notDeepEqual([...timestepsOf('lms-karras', SD_CONFIG, 10)], [...timestepsOf('lms', karrasConfig, 10)]);
    assert.deepEqual(resolve({ _class_name: 'DDPMScheduler' }), { name: 'ddpm' });
    assert.deepEqual(resolve({ _class_name: 'DPMSolverSDEScheduler', use_karras_sigmas: true }), { name: 'dpmpp-sde-karras' });
    for (const className of ['DEISMultistepScheduler', 'DPMSolverSinglestepScheduler']) {
      const r = resolve({ _class_name: className });
      assert.equal(r.name, 'dpmpp-2m', className);
      assert.match(r.note ?? '', new RegExp(className), className);
    }
    assert.equal(resolve({ _class_name: 'KDPM2DiscreteScheduler' }).name, 'heun');
    assert.equal(resolve({ _class_name: 'KDPM2AncestralDiscreteScheduler' }).name, 'euler-a');
    const unknown = resolve({ _class_name: 'FancyNewScheduler' });
    assert.equal(unknown.name, 'euler');
    assert.match(unknown.note ?? '', /FancyNewScheduler/);
    assert.match(resolve({}).note ?? '', /no _class_name/);
  });
});
