// The engine process on an error nothing caught: the running job fails, the error is logged, and the process
// exits non-zero (the host's restart policy takes over) instead of serving on in an unknown state.
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Envelope } from '../../src/common/protocol/rpc';
import { ErrorCode } from '../../src/common/protocol/rpc';
import { EngineServer } from '../../src/engine/engineServer';
import { FATAL_EXIT_CODE, installFatalErrorHandlers, type ProcessLike } from '../../src/engine/fatalErrors';

describe('engine fatal errors (uncaughtException, unhandledRejection)', () => {
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    it(`${event}: fails the running job, logs, and exits non-zero`, async () => {
      const sent: Envelope[] = [];
      let listener: ((message: unknown) => void) | undefined;
      const server = new EngineServer({ send: (e) => sent.push(e), onMessage: (l) => (listener = l) }, () => undefined);
      // A job that would run forever: the info of a folder is slow enough only if it never resolves, so use a
      // request whose handler awaits a promise we never settle.
      server.endpoint.handle('info', () => new Promise<never>(() => undefined));
      listener?.({ kind: 'request', id: 7, method: 'info', params: { model: { dir: '/nowhere' } } });
      const proc = new EventEmitter();
      const exits: number[] = [];
      installFatalErrorHandlers(proc as unknown as ProcessLike, server, (code) => exits.push(code), 10);
      proc.emit(event, new Error('boom in a callback'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const response = sent.find((e) => e.kind === 'response' && e.id === 7);
      assert.ok(response && response.kind === 'response' && !response.ok, 'the running job got an error response');
      assert.equal(response.error.code, ErrorCode.Internal);
      assert.match(response.error.message, /boom in a callback/);
      const log = sent.find((e) => e.kind === 'notify' && e.method === 'log');
      assert.ok(log && log.kind === 'notify' && /boom in a callback/.test(JSON.stringify(log.params)));
      assert.deepEqual(exits, [FATAL_EXIT_CODE]);
    });
  }
});
