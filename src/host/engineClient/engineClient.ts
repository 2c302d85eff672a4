// The VS Code side of the engine process: builds an EngineProcess from the settings and the extension's
// dist/engine.js, logs into the "Local Diffusion" channel, converts CancellationTokens, restarts the engine when
// the Node path changes, and tells the user (with "Show Log") when restarts are exhausted.
import * as vscode from 'vscode';
import { Settings } from '../constants';
import { ORT_LOG_LEVEL_ENV, ortLogLevelFor } from '../../common/ortLogLevel';
import type { EngineMethods } from '../../common/protocol/engineProtocol';
import { CancellationSource, type Cancellation } from '../../common/protocol/rpc';
import { readSettings } from '../settings';
import { Disposable } from '../util/dispose';
import type { Log } from '../util/log';
import { EngineProcess } from './engineProcess';

/** Overrides the engine entry (e.g. the fake engine in end-to-end tests). */
export const ENGINE_PATH_ENV = 'LOCAL_DIFFUSION_ENGINE';

export interface EngineClientRequestOptions<Progress> {
  token?: vscode.CancellationToken;
  onProgress?: (progress: Progress) => void;
}

export class EngineClient extends Disposable {
  private readonly process: EngineProcess;

  constructor(extensionUri: vscode.Uri, log: Log) {
    super();
    const modulePath = process.env[ENGINE_PATH_ENV] || vscode.Uri.joinPath(extensionUri, 'dist', 'engine.js').fsPath;
    this.process = new EngineProcess({
      modulePath,
      logger: log,
      // ONNX Runtime's own log lines follow the log's level, from the next engine start (they are logged at debug).
      env: () => ({ [ORT_LOG_LEVEL_ENV]: ortLogLevelFor(log.level) }),
      cwd: extensionUri.scheme === 'file' ? extensionUri.fsPath : undefined,
      execPath: () => this.settings().nodePath || undefined,
      idleUnloadMs: () => this.settings().keepModelLoadedMinutes * 60_000,
      onTrace: (direction, envelope) => log.traceEnvelope(direction, envelope),
      onRestartLimitReached: (failure) => {
        void vscode.window.showErrorMessage(failure.message, 'Show Log').then((choice) => {
          if (choice === 'Show Log') log.show();
        });
      },
    });
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${Settings.section}.${Settings.nodePath}`)) {
          log.info('"localDiffusion.nodePath" changed: the engine restarts with it on the next request.');
          this.process.resetRestarts();
          void this.process.shutdown();
        }
      }),
    );
  }

  request<M extends keyof EngineMethods & string>(
    method: M,
    params: EngineMethods[M]['params'],
    options: EngineClientRequestOptions<EngineMethods[M]['progress']> = {},
  ): Promise<EngineMethods[M]['result']> {
    const link = linkToken(options.token);
    const pending = this.process.request(method, params, {
      ...(link.cancellation ? { cancellation: link.cancellation } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return pending.finally(() => link.dispose());
  }

  /** Shutdown request, then a kill after 2 s; resolves when the engine is gone. */
  shutdown(): Promise<void> {
    return this.process.shutdown();
  }

  override dispose(): void {
    this.process.dispose();
    super.dispose();
  }

  private settings() {
    return readSettings(vscode.workspace);
  }
}

/** Converts a vscode.CancellationToken into the protocol's Cancellation. */
export function linkToken(token: vscode.CancellationToken | undefined): {
  cancellation: Cancellation | undefined;
  dispose(): void;
} {
  if (!token) return { cancellation: undefined, dispose: () => undefined };
  const source = new CancellationSource();
  if (token.isCancellationRequested) source.cancel();
  const subscription = token.onCancellationRequested(() => source.cancel());
  return { cancellation: source.token, dispose: () => subscription.dispose() };
}
