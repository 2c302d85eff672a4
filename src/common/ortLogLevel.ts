// ONNX Runtime's log level in the engine process: its names (onnxruntime-common `Env.logLevel`), the environment
// variable the extension host sets when it starts the engine, and the level that fits the host's log level.

/** ONNX Runtime's own log severities, most to least chatty. */
export const ORT_LOG_LEVELS = ['verbose', 'info', 'warning', 'error', 'fatal'] as const;
export type OrtLogLevel = (typeof ORT_LOG_LEVELS)[number];

/** Read by the engine process at start; the CLI's --verbose sets the level directly. */
export const ORT_LOG_LEVEL_ENV = 'LOCAL_DIFFUSION_ORT_LOG_LEVEL';

/** The log levels of VS Code's LogOutputChannel, by name (vscode.LogLevel's keys, lower-cased). */
export type HostLogLevel = 'off' | 'trace' | 'debug' | 'info' | 'warning' | 'error';

/**
 * ORT's level for a host log level: its warnings and errors in a debug log, its info lines in a trace log (verbose
 * is a line per node and kernel), only fatal ones otherwise — every failure ORT logs also comes back as a rejected
 * run, which the engine maps to one message.
 */
export function ortLogLevelFor(level: HostLogLevel): OrtLogLevel {
  if (level === 'trace') return 'info';
  if (level === 'debug') return 'warning';
  return 'fatal';
}

export function parseOrtLogLevel(value: string | undefined): OrtLogLevel | undefined {
  return (ORT_LOG_LEVELS as readonly string[]).includes(value ?? '') ? (value as OrtLogLevel) : undefined;
}

/** ORT's native logger's lines on stderr: "[W:onnxruntime:…, telemetry.cc:800 …] …", "2026-… [E:onnxruntime:…]". */
export function isOrtLogLine(line: string): boolean {
  return /\[[VIWEF]:onnxruntime:/.test(line);
}
