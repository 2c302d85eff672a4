// Entry of the engine child process (dist/engine.js), forked by the extension host with
// serialization 'advanced'. Never imports vscode. Exits when the parent's IPC channel goes away.
import type { Envelope } from '../common/protocol/rpc';
import { EngineServer } from './engineServer';
import { installFatalErrorHandlers } from './fatalErrors';

if (!process.send) {
  console.error('dist/engine.js is the engine process of the Local Diffusion extension; run dist/cli.js for the command line.');
  process.exit(2);
}

const server = new EngineServer(
  {
    send: (message: Envelope) => {
      if (process.connected) process.send?.(message);
    },
    onMessage: (listener) => process.on('message', listener),
  },
  () => process.exit(0),
);

process.on('disconnect', () => {
  void server.dispose().finally(() => process.exit(0));
});
installFatalErrorHandlers(process, server, (code) => process.exit(code));
