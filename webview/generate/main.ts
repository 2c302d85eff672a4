// Entry of the Generate Image page. Builds the form, the live preview and the results grid, keeps the form in the
// webview state, checks every host message against its schema, and says `ready` last (the host posts nothing before that).
import {
  parseToGeneratePanelMessage,
  type FromGeneratePanelMessage,
  type ToGeneratePanelMessage,
} from '../../src/common/protocol/generatePanelProtocol';
import { connectToHost } from '../common/vscodeApi';
import { h } from '../common/dom';
import { GenerateForm } from './form';
import { DEFAULT_FORM, SAVED_AT_FIELD, hostFormIsNewer, loadForm, loadState, type PanelState } from './panelState';
import { PreviewView } from './previewView';
import { ResultsGrid } from './resultsGrid';

const host = connectToHost<FromGeneratePanelMessage, PanelState>();
let state = loadState(host.getState());
const freshForm = state.form === null;
/** The state as the page found it (what `init` compares the host's copy of the form with). */
const loadedState = state;

/** The host keeps a copy of the form for a panel opened again after it was closed; sent after a pause in typing. */
const FORM_STATE_DELAY_MS = 300;
let formStateTimer: ReturnType<typeof setTimeout> | undefined;

function save(): void {
  state = { ...state, form: form.values, known: results.known(), savedAt: Date.now() };
  host.setState(state);
  if (formStateTimer !== undefined) clearTimeout(formStateTimer);
  formStateTimer = setTimeout(sendFormState, FORM_STATE_DELAY_MS);
}

/** Gives the host the form now (on Generate: the form that made the results must come back with them). */
function sendFormState(): void {
  if (formStateTimer !== undefined) clearTimeout(formStateTimer);
  formStateTimer = undefined;
  host.post({ type: 'formState', form: { ...form.values, [SAVED_AT_FIELD]: Date.now() } });
}

const preview = new PreviewView();
const results = new ResultsGrid(
  (action, resultId) => {
    host.post({ type: 'resultAction', action, resultId });
    if (action === 'discard') save();
  },
  () => host.post({ type: 'saveAll' }),
);
const form = new GenerateForm(state.form ?? DEFAULT_FORM, {
  onChange: () => save(),
  onGenerate: () => {
    const checked = form.validate();
    if ('error' in checked) {
      form.showMessage(checked.error);
      return;
    }
    form.showMessage('');
    form.setRunning(true);
    sendFormState();
    host.post({ type: 'generate', form: checked.values });
  },
  onCancel: () => host.post({ type: 'cancel' }),
  onPickInitImage: () => host.post({ type: 'pickInitImage' }),
  onClearInitImage: () => host.post({ type: 'clearInitImage' }),
  onSelectModel: () => host.post({ type: 'selectModel' }),
  onCountTokens: (message) => host.post(message),
  onListLoras: (message) => host.post(message),
});
form.setLastSeed(state.lastSeed);

const app = document.getElementById('app') ?? document.body;
app.replaceChildren(h('main', { class: 'generate' }, h('div', { class: 'top' }, form.element, preview.element), results.element));

function onMessage(message: ToGeneratePanelMessage): void {
  switch (message.type) {
    case 'init': {
      // The form of the panel closed last (the host's copy) when the page has none or an older one (a window reload
      // can come before VS Code has stored the page's latest state); else a fresh page gets the settings' defaults.
      const restored = hostFormIsNewer(loadedState, message.form) ? loadForm(message.form) : null;
      if (restored) form.replaceValues(restored);
      else if (freshForm) form.applyDefaults(message.defaults);
      if (message.model) form.setModel(message.model);
      results.setResults(message.results, message.canSaveToWorkspace);
      form.setInitImage(message.initImage);
      if (message.job) preview.start(message.job);
      form.setRunning(message.job !== null);
      {
        const newest = results.newest();
        if (newest && !message.job) void preview.showImage(newest.png);
      }
      save();
      form.tokenCounter.refresh();
      return;
    }
    case 'applyParameters':
      form.applyParameters(message.parameters);
      form.focusPrompt();
      return;
    case 'model':
      form.setModel(message.model);
      // Another model may have another tokenizer (or none usable).
      form.tokenCounter.refresh();
      return;
    case 'jobStarted':
      preview.start(message.job);
      form.setRunning(true);
      return;
    case 'progress':
      preview.progress(message.jobId, message.progress);
      return;
    case 'results': {
      results.add(message.results);
      const first = message.results[0];
      if (first) {
        state = { ...state, lastSeed: first.seed };
        form.setLastSeed(first.seed);
        void preview.showImage(first.png);
      }
      save();
      return;
    }
    case 'jobEnded':
      // A failure is shown once, in the form's message line; the preview only says "Failed".
      preview.end(message.jobId, message.outcome, message.elapsedMs);
      form.setRunning(false);
      if (message.outcome === 'failed') form.showMessage(message.message ?? 'The generation failed.');
      else if (message.warnings.length > 0) form.showMessage(message.warnings.join(' '), 'info');
      return;
    case 'resultSaved':
      results.markSaved(message.resultId, message.savedPath, message.savedUri, message.savedPaths);
      save();
      return;
    case 'initImage':
      form.setInitImage(message.image, true);
      return;
    case 'tokenCounts':
      form.tokenCounter.receive(message);
      return;
    case 'loraList':
      form.loraPicker.receive(message);
      return;
    default: {
      const unexpected: never = message;
      host.post({ type: 'error', message: `Unhandled message ${String((unexpected as { type?: unknown }).type)}` });
    }
  }
}

host.onMessage(parseToGeneratePanelMessage, (message) => {
  try {
    onMessage(message);
  } catch (error) {
    host.post({ type: 'error', message: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
});
window.addEventListener('error', (event) => host.post({ type: 'error', message: String(event.message) }));

host.post({ type: 'ready', known: state.known });
// Typing can start at once: the first key goes to the prompt, not to the editor behind the panel.
form.focusPrompt();
