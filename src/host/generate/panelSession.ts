// What the host remembers of the Generate panel for the next one opened after it was closed (the page's own
// webview state goes with the panel): the form as last typed and the ids of its results, whose pixels the
// generation history keeps. Kept in workspace state (a vscode.Memento); no vscode import: unit-tested.
import { MAX_PANEL_RESULTS, parsePanelSession, type SavedForm } from '../../common/protocol/generatePanelProtocol';

export const PANEL_SESSION_KEY = 'localDiffusion.generatePanel.session';

export interface PanelSession {
  form?: SavedForm;
  /** Oldest first, at most MAX_PANEL_RESULTS. */
  resultIds: string[];
}

/** The part of vscode.Memento used here. */
export interface MementoLike {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

export class PanelSessionStore {
  constructor(private readonly memento: MementoLike) {}

  /** The last panel's session; empty when there is none or it does not parse. */
  read(): PanelSession {
    const parsed = parsePanelSession(this.memento.get(PANEL_SESSION_KEY));
    if (!parsed.ok) return { resultIds: [] };
    const { form, resultIds } = parsed.message;
    return { ...(form ? { form } : {}), resultIds: resultIds.slice(-MAX_PANEL_RESULTS) };
  }

  write(session: PanelSession): void {
    void this.memento.update(PANEL_SESSION_KEY, { ...session, resultIds: session.resultIds.slice(-MAX_PANEL_RESULTS) });
  }
}
