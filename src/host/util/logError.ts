// Logs a failure through the one mapping (src/common/protocol/userFacingError.ts): the plain message as an
// error, the raw engine / ONNX Runtime text at debug level. vscode-free, so job runners can use it.
import { userFacingError } from '../../common/protocol/userFacingError';
import type { Log } from './log';

/**
 * Logs a failure (the plain message as an error, the raw engine / ONNX Runtime text at debug level) and returns
 * the plain message, for a caller that shows it itself (once: in its own view, with no toast besides).
 */
export function logError(log: Pick<Log, 'error' | 'debug'>, error: unknown, context: string): { message: string } {
  const mapped = userFacingError(error);
  log.error(`${context}: ${mapped.message}`);
  if (mapped.detail) log.debug(mapped.detail);
  return { message: mapped.message };
}
