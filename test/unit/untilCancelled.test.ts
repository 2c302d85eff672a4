// untilCancelled (src/common/protocol/rpc.ts): waiting on a promise that a cancellation can cut short.
import * as assert from 'node:assert/strict';
import { CancellationSource, ErrorCode, RpcFailure, untilCancelled } from '../../src/common/protocol/rpc';

const isCancelled = (error: unknown): boolean => error instanceof RpcFailure && error.code === ErrorCode.Cancelled;

describe('untilCancelled', () => {
  it('passes the value and the error through when nothing cancels', async () => {
    const source = new CancellationSource();
    assert.equal(await untilCancelled(Promise.resolve(7), source.token), 7);
    assert.equal(await untilCancelled(Promise.resolve(8), undefined), 8);
    await assert.rejects(untilCancelled(Promise.reject(new Error('boom')), source.token), /boom/);
  });

  it('rejects with Cancelled when the cancellation fires first, and at once when it already has', async () => {
    const source = new CancellationSource();
    const never = new Promise<number>(() => undefined);
    const waiting = untilCancelled(never, source.token);
    source.cancel();
    await assert.rejects(waiting, isCancelled);
    await assert.rejects(untilCancelled(Promise.resolve(1), source.token), isCancelled);
  });

  it('stops listening once the promise settles', async () => {
    let listeners = 0;
    const token = {
      cancelled: false,
      onCancel: () => {
        listeners++;
        return { dispose: () => void listeners-- };
      },
    };
    await untilCancelled(Promise.resolve(1), token);
    await assert.rejects(untilCancelled(Promise.reject(new Error('x')), token));
    assert.equal(listeners, 0);
  });
});
