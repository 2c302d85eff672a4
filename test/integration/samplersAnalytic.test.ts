// Every sampler of src/common/samplers.ts on the analytic models (tools/analytic/): with an exact model the
// data prediction x0 is the same at every step, so each sampler must land on the closed-form image — with
// CFG and a negative prompt, in txt2img, img2img and inpaint (4-channel latent blend, re-noised with the
// sampler's addNoise), for ε- and v-prediction. The progress counts the steps asked for (Heun, DPM++ SDE
// and PLMS run more UNet evaluations than steps), and the infotext reads back to the same sampler.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import type { GenerateProgress } from '../../src/common/protocol/engineProtocol';
import { SAMPLER_NAMES, samplerFromA1111 } from '../../src/common/samplers';
import { Engine } from '../../src/engine/engine';
import { decodeImage } from '../../src/node/image/imageCodec';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { AnalyticOracle } from '../../tools/analytic/analyticOracle';
import { folderCache, planarToBytes, maxRgbDiff } from '../fixtures/analyticImages';
import { assertImg2imgAndInpaintLandOn } from '../fixtures/assertImg2imgAndInpaint';
import { looseGenerate } from '../fixtures/looseGenerate';
import { insideRect, rectInpaintInputs } from '../fixtures/rectInpaintInputs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-samplers-'));

/**
 * The SD 1.5 scheduler_config.json (a PNDMScheduler) with set_alpha_to_one true, so that PLMS and DDIM end at
 * x0 exactly like the sigma samplers (with false they end at √ᾱ_0·x0 + √(1 − ᾱ_0)·ε, tested elsewhere).
 */
function pndmConfig(predictionType: 'epsilon' | 'v_prediction'): Record<string, unknown> {
  return {
    _class_name: 'PNDMScheduler',
    beta_start: 0.00085,
    beta_end: 0.012,
    beta_schedule: 'scaled_linear',
    num_train_timesteps: 1000,
    set_alpha_to_one: true,
    skip_prk_steps: true,
    steps_offset: 1,
    trained_betas: null,
    clip_sample: false,
    prediction_type: predictionType,
  };
}

const W = 64;
const H = 48;
const PROMPT = 'a red circle on the left';
const NEGATIVE = 'a blue';
const GUIDANCE = 2;
/** Stochastic samplers and LMS accumulate a little more float32 error than one level. */
const TOLERANCE = 2;

describe('every sampler on the analytic models', function () {
  this.timeout(300_000);
  const engine = new Engine();
  type Prediction = 'epsilon' | 'v_prediction';
  const cache = folderCache<Prediction>(root, (target, prediction) => writeAnalyticModel(target, { predictionType: prediction, schedulerConfig: pndmConfig(prediction) }));
  const model = (prediction: Prediction): Promise<string> => cache(prediction, prediction);
  const generate = looseGenerate(engine);

  let initPng: Uint8Array;
  let maskPng: Uint8Array;
  const rect = { x: 8, y: 8, w: 32, h: 24 }; // latent-cell aligned
  const inside = insideRect(rect, W);
  before(async () => {
    // init image: a white-ish noise pattern; mask: a hard rectangle
    ({ initPng, maskPng } = await rectInpaintInputs(W, H, rect));
  });

  after(async () => {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("the SD 1.5 folder's default is PNDM (PLMS) with no warning", async () => {
    const result = await generate(await model('epsilon'), { prompt: PROMPT, width: W, height: H, steps: 4, guidanceScale: 1, seed: 1 });
    assert.equal(result.scheduler, 'pndm');
    assert.deepEqual(result.warnings ?? [], []);
  });

  for (const prediction of ['epsilon', 'v_prediction'] as const) {
    for (const sampler of SAMPLER_NAMES) {
      // LCM is for LCM models: its boundary condition c_skip / c_out targets x0 as well, so it converges here too.
      const steps = sampler === 'ddpm' ? 30 : sampler === 'lcm' ? 4 : 12;
      it(`${sampler} (${prediction}): txt2img, img2img and inpaint with CFG land on the closed form`, async () => {
        const dir = await model(prediction);
        const oracle = new AnalyticOracle({ predictionType: prediction });
        const expected = planarToBytes(oracle.decodeLatent(oracle.guidedTarget(NEGATIVE, PROMPT, GUIDANCE, H / 8, W / 8), H / 8, W / 8), H, W);
        const common = { prompt: PROMPT, negativePrompt: NEGATIVE, guidanceScale: GUIDANCE, steps, seed: 11, scheduler: sampler } as const;

        const progress: GenerateProgress[] = [];
        const txt = await generate(dir, { ...common, width: W, height: H, previewEverySteps: 1 }, progress);
        assert.equal(txt.scheduler, sampler);
        const image = await decodeImage(txt.images[0].png);
        assert.ok(maxRgbDiff(image.data, image.channels, expected, 3) <= TOLERANCE, `txt2img max diff ${maxRgbDiff(image.data, image.channels, expected, 3)}`);
        const denoising = progress.filter((p) => p.stage === 'denoising');
        assert.deepEqual(
          denoising.map((p) => (p.stage === 'denoising' ? `${p.step}/${p.steps}` : '')),
          Array.from({ length: steps }, (_, i) => `${i + 1}/${steps}`),
          'one progress event per requested step',
        );
        assert.equal(denoising.filter((p) => p.stage === 'denoising' && p.preview).length, steps, 'one preview per step');

        // The infotext reads back to the same sampler (A1111 ≥ 1.9 Sampler + Schedule type).
        const text = readPngTextChunks(txt.images[0].png).find((c) => c.keyword === 'parameters')?.text ?? '';
        const params = parseA1111Parameters(text);
        assert.deepEqual(samplerFromA1111(params.sampler, params.scheduleType), { ok: true, name: sampler });

        await assertImg2imgAndInpaintLandOn((inputs) => generate(dir, { ...common, ...inputs }), { initPng, maskPng, inside }, expected, TOLERANCE);
      });
    }
  }
});
