// One request/response envelope for every channel: host ⇄ engine (fork IPC, advanced serialization)
// and host ⇄ webviews (postMessage). Pure TypeScript: imports nothing, runs in Node and in the browser.

export type RequestId = number;

/** Typed failure reasons. Every request ends in exactly one response: a result or one of these. */
export const ErrorCode = {
  Cancelled: 'cancelled',
  InvalidParams: 'invalidParams',
  ModelMissing: 'modelMissing',
  ModelMismatch: 'modelMismatch',
  OutOfMemory: 'outOfMemory',
  EngineExited: 'engineExited',
  ProtocolMismatch: 'protocolMismatch',
  Timeout: 'timeout',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface RpcError {
  code: ErrorCode;
  message: string;
  detail?: string;
}

/** An Error that carries an RpcError's code across the wire and back. */
export class RpcFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'RpcFailure';
  }

  toRpcError(): RpcError {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

export type Envelope =
  | { kind: 'request'; id: RequestId; method: string; params: unknown }
  | { kind: 'response'; id: RequestId; ok: true; result: unknown }
  | { kind: 'response'; id: RequestId; ok: false; error: RpcError }
  | { kind: 'cancel'; id: RequestId }
  | { kind: 'progress'; id: RequestId; value: unknown }
  | { kind: 'notify'; method: string; params: unknown };

export interface MethodSpec {
  params: unknown;
  result: unknown;
  progress: unknown;
}
export type MethodMap = { [method: string]: MethodSpec };
export type NotificationMap = { [method: string]: unknown };

/** A cancellation signal that works in every room (no AbortController in the protocol's lib). */
export interface Cancellation {
  readonly cancelled: boolean;
  onCancel(listener: () => void): { dispose(): void };
}

/** Waits for `promise`, but rejects with a Cancelled RpcFailure as soon as `cancellation` fires (or at once if it has). */
export function untilCancelled<T>(promise: Promise<T>, cancellation: Cancellation | undefined): Promise<T> {
  if (!cancellation) return promise;
  if (cancellation.cancelled) return Promise.reject(new RpcFailure(ErrorCode.Cancelled, 'Cancelled.'));
  return new Promise<T>((resolve, reject) => {
    const sub = cancellation.onCancel(() => reject(new RpcFailure(ErrorCode.Cancelled, 'Cancelled.')));
    promise.then(
      (value) => {
        sub.dispose();
        resolve(value);
      },
      (error: unknown) => {
        sub.dispose();
        reject(error);
      },
    );
  });
}

export class CancellationSource {
  private readonly listeners = new Set<() => void>();
  private isCancelled = false;
  readonly token: Cancellation;

  constructor() {
    const source = this;
    this.token = {
      get cancelled() {
        return source.isCancelled;
      },
      onCancel(listener) {
        if (source.isCancelled) {
          listener();
          return { dispose: () => undefined };
        }
        source.listeners.add(listener);
        return { dispose: () => void source.listeners.delete(listener) };
      },
    };
  }

  cancel(): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }
}

export interface RequestOptions<Progress> {
  cancellation?: Cancellation;
  onProgress?: (progress: Progress) => void;
}

export interface HandlerContext<Progress> {
  cancellation: Cancellation;
  progress(value: Progress): void;
}

type Handler = (params: unknown, context: HandlerContext<unknown>) => Promise<unknown>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: RpcFailure): void;
  onProgress?: (value: unknown) => void;
  disposeCancel?: { dispose(): void };
}

/** Validates that an incoming value is an Envelope before anything uses it. */
export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  switch (v.kind) {
    case 'request':
      return typeof v.id === 'number' && typeof v.method === 'string';
    case 'response':
      if (typeof v.id !== 'number' || typeof v.ok !== 'boolean') return false;
      if (v.ok) return true;
      return typeof v.error === 'object' && v.error !== null && typeof (v.error as RpcError).message === 'string';
    case 'cancel':
      return typeof v.id === 'number';
    case 'progress':
      return typeof v.id === 'number';
    case 'notify':
      return typeof v.method === 'string';
    default:
      return false;
  }
}

export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcFailure) return error.toRpcError();
  if (error instanceof Error) return { code: ErrorCode.Internal, message: error.message, detail: error.stack };
  return { code: ErrorCode.Internal, message: String(error) };
}

/**
 * Both ends of a channel. `Local` are the methods this side handles, `Remote` the ones it calls.
 * Requests can be cancelled (a `cancel` envelope; the handler sees its Cancellation fire) and report
 * progress; `dispose()` rejects everything pending, so no caller waits forever on a dead peer.
 */
export class RpcEndpoint<
  Local extends MethodMap,
  Remote extends MethodMap,
  LocalNotifications extends NotificationMap = NotificationMap,
  RemoteNotifications extends NotificationMap = NotificationMap,
