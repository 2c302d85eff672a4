// Extra-network tags as stable-diffusion-webui reads them: `modules/extra_networks.py` parse_prompt and
// ExtraNetworkParams, `extensions-builtin/Lora/extra_networks_lora.py` activate (te/unet multipliers).
import * as assert from 'node:assert/strict';
import { parseExtraNetworks } from '../../src/common/prompt/parseExtraNetworks';

describe('parseExtraNetworks (A1111 extra_networks.parse_prompt)', () => {
  it('removes every tag from the text to encode and lists the networks with their weights', () => {
    const r = parseExtraNetworks('1girl, <lora:detail_tweaker:0.8> smile <lyco:style:1.2> <hypernet:agm> <lora:plain>');
    assert.equal(r.text, '1girl,  smile   ');
    assert.deepEqual(
      r.networks.map((n) => [n.kind, n.name, n.weight, n.unetWeight]),
      [
        ['lora', 'detail_tweaker', 0.8, 0.8],
        ['lyco', 'style', 1.2, 1.2],
        ['hypernet', 'agm', 1.0, 1.0],
        ['lora', 'plain', 1.0, 1.0],
      ],
    );
    assert.equal(r.networks[0].tag, '<lora:detail_tweaker:0.8>');
    assert.deepEqual(r.problems, []);
  });

  it('reads the UNet multiplier and named te= / unet= arguments', () => {
    const [a, b, c] = parseExtraNetworks('<lora:a:0.5:0.9> <lora:b:te=0.3:unet=0.7> <lora:c:1:dyn=4>').networks;
    assert.deepEqual([a.weight, a.unetWeight], [0.5, 0.9]);
    assert.deepEqual([b.weight, b.unetWeight], [0.3, 0.7]);
    assert.deepEqual([c.weight, c.unetWeight, c.args], [1, 1, ['c', '1', 'dyn=4']]);
  });

  it('removes tags of unknown kinds too (A1111 skips them) and leaves other angle brackets alone', () => {
    const r = parseExtraNetworks('a <foo:bar> b <not a tag> c <:x> <lora:>');
    assert.equal(r.text, 'a  b <not a tag> c <:x> <lora:>');
    assert.deepEqual(r.networks.map((n) => n.kind), ['foo']);
  });

  it('reports a multiplier that is not a number and ignores that network', () => {
    const r = parseExtraNetworks('x <lora:a:strong> <lora:b:0.5>');
    assert.equal(r.text, 'x  ');
    assert.deepEqual(r.networks.map((n) => n.name), ['b']);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0], /<lora:a:strong>: "strong" is not a finite number/);
  });
});
