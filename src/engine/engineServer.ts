// Serves the Engine over a message channel (the fork IPC channel in production, anything with the same
// shape in tests): typed requests in, typed responses/progress/log notifications out.
import {
  PROTOCOL_VERSION,
  type EngineMethods,
  type EngineNotifications,
  type HostMethods,
} from '../common/protocol/engineProtocol';
import { ErrorCode, RpcEndpoint, RpcFailure, type Envelope } from '../common/protocol/rpc';
import { Engine } from './engine';

export interface MessageChannel {
  send(message: Envelope): void;
  onMessage(listener: (message: unknown) => void): void;
}

export class EngineServer {
  readonly endpoint: RpcEndpoint<EngineMethods, HostMethods, EngineNotifications>;
  readonly engine: Engine;

  constructor(
    channel: MessageChannel,
    private readonly onShutdown: () => void,
  ) {
    this.endpoint = new RpcEndpoint<EngineMethods, HostMethods, EngineNotifications>((e) => channel.send(e));
    this.engine = new Engine((level, message) => this.log(level, message));
    channel.onMessage((message) =>
      this.endpoint.receive(message, (bad) => this.log('warn', `Ignored a malformed message: ${JSON.stringify(bad)?.slice(0, 200)}`)),
    );
    const e = this.endpoint;
    e.handle('hello', async (params) => {
      if (params?.protocolVersion !== PROTOCOL_VERSION) {
        throw new RpcFailure(
          ErrorCode.ProtocolMismatch,
          `The engine speaks protocol ${PROTOCOL_VERSION}, the extension ${String(params?.protocolVersion)}: reinstall the extension.`,
        );
      }
      return this.engine.hello();
    });
    e.handle('info', (params) => this.engine.info(params.model, params.executionProvider));
    e.handle('loadModel', (params, ctx) =>
      this.engine.loadModel(params.model, params.executionProvider ?? 'auto', {
        onProgress: (p) => ctx.progress(p),
        cancellation: ctx.cancellation,
      }),
    );
    e.handle('generate', (params, ctx) =>
      this.engine.generate(params, { onProgress: (p) => ctx.progress(p), cancellation: ctx.cancellation }),
    );
    e.handle('upscaleImage', (params, ctx) =>
      this.engine.upscaleImage(params, { onProgress: (p) => ctx.progress(p), cancellation: ctx.cancellation }),
    );
    e.handle('removeBackground', (params, ctx) => this.engine.removeBackground(params, { cancellation: ctx.cancellation }));
    e.handle('countTokens', (params) => this.engine.countTokens(params.model, params.texts, params.emphasis));
    e.handle('unloadModel', async () => ({ unloaded: await this.engine.unloadModel() }));
    e.handle('shutdown', async () => {
      await this.engine.dispose();
      setTimeout(this.onShutdown, 50);
      return {};
    });
  }

  log(level: EngineNotifications['log']['level'], message: string): void {
    this.endpoint.notify('log', { level, message });
  }

  async dispose(): Promise<void> {
    this.endpoint.dispose();
    await this.engine.dispose();
  }
}
