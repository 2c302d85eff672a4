// The webview side of VS Code's API: acquired once, typed by the page's own message unions.

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
  /** Listens to messages from the host; `accept` validates them before use. */
  onMessage<FromHost>(accept: (value: unknown) => value is FromHost, listener: (message: FromHost) => void): void;
}

let api: VsCodeApi<unknown> | undefined;

export function connectToHost<ToHost, State>(): WebviewHost<ToHost, State> {
  api ??= acquireVsCodeApi<unknown>();
  const vscode = api as VsCodeApi<State>;
  return {
    post: (message, transfer) => vscode.postMessage(message, transfer),
    getState: () => vscode.getState(),
    setState: (state) => vscode.setState(state),
    onMessage(accept, listener) {
      window.addEventListener('message', (event: MessageEvent) => {
        if (accept(event.data)) listener(event.data);
        else console.warn('Local Diffusion: ignored a malformed message from the host', event.data);
      });
    },
  };
}
