// The engine child process, seen from the extension host: lazy start, `hello` handshake, crash handling,
// bounded restarts, cancel-then-kill, idle unload and shutdown. No `vscode` import, so the unit tests run it
// against a fake engine in plain Node (the VS Code glue is engineClient.ts).
// Process pattern from vscode-languageserver-node (client/src/node/main.ts fork, DefaultErrorHandler restarts,
// shutdown-then-kill); advanced serialization so that Uint8Array travels as bytes (Node child_process docs).
import { fork, type ChildProcess } from 'node:child_process';
import { isOrtLogLine } from '../../common/ortLogLevel';
import {
  PROTOCOL_VERSION,
  type EngineMethods,
  type EngineNotifications,
  type HelloResult,
  type HostMethods,
} from '../../common/protocol/engineProtocol';
import {
  ErrorCode,
  RpcEndpoint,
  RpcFailure,
  type Cancellation,
  type Envelope,
  type NotificationMap,
  type RequestOptions,
  untilCancelled,
} from '../../common/protocol/rpc';

export interface EngineLogger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RestartLimit {
  /** Restarts after unexpected exits allowed within `windowMs`; the next one is refused. */
  count: number;
  windowMs: number;
}

export const DEFAULT_RESTART_LIMIT: RestartLimit = { count: 3, windowMs: 3 * 60_000 };
/** The least time a cancelled request gets to stop before the engine is killed. */
export const DEFAULT_CANCEL_KILL_TIMEOUT_MS = 5_000;
/**
 * The grace period is at least this many times the longest denoising step or VAE decode seen: the engine stops
 * between steps, so a cancel that lands at the start of a step waits for that step (and the decode) to end.
 */
export const CANCEL_GRACE_STEP_FACTOR = 3;

/**
 * How long a cancelled request may take to stop before the engine is killed (a kill costs a model reload).
 * `longestStepMs` is the running job's longest step so far, or the last job's before its first step ends: the grace
 * follows the current model and size, and shrinks again after a slow job.
 */
export function cancelGraceMs(floorMs: number, longestStepMs: number): number {
  return Math.max(floorMs, Math.ceil(CANCEL_GRACE_STEP_FACTOR * longestStepMs));
}
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 2_000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 60_000;

export interface EngineProcessOptions {
  /** The bundled engine entry (dist/engine.js). */
  modulePath: string;
  logger: EngineLogger;
  /** The Node executable, read at every start; empty/undefined = the host's own runtime (process.execPath). */
  execPath?: () => string | undefined;
  /** Idle time after the last request before `unloadModel` is sent; read when a request ends. < 0 or undefined = never. */
  idleUnloadMs?: () => number | undefined;
  /** Every envelope in both directions (the protocol trace). */
  onTrace?: (direction: 'send' | 'receive', envelope: Envelope) => void;
  /** Called once each time the restart limit starts refusing starts. */
  onRestartLimitReached?: (failure: RpcFailure) => void;
  /** Called when the engine exits without being asked to (after pending requests were failed). */
  onUnexpectedExit?: (description: string) => void;
  cancelKillTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  restartLimit?: RestartLimit;
  /** Added to the child's environment (after process.env, before ELECTRON_RUN_AS_NODE); read at each start. */
  env?: Record<string, string> | (() => Record<string, string>);
  cwd?: string;
  /** Clock for the restart window (tests). */
  now?: () => number;
}

export type EngineRequestOptions<M extends keyof EngineMethods & string> = RequestOptions<EngineMethods[M]['progress']>;

type EngineEndpoint = RpcEndpoint<HostMethods, EngineMethods, NotificationMap, EngineNotifications>;

interface EngineHandle {
  readonly child: ChildProcess;
  readonly endpoint: EngineEndpoint;
  readonly exited: Promise<void>;
  hasExited: boolean;
  /** Why the host ended it (cancel timeout, shutdown, protocol mismatch); undefined = it died on its own. */
  stopReason: string | undefined;
  /** A start that never completed its handshake counts as a crash even though the host killed it. */
  failedStart: boolean;
}

