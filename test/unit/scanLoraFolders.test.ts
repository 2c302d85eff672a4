// The LoRA picker's list: .safetensors files of the LoRA folders (subfolders too, first name wins) with trigger
// words from their kohya metadata; the host's reply message passes its schema.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v from 'valibot';
import { loraListMessageSchema } from '../../src/common/protocol/loraPickerMessages';
import { loraListReply } from '../../src/host/prompt/loraListReply';
import { encodeSafetensors } from '../../src/node/lora/safetensorsFile';
import { scanLoraFolders } from '../../src/node/lora/scanLoraFolders';

describe('LoRA folders (picker)', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-scan-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists names and trigger words, searches subfolders, skips files that are not safetensors', () => {
    const one = path.join(dir, 'one');
    const two = path.join(dir, 'two');
    fs.mkdirSync(path.join(one, 'styles'), { recursive: true });
    fs.mkdirSync(two);
    const tensor = new Map([['lora_unet_x.lora_down.weight', { dtype: 'F32' as const, shape: [1], data: new Uint8Array(4) }]]);
    fs.writeFileSync(path.join(one, 'cat.safetensors'), encodeSafetensors(tensor, { ss_tag_frequency: JSON.stringify({ d: { 'cat ears': 2, tail: 5 } }), ss_base_model_version: 'sd_v1' }));
    fs.writeFileSync(path.join(one, 'styles', 'ink.safetensors'), encodeSafetensors(tensor));
    fs.writeFileSync(path.join(one, 'broken.safetensors'), 'nope');
    fs.writeFileSync(path.join(one, 'notes.txt'), 'not a LoRA');
    fs.writeFileSync(path.join(two, 'cat.safetensors'), encodeSafetensors(tensor));
    const entries = scanLoraFolders([one, two], 100);
    assert.deepEqual(entries.map((e) => [e.name, e.triggerWords, e.baseModel]), [
      ['cat', ['tail', 'cat ears'], 'sd_v1'],
      ['ink', [], undefined],
    ]);
    assert.equal(entries[0].file, path.join(one, 'cat.safetensors'));
    const reply = loraListReply([one, two, path.join(dir, 'missing')]);
    assert.ok(v.is(loraListMessageSchema, reply));
    assert.equal(reply.loras.length, 2);
    assert.deepEqual(loraListReply([]), { type: 'loraList', folders: [], loras: [] });
  });
});
