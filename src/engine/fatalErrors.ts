// What the engine process does with an error nothing caught (an uncaughtException, or a rejection nobody handled):
// its state can no longer be trusted, so it fails the running jobs, logs the stack, and exits non-zero; the host's
// restart policy (src/host/engineClient/engineProcess.ts) starts a fresh engine for the next request. Node's own
// advice for 'uncaughtException' (docs: process, "Warning: Using 'uncaughtException' correctly").
import { ErrorCode } from '../common/protocol/rpc';
import type { EngineServer } from './engineServer';

/** The exit status after a fatal error (BSD sysexits EX_SOFTWARE: an internal software error). */
export const FATAL_EXIT_CODE = 70;
/** Time for the failure responses and the log line to reach the host before the process exits. */
export const FATAL_FLUSH_MS = 200;

export interface ProcessLike {
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

export function installFatalErrorHandlers(
  proc: ProcessLike,
  server: Pick<EngineServer, 'log' | 'endpoint'>,
  exit: (code: number) => void,
  flushMs = FATAL_FLUSH_MS,
): void {
  let exiting = false;
  const fatal = (what: string, error: unknown): void => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    server.log('error', `${what}: ${text}. The engine exits; the next request starts a new one.`);
    if (exiting) return;
    exiting = true;
    const message = error instanceof Error ? error.message : String(error);
    server.endpoint.failRunning({
      code: ErrorCode.Internal,
      message: `The engine hit an unexpected error and restarts: ${message}`,
      detail: text,
    });
    setTimeout(() => exit(FATAL_EXIT_CODE), flushMs);
  };
  proc.on('uncaughtException', (error) => fatal('Uncaught exception', error));
  proc.on('unhandledRejection', (reason) => fatal('Unhandled rejection', reason));
}
