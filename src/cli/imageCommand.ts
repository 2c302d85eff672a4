// What the image commands (upscale, remove-background) share: their common options (--model, --image, --out,
// --memory-mb, --ep, --help), usage errors, the memory budget, the provider choice, reading the input and checking
// that the output's format can hold the result, and the one "error: …" line on failure.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { RasterImage } from '../common/image/imageTypes';
import { inRange, LIMITS, type NumberRange } from '../common/limits';
import { EXECUTION_PROVIDER_NAMES, type ExecutionProviderName } from '../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../common/protocol/rpc';
import { planProviders } from '../engine/runtime/executionProviders';
import { installedProviders } from '../engine/runtime/ort';
import { defaultMemoryBudgetBytes } from '../engine/upscale/upscaleMemory';
import { decodeImage, type ImageFormat } from '../node/image/imageCodec';

/** libwebp's WEBP_MAX_DIMENSION (src/webp/encode.h). */
const WEBP_MAX_DIMENSION = 16383;

export class CommandUsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The options every image command takes. */
const IMAGE_COMMAND_OPTIONS = {
  model: { type: 'string' },
  image: { type: 'string' },
  out: { type: 'string' },
  'memory-mb': { type: 'string' },
  ep: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Parses an image command's arguments: the shared options plus the command's own (strict, no positionals). */
export function parseImageCommandArgs<const T extends Options>(argv: readonly string[], own: T) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: { ...IMAGE_COMMAND_OPTIONS, ...own } }).values;
  } catch (e) {
    throw new CommandUsageError((e as Error).message);
  }
}

/** --memory-mb (in LIMITS.memoryMb) as bytes, else the default share of this machine's memory; --ep. */
export function imageCommandResources(values: { 'memory-mb'?: string; ep?: string }): { memoryBytes: number; executionProvider: ExecutionProviderName } {
  const memoryMb = numberOption('memory-mb', values['memory-mb'], LIMITS.memoryMb, true);
  return {
    memoryBytes: memoryMb !== undefined ? memoryMb * 1048576 : defaultMemoryBudgetBytes(),
    executionProvider: executionProviderOption(values.ep),
  };
}

export { defaultMemoryBudgetBytes };

/** A numeric option in its LIMITS range (integers where `integer`). */
export function numberOption(name: string, value: string | undefined, range: NumberRange, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !inRange(n, range) || (integer && !Number.isInteger(n))) {
    throw new CommandUsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}, got "${value}".`);
  }
  return n;
}

export function executionProviderOption(value: string | undefined): ExecutionProviderName {
  const ep = value ?? 'auto';
  if (!(EXECUTION_PROVIDER_NAMES as readonly string[]).includes(ep)) throw new CommandUsageError(`--ep must be one of ${EXECUTION_PROVIDER_NAMES.join(', ')}, got "${ep}".`);
  return ep as ExecutionProviderName;
}

/** The encoder format an output path asks for, by its extension. */
export function outputFormat(file: string): ImageFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.webp') return 'webp';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  throw new CommandUsageError(`--out ${file}: the extension must be .png, .webp, .jpg or .jpeg.`);
}

export async function readImageFile(file: string): Promise<RasterImage> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch (e) {
    throw new RpcFailure(ErrorCode.InvalidParams, `cannot read the image ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  return decodeImage(bytes);
}

export { cancelOnCtrlC } from './cancelOnCtrlC';

/** Refuses an output the format cannot hold: alpha in JPEG, a WebP side over libwebp's limit. */
export function checkOutputHolds(file: string, format: ImageFormat, width: number, height: number, alpha: boolean): void {
  if (format === 'jpeg' && alpha) throw new CommandUsageError(`--out ${file}: JPEG cannot hold transparency; write .png or .webp.`);
  if (format === 'webp' && (width > WEBP_MAX_DIMENSION || height > WEBP_MAX_DIMENSION)) {
    throw new CommandUsageError(`--out ${file}: a ${width}×${height} image is over WebP's ${WEBP_MAX_DIMENSION} px limit; write .png.`);
  }
}

/** The first provider planProviders offers (the GPU one when present), with its reasons for skipping others. */
export function chooseProvider(requested: ExecutionProviderName): ReturnType<typeof planProviders> {
  return planProviders(requested, installedProviders());
}

/** Prints one "error: …" line for any failure, as the other commands do. */
export async function runCliCommand<C>(argv: readonly string[], parse: (argv: readonly string[]) => C | 'help', usage: string, run: (cmd: C) => Promise<number>): Promise<number> {
  let cmd: C | 'help';
  try {
    cmd = parse(argv);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n\n${usage}`);
    return 1;
  }
  if (cmd === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  try {
    return await run(cmd);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message.split('\n')[0]}\n`);
    if (process.env.LOCAL_DIFFUSION_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
