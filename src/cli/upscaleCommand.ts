// `local-diffusion upscale --image IN --out OUT [--model M] [--scale N] [--tile N] [--tile-pad N] [--memory-mb N] [--ep NAME]`:
// a super-resolution ONNX model run in tiles (src/engine/upscale/), or a Lanczos upscale without a model.
//   exit 0 on success; 1 on any error, with one line "error: …" on stderr and no output file; 130 when interrupted
//   (Ctrl+C cancels between tiles, a second Ctrl+C quits at once).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { RasterImage } from '../common/image/imageTypes';
import { inRange, LIMITS, type NumberRange } from '../common/limits';
import { EXECUTION_PROVIDER_NAMES, type ExecutionProviderName } from '../common/protocol/engineProtocol';
import { CancellationSource, ErrorCode, RpcFailure } from '../common/protocol/rpc';
import { planProviders } from '../engine/runtime/executionProviders';
import { installedProviders } from '../engine/runtime/ort';
import { DEFAULT_TILE_PAD, lanczosUpscale, upscaleImage, type UpscaleProgress } from '../engine/upscale/upscaleImage';
import { UpscaleModel } from '../engine/upscale/upscaleModel';
import { defaultMemoryBudgetBytes } from '../engine/upscale/upscaleMemory';
import { decodeImage, encodeImage, type ImageFormat } from '../node/image/imageCodec';
import { writeFilesAtomically } from '../node/output/writeFilesAtomically';

export const UPSCALE_USAGE = `Usage:
  local-diffusion upscale --image IN --out OUT [--model M] [--scale N] [--tile N] [--tile-pad N]
                          [--memory-mb N] [--ep NAME]

Upscales IN into OUT (.png, .webp or .jpg). With --model (a super-resolution ONNX model such as Real-ESRGAN:
a .onnx file or a folder with model.onnx) the model runs in tiles with context around each, so there are no
seams; its scale is read from the graph. Without --model, a Lanczos upscale.
  --scale N       output size over input size, ${LIMITS.upscaleScale.min}…${LIMITS.upscaleScale.max} (default: the model's scale; 2 without a model)
  --tile N        tile size in input pixels, ${LIMITS.upscaleTile.min}…${LIMITS.upscaleTile.max} (default: from the image and the memory budget)
  --tile-pad N    context read around each tile in pixels (default ${DEFAULT_TILE_PAD})
  --memory-mb N   memory the result and one tile may use (default a quarter of this machine's memory)
  --ep NAME       execution provider: ${EXECUTION_PROVIDER_NAMES.join(' | ')} (default auto)
`;

/** Lanczos scale when no model is given. */
const DEFAULT_LANCZOS_SCALE = 2;
/** libwebp's WEBP_MAX_DIMENSION (src/webp/encode.h). */
const WEBP_MAX_DIMENSION = 16383;

export class CommandUsageError extends Error {}

