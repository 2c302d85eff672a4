// Seamless tiling's mode through the CLI, the infotext (A1111 `Tiling: True`, our `Tiling axes`) and back.
import * as assert from 'node:assert/strict';
import { parseCliArgs, UsageError, type GenerateCommand } from '../../src/cli/cliArgs';
import { argumentsFromInfotext, withInfotext } from '../../src/cli/infotextArguments';
import { tilingAxes, tilingFromInfotext, tilingInfotextFields } from '../../src/common/tilingMode';
import { tilingOf } from '../../src/engine/generateRequest';

const BASE = ['generate', '--model', 'm', '--prompt', 'p', '--out', 'o.png'];
const INFOTEXT = 'a tile\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 64x64';

describe('tiling mode', () => {
  it('axes of each mode', () => {
    assert.deepEqual(tilingAxes('xy'), { x: true, y: true });
    assert.deepEqual(tilingAxes('x'), { x: true, y: false });
    assert.deepEqual(tilingAxes('y'), { x: false, y: true });
  });

  it('--tiling takes xy, x, y (any case) and refuses anything else', () => {
    assert.equal((parseCliArgs([...BASE, '--tiling', 'xy']) as GenerateCommand).tiling, 'xy');
    assert.equal((parseCliArgs([...BASE, '--tiling', 'X']) as GenerateCommand).tiling, 'x');
    assert.equal((parseCliArgs(BASE) as GenerateCommand).tiling, undefined);
    assert.throws(() => parseCliArgs([...BASE, '--tiling', 'z']), (e: unknown) => e instanceof UsageError && /--tiling must be one of xy, x, y/.test(e.message));
  });

  it('infotext: Tiling: True (A1111), plus Tiling axes for one axis; read back the same', () => {
    assert.deepEqual(tilingInfotextFields(undefined), []);
    assert.deepEqual(tilingInfotextFields('xy'), [['Tiling', 'True']]);
    assert.deepEqual(tilingInfotextFields('y'), [['Tiling', 'True'], ['Tiling axes', 'Y']]);
    assert.equal(tilingFromInfotext({ Tiling: 'True' }), 'xy');
    assert.equal(tilingFromInfotext({ Tiling: 'True', 'Tiling axes': 'X' }), 'x');
    assert.equal(tilingFromInfotext({ Tiling: 'False' }), undefined);
    assert.equal(tilingFromInfotext({}), undefined);
  });

  it('--parameters reads Tiling back; the command line wins', () => {
    assert.equal(argumentsFromInfotext(`${INFOTEXT}, Tiling: True`).tiling, 'xy');
    assert.equal(argumentsFromInfotext(`${INFOTEXT}, Tiling: True, Tiling axes: Y`).tiling, 'y');
    assert.equal(argumentsFromInfotext(INFOTEXT).tiling, undefined);
    const cmd = parseCliArgs([...BASE, '--tiling', 'x']) as GenerateCommand;
    assert.equal(withInfotext(cmd, cmd.given, `${INFOTEXT}, Tiling: True`).tiling, 'x');
    const plain = parseCliArgs(BASE) as GenerateCommand;
    assert.equal(withInfotext(plain, plain.given, `${INFOTEXT}, Tiling: True`).tiling, 'xy');
  });

  it('the engine checks the mode', () => {
    assert.equal(tilingOf(undefined), undefined);
    assert.equal(tilingOf('x'), 'x');
    assert.throws(() => tilingOf('yx'), /tiling must be one of/);
  });
});
