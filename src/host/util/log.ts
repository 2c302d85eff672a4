// The "Local Diffusion" log channel (a LogOutputChannel: levels, timestamps, "Set Log Level…") and the
// protocol trace of the engine channel in both directions (drawio's "vscode -> drawio" logging habit).
import * as vscode from 'vscode';
import { LOG_CHANNEL_NAME } from '../constants';
import type { HostLogLevel } from '../../common/ortLogLevel';
import type { Envelope } from '../../common/protocol/rpc';
import type { EngineLogger } from '../engineClient/engineProcess';

const HOST_LOG_LEVELS: Record<vscode.LogLevel, HostLogLevel> = {
  [vscode.LogLevel.Off]: 'off',
  [vscode.LogLevel.Trace]: 'trace',
  [vscode.LogLevel.Debug]: 'debug',
  [vscode.LogLevel.Info]: 'info',
  [vscode.LogLevel.Warning]: 'warning',
  [vscode.LogLevel.Error]: 'error',
};

export class Log implements EngineLogger, vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  /** The engine may still log while it shuts down after the channel is gone. */
  private disposed = false;

  constructor(name: string = LOG_CHANNEL_NAME) {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  /** The channel's level, as the user set it (Set Log Level…). */
  get level(): HostLogLevel {
    return HOST_LOG_LEVELS[this.channel.logLevel] ?? 'info';
  }

  trace(message: string): void {
    if (!this.disposed) this.channel.trace(message);
  }

  debug(message: string): void {
    if (!this.disposed) this.channel.debug(message);
  }

  info(message: string): void {
    if (!this.disposed) this.channel.info(message);
  }

  warn(message: string): void {
    if (!this.disposed) this.channel.warn(message);
  }

  error(message: string | Error): void {
    if (!this.disposed) this.channel.error(message);
  }

  /** Logs an envelope at trace level; formatting is skipped unless the channel shows trace. */
  traceEnvelope(direction: 'send' | 'receive', envelope: Envelope): void {
    if (this.disposed || this.channel.logLevel !== vscode.LogLevel.Trace) return;
    this.channel.trace(`${direction === 'send' ? 'host → engine' : 'host ← engine'} ${describeEnvelope(envelope)}`);
  }

  show(): void {
    if (!this.disposed) this.channel.show(true);
  }

  dispose(): void {
    this.disposed = true;
    this.channel.dispose();
  }
}

/** One line per envelope; byte arrays are summarised, long strings cut. */
export function describeEnvelope(envelope: Envelope): string {
  switch (envelope.kind) {
    case 'request':
      return `request #${envelope.id} ${envelope.method} ${summarise(envelope.params)}`;
    case 'response':
      return envelope.ok
        ? `response #${envelope.id} ok ${summarise(envelope.result)}`
        : `response #${envelope.id} error ${envelope.error.code}: ${envelope.error.message}`;
    case 'cancel':
      return `cancel #${envelope.id}`;
    case 'progress':
      return `progress #${envelope.id} ${summarise(envelope.value)}`;
    case 'notify':
      return `notify ${envelope.method} ${summarise(envelope.params)}`;
  }
}

const MAX_TRACE_CHARS = 600;

function summarise(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
      if (typeof v === 'string' && v.length > 200) return `${v.slice(0, 200)}…`;
      return v;
    }) ?? 'undefined';
  } catch {
    text = String(value);
  }
  return text.length > MAX_TRACE_CHARS ? `${text.slice(0, MAX_TRACE_CHARS)}…` : text;
}
