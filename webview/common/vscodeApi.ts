// The webview side of VS Code's API: acquired once, typed by the page's own message unions. Every message from the
// host goes through the page's schema (src/common/protocol/); a malformed one is logged and dropped.
import type { MessageParser } from '../../src/common/protocol/messageParser';

interface VsCodeApi<State> {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

export interface WebviewHost<ToHost, State> {
  post(message: ToHost, transfer?: Transferable[]): void;
  getState(): State | undefined;
  setState(state: State): void;
  /** Listens to messages from the host; `parse` checks each against its schema before use. */
  onMessage<FromHost>(parse: MessageParser<FromHost>, listener: (message: FromHost) => void): void;
}

let api: VsCodeApi<unknown> | undefined;

export function connectToHost<ToHost, State>(): WebviewHost<ToHost, State> {
  api ??= acquireVsCodeApi<unknown>();
  const vscode = api as VsCodeApi<State>;
  return {
    post: (message, transfer) => vscode.postMessage(message, transfer),
    getState: () => vscode.getState(),
    setState: (state) => vscode.setState(state),
    onMessage(parse, listener) {
      window.addEventListener('message', (event: MessageEvent) => {
        const parsed = parse(event.data);
        if (parsed.ok) listener(parsed.message);
        else console.warn(`Local Diffusion: ignored a malformed message from the host (${parsed.error})`, event.data);
      });
    },
  };
}
