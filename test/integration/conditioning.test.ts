// The two conditioners on the trained sample model's real text encoder: a plain prompt gives the same
// encoder_hidden_states through A1111's chunked, weighted path as through the plain CLIP path (so it can replace it
// without touching a pipeline), emphasis changes them, and a prompt past 75 tokens becomes two chunks (154 tokens).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { A1111Conditioner } from '../../src/engine/conditioning/a1111Conditioner';
import { PlainClipConditioner } from '../fixtures/plainClipConditioner';
import { PipelineModel } from '../../src/engine/model/pipelineModel';

const modelDir = path.resolve(__dirname, '../../..', 'models', 'tiny-shapes');

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('conditioning: plain CLIP and A1111 chunks behind one interface', function () {
  this.timeout(120_000);
  let model: PipelineModel;
  before(async () => {
    model = await PipelineModel.load(modelDir, undefined, { executionProvider: 'cpu' });
  });
  after(() => model?.release());

  it('a plain prompt: the same encoder_hidden_states, cond and uncond', async () => {
    const plain = await new PlainClipConditioner(model.tokenizer, model.textEncoder).encode('a red circle', 'a blue square', true);
    const a1111 = await new A1111Conditioner(model.tokenizer, model.textEncoder).encode('a red circle', 'a blue square', true);
    const [p] = plain.inputs;
    const [a] = a1111.inputs;
    assert.equal(a.name, 'encoder_hidden_states');
    assert.deepEqual(a.itemShape, p.itemShape);
    assert.ok(maxAbsDiff(a.cond, p.cond) < 1e-5, 'cond');
    assert.ok(a.uncond && p.uncond && maxAbsDiff(a.uncond, p.uncond) < 1e-5, 'uncond');
  });

  it('emphasis changes the conditioning; a long prompt becomes 2 chunks, cond and uncond alike', async () => {
    const conditioner = new A1111Conditioner(model.tokenizer, model.textEncoder);
    const plain = await conditioner.encode('a red circle', '', true);
    const weighted = await conditioner.encode('a (red:1.6) circle', '', true);
    assert.ok(maxAbsDiff(plain.inputs[0].cond, weighted.inputs[0].cond) > 1e-3);
    const long = await conditioner.encode(Array(50).fill('red circle').join(' '), '', true);
    assert.deepEqual(long.inputs[0].itemShape.slice(0, 1), [154]);
    assert.equal(long.inputs[0].uncond?.length, long.inputs[0].cond.length);
  });
});