interface RunningEngine extends EngineHandle {
  /** The `hello` handshake; rejects when the engine does not come up. */
  readonly ready: Promise<HelloResult>;
}

/** Methods after which the engine may hold a model in memory. */
const LOADING_METHODS: ReadonlySet<string> = new Set(['generate', 'loadModel']);

export class EngineProcess {
  private current: RunningEngine | undefined;
  /** Start times of restarts that followed an unexpected exit (for the restart limit). */
  private readonly restartTimes: number[] = [];
  private lastExitWasCrash = false;
  private limitReported = false;
  /** A failure no restart can fix (protocol mismatch): every request gets it until reset(). */
  private fatal: RpcFailure | undefined;
  private activeRequests = 0;
  /**
   * The longest denoising step or decode (from the gaps between progress messages) of the running generate, and of
   * the last one that measured any, for the cancel grace.
   */
  private readonly stepTimes = { currentJobMs: 0, lastJobMs: 0 };
  private modelLoaded = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly restartLimit: RestartLimit;
  private readonly now: () => number;

  constructor(private readonly options: EngineProcessOptions) {
    this.restartLimit = options.restartLimit ?? DEFAULT_RESTART_LIMIT;
    this.now = options.now ?? Date.now;
  }

  /** The running engine's process id, if one is running. */
  get pid(): number | undefined {
    return this.current && !this.current.hasExited ? this.current.child.pid : undefined;
  }

  get isRunning(): boolean {
    return this.pid !== undefined;
  }

  /** Sends a request, starting the engine first if needed. Rejects with RpcFailure, never hangs on a dead engine. */
  async request<M extends keyof EngineMethods & string>(
    method: M,
    params: EngineMethods[M]['params'],
    options: EngineRequestOptions<M> = {},
  ): Promise<EngineMethods[M]['result']> {
    if (this.disposed) throw new RpcFailure(ErrorCode.EngineExited, 'The Local Diffusion engine has been shut down.');
    const cancellation = options.cancellation;
    if (cancellation?.cancelled) throw cancelled();
    this.clearIdleTimer();
    this.activeRequests++;
    try {
      const engine = await untilCancelled(this.ensureStarted(), cancellation);
      return await this.requestOn(engine, method, params, options);
    } finally {
      this.activeRequests--;
      if (this.activeRequests === 0) this.scheduleIdleUnload();
    }
  }

  /** Forgets past crashes and fatal errors (after the user changed the Node path, for example). */
  resetRestarts(): void {
    this.restartTimes.length = 0;
    this.lastExitWasCrash = false;
    this.limitReported = false;
    this.fatal = undefined;
  }

  /** Asks the engine to shut down, kills it after the shutdown timeout, and resolves once it has exited. */
  async shutdown(): Promise<void> {
    this.clearIdleTimer();
    const engine = this.current;
    if (!engine || engine.hasExited) return;
    engine.stopReason ??= 'shut down';
    const timeoutMs = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    const timer = setTimeout(() => {
      this.options.logger.warn(`The engine did not exit within ${timeoutMs} ms of the shutdown request; killing it.`);
      this.kill(engine, 'shut down');
    }, timeoutMs);
    engine.endpoint.request('shutdown', {}).catch(() => undefined);
    await engine.exited;
    clearTimeout(timer);
  }