> {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly handlers = new Map<string, Handler>();
  private readonly notificationHandlers = new Map<string, (params: unknown) => void>();
  private readonly running = new Map<RequestId, CancellationSource>();
  private disposedWith: RpcError | undefined;

  constructor(private readonly send: (envelope: Envelope) => void) {}

  get isDisposed(): boolean {
    return this.disposedWith !== undefined;
  }

  request<M extends keyof Remote & string>(
    method: M,
    params: Remote[M]['params'],
    options: RequestOptions<Remote[M]['progress']> = {},
  ): Promise<Remote[M]['result']> {
    if (this.disposedWith) {
      const e = this.disposedWith;
      return Promise.reject(new RpcFailure(e.code, e.message, e.detail));
    }
    if (options.cancellation?.cancelled) {
      return Promise.reject(new RpcFailure(ErrorCode.Cancelled, 'Cancelled.'));
    }
    const id = this.nextId++;
    return new Promise<Remote[M]['result']>((resolve, reject) => {
      const entry: Pending = { resolve: resolve as (value: unknown) => void, reject };
      if (options.onProgress) entry.onProgress = options.onProgress as (value: unknown) => void;
      if (options.cancellation) {
        entry.disposeCancel = options.cancellation.onCancel(() => {
          if (this.pending.has(id)) this.trySend({ kind: 'cancel', id });
        });
      }
      this.pending.set(id, entry);
      if (!this.trySend({ kind: 'request', id, method, params })) {
        this.settle(id, { code: ErrorCode.EngineExited, message: 'The other side of the channel is gone.' });
      }
    });
  }

  notify<N extends keyof LocalNotifications & string>(method: N, params: LocalNotifications[N]): void {
    if (!this.disposedWith) this.trySend({ kind: 'notify', method, params });
  }

  handle<M extends keyof Local & string>(
    method: M,
    handler: (params: Local[M]['params'], context: HandlerContext<Local[M]['progress']>) => Promise<Local[M]['result']>,
  ): void {
    this.handlers.set(method, handler as Handler);
  }

  onNotification<N extends keyof RemoteNotifications & string>(
    method: N,
    listener: (params: RemoteNotifications[N]) => void,
  ): void {
    this.notificationHandlers.set(method, listener as (params: unknown) => void);
  }

  /** Feed every message that arrives from the peer. Malformed messages are ignored and reported. */
  receive(message: unknown, onMalformed?: (message: unknown) => void): void {
    if (!isEnvelope(message)) {
      onMalformed?.(message);
      return;
    }
    switch (message.kind) {
      case 'request':
        void this.runHandler(message.id, message.method, message.params);
        return;
      case 'response':
        if (message.ok) this.settle(message.id, undefined, message.result);
        else this.settle(message.id, message.error);
        return;
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.value);
        return;
      case 'cancel':
        this.running.get(message.id)?.cancel();
        return;
      case 'notify':
        this.notificationHandlers.get(message.method)?.(message.params);
        return;
    }
  }

  /** Answers every running handler with `error` at once and cancels it; what it returns later is dropped. */
  failRunning(error: RpcError): void {
    for (const [id, source] of [...this.running]) {
      this.running.delete(id);
      source.cancel();
      this.trySend({ kind: 'response', id, ok: false, error });
    }
  }

  /** Rejects every pending request and cancels every running handler. */
  dispose(reason: RpcError = { code: ErrorCode.EngineExited, message: 'The channel was closed.' }): void {
    if (this.disposedWith) return;
    this.disposedWith = reason;
    for (const id of [...this.pending.keys()]) this.settle(id, reason);
    for (const source of this.running.values()) source.cancel();
    this.running.clear();
  }

  private async runHandler(id: RequestId, method: string, params: unknown): Promise<void> {
    const handler = this.handlers.get(method);
    if (!handler) {
      this.trySend({
        kind: 'response',
        id,
        ok: false,
        error: { code: ErrorCode.InvalidParams, message: `Unknown method "${method}".` },
      });
      return;
    }
    const source = new CancellationSource();
    this.running.set(id, source);
    try {
      const result = await handler(params, {
        cancellation: source.token,
        progress: (value) => {
          if (this.running.get(id) === source) this.trySend({ kind: 'progress', id, value });
        },
      });
      if (this.running.get(id) === source) this.trySend({ kind: 'response', id, ok: true, result });
    } catch (error) {
      if (this.running.get(id) === source) this.trySend({ kind: 'response', id, ok: false, error: toRpcError(error) });
    } finally {
      if (this.running.get(id) === source) this.running.delete(id);
    }
  }

  private settle(id: RequestId, error: RpcError | undefined, result?: unknown): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.disposeCancel?.dispose();
    if (error) entry.reject(new RpcFailure(error.code, error.message, error.detail));
    else entry.resolve(result);
  }

  private trySend(envelope: Envelope): boolean {
    try {
      this.send(envelope);
      return true;
    } catch {
      return false;
    }
  }
}
