// Seamless tiling's mode through the CLI, the infotext (A1111 `Tiling: True`, our `Tiling axes`) and back.
import * as assert from 'node:assert/strict';
import { parseCliArgs, UsageError, type GenerateCommand } from '../../src/cli/cliArgs';
import { argumentsFromInfotext, withInfotext } from '../../src/cli/infotextArguments';
import { parseFromGeneratePanelMessage, type GenerateFormValues } from '../../src/common/protocol/generatePanelProtocol';
import { tiledPreviewGrid, tilingAxes, tilingFromInfotext, tilingInfotextFields, tilingOfInfotext } from '../../src/common/tilingMode';
import { tilingOf } from '../../src/engine/generateRequest';
import { panelGenerationParams } from '../../src/host/generate/panelGenerationParams';
import { DEFAULT_FORM, loadState, STATE_VERSION } from '../../webview/generate/panelState';

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

  it("the Generate panel's Seamless option: message schema, engine params, saved state", () => {
    const form: GenerateFormValues = {
      prompt: 'a tile', negativePrompt: '', steps: 20, guidanceScale: 7, seed: null, scheduler: 'default', batchCount: 1, useInitImage: false, strength: 0.75,
    };
    assert.ok(parseFromGeneratePanelMessage({ type: 'generate', form: { ...form, tiling: 'xy' } }).ok);
    assert.ok(!parseFromGeneratePanelMessage({ type: 'generate', form: { ...form, tiling: 'z' } }).ok);
    assert.equal(panelGenerationParams({ ...form, tiling: 'x' }, undefined).tiling, 'x');
    assert.equal(panelGenerationParams({ ...form, useInitImage: true, tiling: 'y' }, new Uint8Array(1)).tiling, 'y');
    assert.equal('tiling' in panelGenerationParams(form, undefined), false);
    const saved = (tiling: unknown) => loadState({ version: STATE_VERSION, form: { ...DEFAULT_FORM, tiling }, known: [], lastSeed: null }).form?.tiling;
    assert.equal(saved('xy'), 'xy');
    assert.equal(saved('diagonal'), 'off');
    assert.equal(DEFAULT_FORM.tiling, 'off');
  });

  it("the tiled preview: which results and what layout", () => {
    assert.equal(tilingOfInfotext(`${INFOTEXT}, Tiling: True`), 'xy');
    assert.equal(tilingOfInfotext(`${INFOTEXT}, Tiling: True, Tiling axes: X`), 'x');
    assert.equal(tilingOfInfotext(INFOTEXT), undefined);
    assert.equal(tilingOfInfotext('not an infotext'), undefined);
    assert.deepEqual(tiledPreviewGrid('xy'), { columns: 3, rows: 3 });
    assert.deepEqual(tiledPreviewGrid('x'), { columns: 3, rows: 1 });
    assert.deepEqual(tiledPreviewGrid('y'), { columns: 1, rows: 3 });
  });

  it('the engine checks the mode', () => {
    assert.equal(tilingOf(undefined), undefined);
    assert.equal(tilingOf('x'), 'x');
    assert.throws(() => tilingOf('yx'), /tiling must be one of/);
  });
});
