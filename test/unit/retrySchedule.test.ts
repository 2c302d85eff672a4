import * as assert from 'node:assert/strict';
import { ErrorCode, RpcFailure } from '../../src/common/protocol/rpc';
import { ModelStoreError } from '../../src/node/modelStore/modelStoreError';
import { DEFAULT_RETRY_POLICY, isRetryable, MAX_RETRY_AFTER_MS, parseRetryAfterMs, retryDelayMs, sleep, withRetries } from '../../src/node/modelStore/retrySchedule';

describe('retry and backoff', () => {
  it('doubles from 1 s, capped at 30 s, jittered between half and all of it', () => {
    const low = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, DEFAULT_RETRY_POLICY, () => 0));
    const high = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, DEFAULT_RETRY_POLICY, () => 1));
    assert.deepEqual(low, [500, 1000, 2000, 4000, 8000, 15000, 15000]);
    assert.deepEqual(high, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert.equal(DEFAULT_RETRY_POLICY.maxAttempts, 6);
    const total = high.slice(0, DEFAULT_RETRY_POLICY.maxAttempts).reduce((a, b) => a + b, 0);
    assert.equal(total, 61_000, 'about a minute of patience for a dead link');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfterMs('7'), 7000);
    assert.equal(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z')), 10_000);
    assert.equal(parseRetryAfterMs(undefined), undefined);
    assert.equal(parseRetryAfterMs('soon'), undefined);
  });

  it('retries only retryable errors, waits the backoff (or Retry-After, capped), then gives up', async () => {
    const waits: number[] = [];
    let calls = 0;
    const flaky = (): Promise<string> => {
      calls++;
      if (calls === 1) return Promise.reject(new ModelStoreError('server', '503', { retryable: true, retryAfterMs: 3_600_000 }));
      if (calls === 2) return Promise.reject(new ModelStoreError('network', 'reset', { retryable: true }));
      return Promise.resolve('ok');
    };
    const policy = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 1000 };
    const fakeSleep = async (ms: number): Promise<void> => {
      waits.push(ms);
    };
    assert.equal(await withRetries(flaky, { policy, sleep: fakeSleep, random: () => 1 }), 'ok');
    assert.deepEqual(waits, [MAX_RETRY_AFTER_MS, 200]);

    calls = 0;
    await assert.rejects(
      withRetries(() => Promise.reject(new ModelStoreError('network', 'down', { retryable: true })), { policy, sleep: fakeSleep }),
      /down/,
    );
    let fatal = 0;
    await assert.rejects(
      withRetries(
        () => {
          fatal++;
          return Promise.reject(new ModelStoreError('notFound', 'gone'));
        },
        { policy, sleep: fakeSleep },
      ),
      /gone/,
    );
    assert.equal(fatal, 1, 'a 404 is not retried');
    assert.ok(isRetryable(new ModelStoreError('network', 'x', { retryable: true })) && !isRetryable(new Error('x')));
  });

  it('a cancelled wait ends at once', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = sleep(10_000, controller.signal);
    controller.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof RpcFailure && e.code === ErrorCode.Cancelled);
    assert.ok(Date.now() - started < 1_000);
  });
});
