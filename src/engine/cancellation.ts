import { ErrorCode, RpcFailure, type Cancellation } from '../common/protocol/rpc';

export function cancelledError(): RpcFailure {
  return new RpcFailure(ErrorCode.Cancelled, 'Generation cancelled.');
}

export function throwIfCancelled(cancellation: Cancellation | undefined): void {
  if (cancellation?.cancelled) throw cancelledError();
}

/**
 * Lets pending I/O (a `cancel` message from the host, a SIGINT in the CLI) run before the next step.
 * onnxruntime-node's session.run blocks the thread while it computes, so this is where cancel lands.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
