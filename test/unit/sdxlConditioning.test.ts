// The SDXL pieces that need no model: time_ids (diffusers _get_add_time_ids), which text-encoder outputs condition the
// UNet (penultimate by name, with the ONNX Runtime demo's names as fallbacks), the UNet's added inputs (6 or 5 wide),
// the model defaults, latents_mean/std scaling and the NaN/Inf check.
import * as assert from 'node:assert/strict';
import { sdxlTimeIds } from '../../src/engine/conditioning/sdxlTimeIds';
import { sdxlAddedConditioning } from '../../src/engine/components/sdxlUnetInputs';
import { sdxlTextEncoderOutputs } from '../../src/engine/components/sdxlTextEncoderOutputs';
import { modelDefaults } from '../../src/engine/model/modelDefaults';
import { checkFinite } from '../../src/engine/pipelines/checkFinite';
import { toUnetLatents, toVaeLatents } from '../../src/engine/pipelines/vaeLatentScaling';
import type { TensorSpec } from '../../src/engine/runtime/ort';
import type { ModelInfo } from '../../src/common/protocol/engineProtocol';

const spec = (name: string, shape: (number | string)[], type = 'float32'): TensorSpec => ({ name, type, shape } as TensorSpec);

describe('SDXL conditioning pieces', () => {
  it('time_ids = [orig_h, orig_w, crop_top, crop_left, target_h, target_w], defaults from the generated size', () => {
    assert.deepEqual([...sdxlTimeIds({ width: 1152, height: 896 })], [896, 1152, 0, 0, 896, 1152]);
    assert.deepEqual(
      [...sdxlTimeIds({ width: 1024, height: 768, originalSize: { width: 2048, height: 1536 }, cropTopLeft: { top: 16, left: 8 } })],
      [1536, 2048, 16, 8, 768, 1024],
    );
  });

  it('the penultimate hidden state by name: hidden_states.{N−1} of optimum exports, whatever N is', () => {
    const optimum = (n: number) => [spec('last_hidden_state', ['b', 's', 768]), spec('pooler_output', ['b', 768]), ...Array.from({ length: n + 1 }, (_, k) => spec(`hidden_states.${k}`, ['b', 's', 768]))];
    assert.deepEqual(sdxlTextEncoderOutputs('text_encoder', optimum(12)), { hiddenName: 'hidden_states.11', layers: 12, pooledName: undefined });
    const bigG = [spec('text_embeds', ['b', 1280]), spec('last_hidden_state', ['b', 's', 1280]), ...Array.from({ length: 33 }, (_, k) => spec(`hidden_states.${k}`, ['b', 's', 1280]))];
    assert.deepEqual(sdxlTextEncoderOutputs('text_encoder_2', bigG), { hiddenName: 'hidden_states.31', layers: 32, pooledName: 'text_embeds' });
    // Output order does not matter.
    assert.equal(sdxlTextEncoderOutputs('text_encoder_2', [...bigG].reverse()).hiddenName, 'hidden_states.31');
  });

  it('falls back to the ONNX Runtime demo names, and refuses a graph without hidden states (never last_hidden_state)', () => {
    const demo = [spec('text_embeddings', ['b', 1280]), spec('hidden_states', ['b', 77, 1280])];
    assert.deepEqual(sdxlTextEncoderOutputs('text_encoder_2', demo), { hiddenName: 'hidden_states', layers: null, pooledName: 'text_embeddings' });
    assert.throws(() => sdxlTextEncoderOutputs('text_encoder', [spec('last_hidden_state', ['b', 's', 768]), spec('pooler_output', ['b', 768])]), /penultimate.*output_hidden_states/);
  });

  it('the UNet’s added inputs: time_ids width from the graph, else requires_aesthetics_score (5) or 6', () => {
    const inputs = (timeIds: (number | string)[]) => ({ inputs: [spec('sample', ['b', 4, 'h', 'w']), spec('text_embeds', ['b', 1280]), spec('time_ids', timeIds)], outputs: [] });
    assert.equal(sdxlAddedConditioning(inputs(['b', 6]), null)?.timeIdsWidth, 6);
    assert.equal(sdxlAddedConditioning(inputs(['b', 5]), null)?.timeIdsWidth, 5);
    assert.equal(sdxlAddedConditioning(inputs(['b', 'w']), { requires_aesthetics_score: true })?.timeIdsWidth, 5);
    assert.equal(sdxlAddedConditioning(inputs(['b', 'w']), null)?.timeIdsWidth, 6);
    assert.throws(() => sdxlAddedConditioning(inputs(['b', 7]), null), /6 values per row/);
    assert.throws(() => sdxlAddedConditioning({ inputs: [spec('time_ids', ['b', 6])], outputs: [] }, null), /both "text_embeds" and "time_ids"/);
    assert.equal(sdxlAddedConditioning({ inputs: [spec('sample', ['b', 4, 'h', 'w'])], outputs: [] }, null), undefined);
  });

  it('defaults: SDXL guidance 5; trailing spacing (SDXL-Turbo) 4 steps and guidance 0; SD families none', () => {
    assert.equal(modelDefaults('sdxl', { timestep_spacing: 'leading' })?.guidanceScale, 5);
    assert.deepEqual(
      (({ steps, guidanceScale }) => ({ steps, guidanceScale }))(modelDefaults('sdxl', { timestep_spacing: 'trailing' })!),
      { steps: 4, guidanceScale: 0 },
    );
    assert.equal(modelDefaults('sd1', { timestep_spacing: 'trailing' }), undefined);
  });

  it('latents_mean / latents_std: unet = (vae − mean)·sf/std and back, per channel; without them ×sf', () => {
    const vae = { scalingFactor: 0.5, latentsMean: [1, -1], latentsStd: [2, 4] };
    const vaeLatents = Float32Array.of(3, 5, -1, 7);
    const unet = toUnetLatents(vaeLatents, 2, vae);
    assert.deepEqual([...unet], [0.5, 1, 0, 1]);
    assert.deepEqual([...toVaeLatents(unet, 2, vae)], [...vaeLatents]);
    assert.deepEqual([...toUnetLatents(vaeLatents, 2, { scalingFactor: 0.5 })], [1.5, 2.5, -0.5, 3.5]);
  });

  it('a decode with NaN/Inf fails naming the fp16-fix and fp32 VAE; a finite one passes', () => {
    const info = { name: 'sdxl', vae: { decoderDtype: 'float16' } } as unknown as Pick<ModelInfo, 'vae' | 'name'>;
    checkFinite(Float32Array.of(0, 1, -1), info);
    assert.throws(() => checkFinite(Float32Array.of(0, Number.NaN, Number.POSITIVE_INFINITY), info), /2 NaN\/Inf values.*float16.*fp16-fix VAE.*fp32 VAE/s);
  });
});
