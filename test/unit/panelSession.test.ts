import * as assert from 'node:assert/strict';
import { MAX_PANEL_RESULTS, parseFromGeneratePanelMessage, parseToGeneratePanelMessage } from '../../src/common/protocol/generatePanelProtocol';
import { PANEL_SESSION_KEY, PanelSessionStore } from '../../src/host/generate/panelSession';
import { DEFAULT_FORM, loadForm } from '../../webview/generate/panelState';

function memento(initial?: unknown) {
  const values = new Map<string, unknown>(initial === undefined ? [] : [[PANEL_SESSION_KEY, initial]]);
  return { values, get: (key: string) => values.get(key), update: async (key: string, value: unknown) => void values.set(key, value) };
}

describe('Generate panel: the session kept for a panel opened again', () => {
  it('keeps the form and the latest result ids, and the page reads the form back as it was', () => {
    const m = memento();
    const store = new PanelSessionStore(m);
    const form = { ...DEFAULT_FORM, prompt: 'a red fox, (snow:1.2)', seedMode: 'fixed' as const, fixedSeed: '18446744073709551615', steps: 7 };
    // The page posts its form; the host checks the message with the one schema, then keeps it.
    const message = parseFromGeneratePanelMessage({ type: 'formState', form });
    assert.ok(message.ok && message.message.type === 'formState');
    const ids = Array.from({ length: MAX_PANEL_RESULTS + 3 }, (_, i) => `r-${i}`);
    store.write({ form: message.message.form, resultIds: ids });
    // A new store (a new panel, a restart) reads it back.
    const again = new PanelSessionStore(m).read();
    assert.deepEqual(again.resultIds, ids.slice(-MAX_PANEL_RESULTS));
    // The host sends it in `init`; the page loads it as its form.
    const init = parseToGeneratePanelMessage({
      type: 'init',
      defaults: { steps: 20, guidanceScale: 7.5, scheduler: 'default', width: 0, height: 0 },
      model: null, results: [], job: null, initImage: null, canSaveToWorkspace: true, form: again.form,
    });
    assert.ok(init.ok && init.message.type === 'init');
    assert.deepEqual(loadForm(init.message.form), form);
  });

  it('reads a missing or damaged session as empty', () => {
    assert.deepEqual(new PanelSessionStore(memento()).read(), { resultIds: [] });
    assert.deepEqual(new PanelSessionStore(memento({ resultIds: ['../x'] })).read(), { resultIds: [] });
    assert.deepEqual(new PanelSessionStore(memento('junk')).read(), { resultIds: [] });
  });

  it('refuses a form message that is not flat JSON values', () => {
    assert.equal(parseFromGeneratePanelMessage({ type: 'formState', form: { prompt: { nested: true } } }).ok, false);
  });
});
