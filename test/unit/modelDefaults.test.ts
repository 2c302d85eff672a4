import * as assert from 'node:assert/strict';
import { modelDefaults, SDXL_DEFAULT_GUIDANCE } from '../../src/engine/model/modelDefaults';
import { manifestRecommendation } from '../../src/node/modelStore/installedModels';

describe('model defaults: scheduler config, then the catalog entry, then the family', () => {
  const turboRecommended = { id: 'sdxl-turbo', recommended: { steps: 4, guidanceScale: 0, scheduler: 'euler-a' as const } };
  const sdTurbo = { id: 'sd-turbo', recommended: { steps: 1, guidanceScale: 0, scheduler: 'default' as const } };

  it('an SDXL with trailing spacing is a few-step distilled model, whatever the catalog says', () => {
    const d = modelDefaults('sdxl', { timestep_spacing: 'trailing' }, { id: 'x', recommended: { steps: 30, guidanceScale: 7, scheduler: 'ddim' as const } });
    assert.deepEqual([d?.steps, d?.guidanceScale], [4, 0]);
    assert.match(d?.source ?? '', /scheduler_config\.json/);
  });

  it('the catalog entry it was installed from comes next, for any family', () => {
    const sd = modelDefaults('sd2', { timestep_spacing: 'trailing' }, sdTurbo);
    assert.deepEqual([sd?.steps, sd?.guidanceScale], [1, 0]);
    assert.match(sd?.source ?? '', /catalog entry "sd-turbo"/);
    const xl = modelDefaults('sdxl', { timestep_spacing: 'leading' }, { id: 'sdxl-base-1.0', recommended: { steps: 30, guidanceScale: 5, scheduler: 'dpmpp-2m-karras' as const } });
    assert.deepEqual([xl?.steps, xl?.guidanceScale], [30, 5]);
    assert.equal(modelDefaults('sdxl', { timestep_spacing: 'trailing' }, turboRecommended)?.steps, 4);
  });

  it('then the family: SDXL guidance 5; SD 1.x and 2.x have none of their own', () => {
    assert.deepEqual(modelDefaults('sdxl', {}), { guidanceScale: SDXL_DEFAULT_GUIDANCE, source: 'SDXL (diffusers StableDiffusionXLPipeline guidance_scale 5.0)' });
    assert.equal(modelDefaults('sd1', {}), undefined);
    assert.equal(modelDefaults('sd1', {}, { id: 'mine' }), undefined, 'a catalog entry without recommendations');
  });

  it('reads only well-formed recommendations from a manifest', () => {
    assert.deepEqual(manifestRecommendation({ recommended: { steps: 4, guidanceScale: 0, scheduler: 'lcm' } }), { steps: 4, guidanceScale: 0, scheduler: 'lcm' });
    assert.equal(manifestRecommendation({}), undefined);
    assert.equal(manifestRecommendation({ recommended: { steps: 0, guidanceScale: 1, scheduler: 'lcm' } }), undefined);
    assert.equal(manifestRecommendation({ recommended: { steps: 4, guidanceScale: '7', scheduler: 'lcm' } as never }), undefined);
    assert.equal(manifestRecommendation({ recommended: { steps: 4, guidanceScale: 1, scheduler: 'not-a-sampler' } as never }), undefined);
  });
});