  /** Stops the engine (shutdown request, kill after the timeout) and refuses further requests. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.shutdown();
  }

  private async requestOn<M extends keyof EngineMethods & string>(
    engine: RunningEngine,
    method: M,
    params: EngineMethods[M]['params'],
    options: EngineRequestOptions<M>,
  ): Promise<EngineMethods[M]['result']> {
    const { cancellation } = options;
    let killTimer: NodeJS.Timeout | undefined;
    // The endpoint sends the cancel envelope; this only arms the last resort.
    const onCancel = cancellation?.onCancel(() => {
      const { currentJobMs, lastJobMs } = this.stepTimes;
      const timeoutMs = cancelGraceMs(this.options.cancelKillTimeoutMs ?? DEFAULT_CANCEL_KILL_TIMEOUT_MS, currentJobMs > 0 ? currentJobMs : lastJobMs);
      killTimer = setTimeout(() => {
        this.options.logger.warn(
          `The engine did not stop "${method}" within ${timeoutMs} ms of the cancel request; killing it (pid ${engine.child.pid}). The next request starts a new engine.`,
        );
        this.kill(engine, 'cancel timeout');
      }, timeoutMs);
    });
    // Even a cancelled or failed generate may have loaded the model: schedule its unload either way.
    if (LOADING_METHODS.has(method)) this.modelLoaded = true;
    // Only generates time steps (an `info` sent during a generate must not reset the running job's measure).
    const timed = method === 'generate' ? this.timeSteps(options) : { options, ended: () => {} };
    try {
      const result = await engine.endpoint.request(method, params, timed.options);
      if (method === 'unloadModel') this.modelLoaded = false;
      return result;
    } catch (error) {
      // Killed because it ignored our cancel: for the caller that is a cancellation, not a crash.
      if (cancellation?.cancelled && error instanceof RpcFailure && error.code === ErrorCode.EngineExited) {
        throw cancelled();
      }
      throw error;
    } finally {
      timed.ended();
      if (killTimer) clearTimeout(killTimer);
      onCancel?.dispose();
    }
  }

  /**
   * Measures steps and decodes from a generate's progress: the gap that ends in a 'denoising' message is a step,
   * the gap after a 'decoding' message (to the next message or the result) is a decode.
   */
  private timeSteps<M extends keyof EngineMethods & string>(options: EngineRequestOptions<M>): { options: EngineRequestOptions<M>; ended(): void } {
    let last: { at: number; stage: string | undefined } = { at: performance.now(), stage: undefined };
    const times = this.stepTimes;
    times.currentJobMs = 0;
    const observe = (stage: string | undefined): void => {
      const now = performance.now();
      if (stage === 'denoising' || last.stage === 'decoding') times.currentJobMs = Math.max(times.currentJobMs, now - last.at);
      last = { at: now, stage };
    };
    const onProgress = options.onProgress;
    return {
      options: {
        ...options,
        onProgress: (progress: EngineMethods[M]['progress']) => {
          observe(stageOf(progress));
          onProgress?.(progress);
        },
      },
      ended: () => {
        observe(undefined);
        if (times.currentJobMs > 0) times.lastJobMs = times.currentJobMs;
        times.currentJobMs = 0;
      },
    };
  }

  private async ensureStarted(): Promise<RunningEngine> {
    const existing = this.current;
    if (existing && !existing.hasExited) {
      if (existing.stopReason === undefined) {
        await existing.ready;
        return existing;
      }
      await existing.exited; // being stopped: start a fresh one after it is gone
    }
    if (this.fatal) throw this.fatal;
    if (this.disposed) throw new RpcFailure(ErrorCode.EngineExited, 'The Local Diffusion engine has been shut down.');
    const started = this.current;
    if (started && !started.hasExited) {
      // Another request started one while this one waited for the old engine to exit.
      await started.ready;
      return started;
    }
    if (this.lastExitWasCrash) this.admitRestart();
    const engine = this.spawn();
    await engine.ready;
    return engine;
  }

  /** Throws once more than the allowed restarts happened within the window. */
  private admitRestart(): void {
    const now = this.now();
    while (this.restartTimes.length > 0 && now - this.restartTimes[0]! >= this.restartLimit.windowMs) {
      this.restartTimes.shift();
    }
    if (this.restartTimes.length >= this.restartLimit.count) {
      const minutes = Math.round(this.restartLimit.windowMs / 60_000);
      const failure = new RpcFailure(
        ErrorCode.EngineExited,
        `The Local Diffusion engine stopped unexpectedly ${this.restartLimit.count + 1} times within ${minutes} minutes, so it is not restarted for now. See the log for the cause (e.g. a model too large for memory, or set "localDiffusion.nodePath" to a system Node.js).`,
      );
      if (!this.limitReported) {
        this.limitReported = true;
        this.options.logger.error(failure.message);
        this.options.onRestartLimitReached?.(failure);
      }
      throw failure;
    }
    this.limitReported = false;
    this.restartTimes.push(now);
  }

