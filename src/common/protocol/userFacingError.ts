// The one place an error becomes what the user reads. Engine failures (a typed RpcError) and ONNX Runtime's
// own text ("Non-zero status code returned while running Concat node. Name:'/Concat_9' …") become one plain
// sentence; the raw text is kept as `detail` for the log (reachable from "Local Diffusion: Show Log").
import { ErrorCode, RpcFailure } from './rpc';

export interface UserFacingError {
  /** One plain sentence or two, shown once. */
  message: string;
  /** The raw text (engine message, stack, ONNX Runtime output), for the log only. */
  detail?: string;
}

const SEE_LOG = 'See "Local Diffusion: Show Log" for the details.';

/** ONNX Runtime's own wording, which never reaches the user as is. */
const ORT_TEXT = /Non-zero status code returned while running|\[ONNXRuntimeError\]|ORT_\w+|Name:'[^']*'|Status Message:/i;
const ORT_MEMORY = /Failed to allocate memory|bad_alloc|out of memory|CUDA_ERROR_OUT_OF_MEMORY|BFCArena/i;

const OUT_OF_MEMORY = 'The model ran out of memory. Try a smaller size or batch, or another execution provider.';

function codeOf(error: unknown): ErrorCode | undefined {
  if (error instanceof RpcFailure) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (Object.values(ErrorCode) as string[]).includes(code) ? (code as ErrorCode) : undefined;
}

function rawText(error: unknown): { message: string; detail?: string } {
  if (error instanceof RpcFailure) return { message: error.message, ...(error.detail ? { detail: error.detail } : {}) };
  if (error instanceof Error) return { message: error.message, ...(error.stack ? { detail: error.stack } : {}) };
  const record = error as { message?: unknown; detail?: unknown } | null;
  if (record && typeof record.message === 'string') {
    return { message: record.message, ...(typeof record.detail === 'string' ? { detail: record.detail } : {}) };
  }
  return { message: String(error) };
}

function joinDetail(message: string, detail: string | undefined): string {
  return detail && !detail.includes(message) ? `${message}\n${detail}` : (detail ?? message);
}

/** Maps any failure (RpcFailure, RpcError, Error, text) to the message shown once and the detail logged. */
export function userFacingError(error: unknown): UserFacingError {
  const code = codeOf(error);
  const raw = rawText(error);
  const everything = joinDetail(raw.message, raw.detail);
  if (!ORT_TEXT.test(raw.message) && !ORT_MEMORY.test(raw.message)) {
    // Our own messages (invalid parameters, a missing or mismatched model, an engine that stopped, an output
    // that cannot be written) are already plain: shown as they are, the stack or engine detail logged.
    return { message: raw.message, ...(raw.detail ? { detail: raw.detail } : {}) };
  }
  if (code === ErrorCode.OutOfMemory || ORT_MEMORY.test(raw.message)) {
    return { message: `${OUT_OF_MEMORY} ${SEE_LOG}`, detail: everything };
  }
  const node = /running (\w+) node/.exec(raw.message)?.[1];
  const where = node ? ` (at a ${node} step)` : '';
  return {
    message: `The model could not run with these settings${where}: its graph may not take this size, batch or input. ${SEE_LOG}`,
    detail: everything,
  };
}
