// Commands never fail silently (drawio's registerFailableCommand): errors are logged and shown with a
// "Show Log" button; a cancellation is not an error.
import * as vscode from 'vscode';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import { logError } from './logError';
import type { Log } from './log';

export function registerFailableCommand(
  id: string,
  log: Log,
  run: (...args: unknown[]) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await run(...args);
    } catch (error) {
      reportError(log, error, `Command ${id} failed`);
      return undefined;
    }
  });
}

/** Logs a failure and shows it to the user; cancellations are only logged. */
export function reportError(log: Log, error: unknown, context: string): void {
  if (isCancellation(error)) {
    log.info(`${context}: cancelled.`);
    return;
  }
  const { message } = logError(log, error, context);
  void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
    if (choice === 'Show Log') log.show();
  });
}

export function isCancellation(error: unknown): boolean {
  return (
    (error instanceof RpcFailure && error.code === ErrorCode.Cancelled) ||
    error instanceof vscode.CancellationError
  );
}