  private spawn(): RunningEngine {
    const { logger, modulePath } = this.options;
    const execPath = this.options.execPath?.()?.trim() || undefined;
    const runtime = execPath ?? process.execPath;
    logger.info(`Starting the engine: ${runtime} ${modulePath}`);
    let child: ChildProcess;
    try {
      child = fork(modulePath, [], {
        execPath: runtime,
        // Not the host's flags (--inspect and the like would break or block the child).
        execArgv: [],
        env: { ...process.env, ...(typeof this.options.env === 'function' ? this.options.env() : this.options.env), ELECTRON_RUN_AS_NODE: '1' },
        cwd: this.options.cwd,
        silent: true,
        serialization: 'advanced',
      });
    } catch (error) {
      this.lastExitWasCrash = true;
      throw new RpcFailure(
        ErrorCode.EngineExited,
        `The Local Diffusion engine could not be started with ${runtime}: ${asFailure(error).message} Check the "localDiffusion.nodePath" setting.`,
      );
    }

    const send = (envelope: Envelope): void => {
      if (!child.connected) throw new Error('The engine IPC channel is closed.');
      this.options.onTrace?.('send', envelope);
      child.send(envelope, (error) => {
        if (error) logger.warn(`Could not send "${describe(envelope)}" to the engine: ${error.message}`);
      });
    };
    const endpoint: EngineEndpoint = new RpcEndpoint(send);
    endpoint.onNotification('log', ({ level, message }) => {
      const line = `[engine] ${message}`;
      if (level === 'error') logger.error(line);
      else if (level === 'warn') logger.warn(line);
      else if (level === 'debug') logger.debug(line);
      else logger.info(line);
    });

    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const handle: EngineHandle = { child, endpoint, exited, hasExited: false, stopReason: undefined, failedStart: false };

    child.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null) this.options.onTrace?.('receive', message as Envelope);
      endpoint.receive(message, (bad) => logger.warn(`Ignored a malformed message from the engine: ${safeString(bad)}`));
    });
    child.on('error', (error) => {
      logger.error(`Engine process error: ${error.message}`);
      // A spawn failure (e.g. a wrong nodePath) may not be followed by 'exit'.
      if (child.pid === undefined) this.onExit(handle, markExited, null, null, error);
    });
    child.on('exit', (code, signal) => this.onExit(handle, markExited, code, signal));
    pipeLines(child.stdout, (line) => logger.info(`[engine stdout] ${line}`));
    // ONNX Runtime's own lines (at the level the host asked for, ortLogLevelFor) are detail: debug. Anything else
    // on stderr is unexpected: a warning.
    pipeLines(child.stderr, (line) => (isOrtLogLine(line) ? logger.debug(`[onnxruntime] ${line}`) : logger.warn(`[engine stderr] ${line}`)));

    const engine: RunningEngine = Object.assign(handle, { ready: this.handshake(handle, runtime) });
    // Marks the promise handled; callers still see the rejection through ensureStarted.
    engine.ready.catch(() => undefined);
    this.current = engine;
    return engine;
  }

  private async handshake(engine: EngineHandle, runtime: string): Promise<HelloResult> {
    const timeoutMs = this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RpcFailure(ErrorCode.Timeout, `The engine did not answer "hello" within ${timeoutMs / 1000} s.`)),
        timeoutMs,
      );
    });
    try {
      const hello = await Promise.race([engine.endpoint.request('hello', { protocolVersion: PROTOCOL_VERSION }), timeout]);
      if (hello.protocolVersion !== PROTOCOL_VERSION) {
        throw new RpcFailure(
          ErrorCode.ProtocolMismatch,
          `The engine speaks protocol version ${hello.protocolVersion}, but this extension needs version ${PROTOCOL_VERSION}. Rebuild the extension (npm run build) or reinstall it.`,
        );
      }
      this.options.logger.info(
        `Engine ready: pid ${hello.pid}, engine ${hello.engineVersion}, onnxruntime ${hello.ortVersion}, ${hello.platform}-${hello.arch}, providers ${hello.executionProviders.join(', ') || 'none'}.`,
      );
      return hello;
    } catch (error) {
      const failure = asFailure(error);
      if (failure.code === ErrorCode.ProtocolMismatch) {
        this.fatal = failure;
        this.kill(engine, 'protocol mismatch');
      } else if (failure.code === ErrorCode.EngineExited && !engine.stopReason) {
        throw new RpcFailure(
          ErrorCode.EngineExited,
          `The Local Diffusion engine could not be started with ${runtime}: ${failure.message} Check the "localDiffusion.nodePath" setting and the log.`,
          failure.detail,
        );
      } else if (!engine.hasExited) {
        engine.failedStart = true;
        this.kill(engine, 'no handshake');
      }
      throw failure;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private onExit(
    engine: EngineHandle,
    markExited: () => void,
    code: number | null,
    signal: NodeJS.Signals | null,
    error?: Error,
  ): void {
    if (engine.hasExited) return;
    engine.hasExited = true;
    const how = error ? `could not start (${error.message})` : signal ? `was ended by ${signal}` : `exited with code ${code}`;
    const crashed = engine.stopReason === undefined || engine.failedStart;
    if (crashed) {
      const description = `The Local Diffusion engine ${how}.`;
      this.options.logger.error(`${description} Pending requests failed; the next request starts a new engine.`);
      engine.endpoint.dispose({
        code: ErrorCode.EngineExited,
        message: `${description} The job failed; the next one restarts the engine. See "Local Diffusion: Show Log" for details.`,
      });
    } else {
      this.options.logger.info(`The engine stopped (${engine.stopReason}); it ${how}.`);
      engine.endpoint.dispose({ code: ErrorCode.EngineExited, message: `The engine was stopped (${engine.stopReason}).` });
    }
    if (this.current === engine) {
      this.current = undefined;
      this.modelLoaded = false;
      this.clearIdleTimer();
      this.lastExitWasCrash = crashed;
    }
    markExited();
    if (crashed) this.options.onUnexpectedExit?.(`The Local Diffusion engine ${how}.`);
  }

  private kill(engine: EngineHandle, reason: string): void {
    if (engine.hasExited) return;
    engine.stopReason ??= reason;
    engine.child.kill('SIGKILL');
  }

  private scheduleIdleUnload(): void {
    this.clearIdleTimer();
    if (!this.modelLoaded || this.disposed) return;
    const engine = this.current;
    const delay = this.options.idleUnloadMs?.();
    if (!engine || engine.hasExited || delay === undefined || delay < 0 || !Number.isFinite(delay)) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.activeRequests > 0 || engine.hasExited || !this.modelLoaded || this.current !== engine) return;
      this.options.logger.info(`No job for ${Math.round(delay / 1000)} s: unloading the model.`);
      this.modelLoaded = false;
      engine.endpoint
        .request('unloadModel', {})
        .catch((error: unknown) => this.options.logger.warn(`unloadModel failed: ${asFailure(error).message}`));
    }, delay);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

function stageOf(progress: unknown): string | undefined {
  return typeof progress === 'object' && progress !== null && 'stage' in progress && typeof progress.stage === 'string' ? progress.stage : undefined;
}

function cancelled(): RpcFailure {
  return new RpcFailure(ErrorCode.Cancelled, 'Cancelled.');
}

function asFailure(error: unknown): RpcFailure {
  if (error instanceof RpcFailure) return error;
  return new RpcFailure(ErrorCode.Internal, error instanceof Error ? error.message : String(error));
}


function pipeLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  stream.setEncoding('utf8');
  let buffered = '';
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split(/\r?\n/);
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) onLine(line);
  });
  stream.on('end', () => {
    if (buffered.length > 0) onLine(buffered);
    buffered = '';
  });
}

function describe(envelope: Envelope): string {
  switch (envelope.kind) {
    case 'request':
      return `request ${envelope.method} #${envelope.id}`;
    case 'notify':
      return `notify ${envelope.method}`;
    default:
      return `${envelope.kind} #${envelope.id}`;
  }
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
