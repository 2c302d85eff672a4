import * as assert from 'node:assert/strict';
import { DEFAULT_FORM, STATE_VERSION, hostFormIsNewer, loadState, newSeedText } from '../../webview/generate/panelState';
import { isSeedText } from '../../src/common/seed';

describe("Generate panel: the page's saved state", () => {
  it('reads seeds saved as numbers by an older page as decimal strings', () => {
    const state = loadState({
      version: STATE_VERSION,
      form: { ...DEFAULT_FORM, seedMode: 'fixed', fixedSeed: 77 },
      known: [{ resultId: 'r-1', seed: 1234, prompt: 'a fox' }],
      lastSeed: 4294967295,
    });
    assert.equal(state.form?.fixedSeed, '77');
    assert.equal(state.lastSeed, '4294967295');
    assert.deepEqual(state.known, [{ resultId: 'r-1', seed: '1234', prompt: 'a fox' }]);
  });

  it('keeps 64-bit seeds exactly and drops what is not a seed or a result', () => {
    const state = loadState({
      version: STATE_VERSION,
      form: { ...DEFAULT_FORM, seedMode: 'fixed', fixedSeed: '18446744073709551615' },
      known: [{ resultId: 'r-1', seed: '18446744073709551615' }, { resultId: '../x' }, { resultId: 'r-2', seed: -5 }, 'junk'],
      lastSeed: '18446744073709551616',
    });
    assert.equal(state.form?.fixedSeed, '18446744073709551615');
    assert.equal(state.lastSeed, null);
    assert.deepEqual(
      state.known.map((k) => [k.resultId, k.seed]),
      [
        ['r-1', '18446744073709551615'],
        ['r-2', undefined],
      ],
    );
  });

  it("takes the host's copy of the form when the page has none, or an older one (a state stored late)", () => {
    const page = loadState({ version: STATE_VERSION, form: { ...DEFAULT_FORM, prompt: 'old' }, known: [], lastSeed: null, savedAt: 1_000 });
    assert.equal(page.savedAt, 1_000);
    assert.equal(hostFormIsNewer(page, { ...DEFAULT_FORM, prompt: 'new', savedAt: 2_000 }), true);
    assert.equal(hostFormIsNewer(page, { ...DEFAULT_FORM, prompt: 'older', savedAt: 500 }), false);
    assert.equal(hostFormIsNewer(page, { ...DEFAULT_FORM, prompt: 'undated' }), false);
    assert.equal(hostFormIsNewer(page, undefined), false);
    assert.equal(hostFormIsNewer(loadState(undefined), { ...DEFAULT_FORM }), true, 'a fresh page takes it');
    // A state from before savedAt existed: any dated copy from the host is newer.
    assert.equal(hostFormIsNewer(loadState({ version: STATE_VERSION, form: DEFAULT_FORM, known: [], lastSeed: null }), { savedAt: 1 }), true);
  });

  it('draws fresh seeds as decimal strings', () => {
    assert.ok(isSeedText(newSeedText()));
  });
});
