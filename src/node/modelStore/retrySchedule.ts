// Retries with exponential backoff and jitter for network faults, 5xx and 429 answers. The attempt count is
// reset whenever a download made progress, so a flaky connection that keeps delivering bytes never gives up;
// one that delivers nothing gives up after maxAttempts retries.
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import { ModelStoreError } from './modelStoreError';

export interface RetryPolicy {
  /** Retries after the first try (0: fail at once). */
  maxAttempts: number;
  /** Delay before the first retry (before jitter). */
  baseDelayMs: number;
  /** Cap of the exponential delay. */
  maxDelayMs: number;
}

/** 1 s, 2 s, 4 s, 8 s, 16 s, 30 s (each between half and all of it): a minute of patience for a dead link. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 30_000 };

/**
 * The delay before retry `attempt` (1-based): min(max, base·2^(attempt−1)), then "equal jitter" (half of it
 * fixed, half random) so that many clients do not retry in lockstep. `random` is in [0, 1).
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** A Retry-After header (seconds or an HTTP date) in ms; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A server's Retry-After is honoured up to this long (a longer one would look like a hang). */
export const MAX_RETRY_AFTER_MS = 120_000;

export function isRetryable(error: unknown): boolean {
  return error instanceof ModelStoreError && error.retryable;
}

export function cancelledError(message = 'Download cancelled.'): RpcFailure {
  return new RpcFailure(ErrorCode.Cancelled, message);
}

export function isCancelled(error: unknown): boolean {
  return error instanceof RpcFailure && error.code === ErrorCode.Cancelled;
}

/** Waits `ms`, or rejects with a cancellation as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy: RetryPolicy;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (attempt: number, delayMs: number, error: ModelStoreError) => void;
}

/** Runs `work` until it succeeds, fails with a non-retryable error, or the retries run out. */
export async function withRetries<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (options.signal?.aborted) throw cancelledError();
      if (!isRetryable(error) || attempt > options.policy.maxAttempts) throw error;
      const e = error as ModelStoreError;
      const delay = Math.max(retryDelayMs(attempt, options.policy, options.random), Math.min(e.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
      options.onRetry?.(attempt, delay, e);
      await wait(delay, options.signal);
    }
  }
}
