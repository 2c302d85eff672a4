// The model identity in asset hashes: content only (a copy elsewhere is the same model), every file txt2img reads.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeAnalyticModel } from '../../tools/analytic/analyticModel';
import { modelIdentity } from '../../src/node/assets/modelIdentity';

describe('modelIdentity', function () {
  this.timeout(60_000);
  let root: string;
  let model: string;
  let identity: string;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-identity-'));
    model = path.join(root, 'a');
    await writeAnalyticModel(model, {});
    identity = await modelIdentity(model);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const copy = (name: string): string => {
    const dir = path.join(root, name);
    fs.cpSync(model, dir, { recursive: true });
    return dir;
  };

  it('is a SHA-256 of the content: a copy in another folder, with other times, has the same identity', async () => {
    assert.match(identity, /^[0-9a-f]{64}$/);
    const other = copy('elsewhere');
    const later = new Date(Date.now() + 3_600_000);
    fs.utimesSync(path.join(other, 'unet', 'model.onnx'), later, later);
    assert.equal(await modelIdentity(other), identity);
  });

  for (const file of ['model_index.json', 'scheduler/scheduler_config.json', 'unet/model.onnx', 'vae_decoder/model.onnx', 'text_encoder/model.onnx']) {
    it(`changes when ${file} changes`, async () => {
      const dir = copy(`edit-${file.replace(/\W/g, '-')}`);
      fs.appendFileSync(path.join(dir, ...file.split('/')), ' ');
      assert.notEqual(await modelIdentity(dir), identity);
    });
  }

  it('changes when a tokenizer file is added; ignores the VAE encoder, hidden files and files outside the components', async () => {
    const added = copy('added');
    fs.writeFileSync(path.join(added, 'tokenizer', 'added_tokens.json'), '{}');
    assert.notEqual(await modelIdentity(added), identity);
    const ignored = copy('ignored');
    fs.rmSync(path.join(ignored, 'vae_encoder'), { recursive: true, force: true });
    fs.writeFileSync(path.join(ignored, 'unet', '.DS_Store'), 'x');
    fs.writeFileSync(path.join(ignored, 'README.md'), 'downloaded at some time');
    assert.equal(await modelIdentity(ignored), identity);
  });

  it('fails on a folder without model_index.json', async () => {
    await assert.rejects(modelIdentity(path.join(root, 'nowhere')), /model_index\.json/);
  });
});