export interface UpscaleCommand {
  image: string;
  out: string;
  model?: string;
  scale?: number;
  tile?: number;
  tilePad: number;
  memoryBytes: number;
  executionProvider: ExecutionProviderName;
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

export function parseUpscaleArgs(argv: readonly string[]): UpscaleCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        image: { type: 'string' },
        out: { type: 'string' },
        scale: { type: 'string' },
        tile: { type: 'string' },
        'tile-pad': { type: 'string' },
        'memory-mb': { type: 'string' },
        ep: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new CommandUsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (!v.image) throw new CommandUsageError('upscale needs --image IN.');
  if (!v.out) throw new CommandUsageError('upscale needs --out OUT.');
  if (v.model === '') throw new CommandUsageError('--model needs a file or folder.');
  outputFormat(v.out);
  const scale = numberOption('scale', v.scale, LIMITS.upscaleScale, false);
  const tile = numberOption('tile', v.tile, LIMITS.upscaleTile, true);
  const memoryMb = numberOption('memory-mb', v['memory-mb'], LIMITS.memoryMb, true);
  return {
    image: v.image,
    out: v.out,
    ...(v.model !== undefined ? { model: v.model } : {}),
    ...(scale !== undefined ? { scale } : {}),
    ...(tile !== undefined ? { tile } : {}),
    tilePad: numberOption('tile-pad', v['tile-pad'], LIMITS.upscaleTilePad, true) ?? DEFAULT_TILE_PAD,
    memoryBytes: memoryMb !== undefined ? memoryMb * 1048576 : defaultMemoryBudgetBytes(),
    executionProvider: executionProviderOption(v.ep),
  };
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

/** Refuses an output the format cannot hold: alpha in JPEG, a WebP side over libwebp's limit. */
export function checkOutputHolds(file: string, format: ImageFormat, width: number, height: number, alpha: boolean): void {
  if (format === 'jpeg' && alpha) throw new CommandUsageError(`--out ${file}: JPEG cannot hold transparency; write .png or .webp.`);
  if (format === 'webp' && (width > WEBP_MAX_DIMENSION || height > WEBP_MAX_DIMENSION)) {
    throw new CommandUsageError(`--out ${file}: a ${width}×${height} image is over WebP's ${WEBP_MAX_DIMENSION} px limit; write .png.`);
  }
}

import { cancelOnCtrlC } from './cancelOnCtrlC';
export { cancelOnCtrlC };

/** The first provider planProviders offers (the GPU one when present), with its reasons for skipping others. */
export function chooseProvider(requested: ExecutionProviderName): ReturnType<typeof planProviders> {
  return planProviders(requested, installedProviders());
}

function tileLine(p: UpscaleProgress, started: number): string {
  const width = 24;
  const filled = Math.round((p.tile / p.tiles) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] tile ${p.tile}/${p.tiles}  ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

async function runUpscale(cmd: UpscaleCommand): Promise<number> {
  const format = outputFormat(cmd.out);
  const image = await readImageFile(cmd.image);
  const { cancel, dispose } = cancelOnCtrlC();
  const tty = Boolean(process.stderr.isTTY);
  const started = Date.now();
  let shown = 0;
  let model: UpscaleModel | undefined;
  try {
    let result: RasterImage;
    let how: string;
    if (cmd.model === undefined) {
      const scale = cmd.scale ?? DEFAULT_LANCZOS_SCALE;
      checkOutputHolds(cmd.out, format, Math.round(image.width * scale), Math.round(image.height * scale), image.channels === 4);
      result = await lanczosUpscale(image, scale, cmd.memoryBytes);
      how = `Lanczos ×${scale}`;
    } else {
      if (format === 'jpeg' && image.channels === 4) checkOutputHolds(cmd.out, format, 1, 1, true);
      const plan = chooseProvider(cmd.executionProvider);
      if (cmd.executionProvider !== 'auto') for (const why of plan.skipped) process.stderr.write(`warning: ${why}\n`);
      model = await UpscaleModel.load(cmd.model, plan.candidates[0]);
      const scale = cmd.scale ?? model.info.scale;
      checkOutputHolds(cmd.out, format, Math.round(image.width * scale), Math.round(image.height * scale), image.channels === 4);
      const upscaled = await upscaleImage(image, model, {
        scale,
        tilePad: cmd.tilePad,
        memoryBudgetBytes: cmd.memoryBytes,
        cancellation: cancel.token,
        ...(cmd.tile !== undefined ? { tile: cmd.tile } : {}),
        ...(tty
          ? {
              onProgress: (p: UpscaleProgress) => {
                const line = tileLine(p, started);
                process.stderr.write(`\r${line}${' '.repeat(Math.max(0, shown - line.length))}`);
                shown = line.length;
              },
            }
          : {}),
      });
      result = upscaled.image;
      how = `${path.basename(model.info.file === path.join(cmd.model, 'model.onnx') ? cmd.model : model.info.file)} ×${upscaled.modelScale}${scale !== upscaled.modelScale ? ` then Lanczos to ×${scale}` : ''}, ${upscaled.tiles} tile${upscaled.tiles === 1 ? '' : 's'} of ${upscaled.tile} px, ${model.info.dtype}, ${model.info.provider}`;
    }
    if (shown > 0) process.stderr.write(`\r${' '.repeat(shown)}\r`);
    shown = 0;
    await writeFilesAtomically([{ path: cmd.out, bytes: await encodeImage(result, format, format === 'webp' ? { lossless: true } : {}) }], { overwrite: true });
    process.stdout.write(`${cmd.out}  (${image.width}×${image.height} → ${result.width}×${result.height}, ${how})\n`);
    process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
    return 0;
  } catch (e) {
    if (shown > 0) process.stderr.write(`\r${' '.repeat(shown)}\r`);
    if (e instanceof RpcFailure && e.code === ErrorCode.Cancelled) {
      process.stderr.write('error: cancelled; no file written.\n');
      return 130;
    }
    throw e;
  } finally {
    dispose();
    await model?.dispose();
  }
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

export function runUpscaleCommand(argv: readonly string[]): Promise<number> {
  return runCliCommand(argv, parseUpscaleArgs, UPSCALE_USAGE, runUpscale);
}
