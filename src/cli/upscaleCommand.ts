// `local-diffusion upscale --image IN --out OUT [--model M] [--scale N] [--tile N] [--tile-pad N] [--memory-mb N] [--ep NAME]`:
// a super-resolution ONNX model run in tiles (src/engine/upscale/), or a Lanczos upscale without a model.
//   exit 0 on success; 1 on any error, with one line "error: …" on stderr and no output file; 130 when interrupted
//   (Ctrl+C cancels between tiles, a second Ctrl+C quits at once).
import * as path from 'node:path';
import type { RasterImage } from '../common/image/imageTypes';
import { LIMITS } from '../common/limits';
import { EXECUTION_PROVIDER_NAMES, type ExecutionProviderName } from '../common/protocol/engineProtocol';
import { CancellationSource, ErrorCode, RpcFailure } from '../common/protocol/rpc';
import { DEFAULT_TILE_PAD, lanczosUpscale, upscaleImage, type UpscaleProgress } from '../engine/upscale/upscaleImage';
import { UpscaleModel } from '../engine/upscale/upscaleModel';
import { encodeImage } from '../node/image/imageCodec';
import { writeFilesAtomically } from '../node/output/writeFilesAtomically';
import {
  cancelOnCtrlC,
  checkOutputHolds,
  chooseProvider,
  CommandUsageError,
  imageCommandResources,
  numberOption,
  outputFormat,
  parseImageCommandArgs,
  readImageFile,
  runCliCommand,
} from './imageCommand';

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

export function parseUpscaleArgs(argv: readonly string[]): UpscaleCommand | 'help' {
  const v = parseImageCommandArgs(argv, { scale: { type: 'string' }, tile: { type: 'string' }, 'tile-pad': { type: 'string' } });
  if (v.help) return 'help';
  if (!v.image) throw new CommandUsageError('upscale needs --image IN.');
  if (!v.out) throw new CommandUsageError('upscale needs --out OUT.');
  if (v.model === '') throw new CommandUsageError('--model needs a file or folder.');
  outputFormat(v.out);
  const scale = numberOption('scale', v.scale, LIMITS.upscaleScale, false);
  const tile = numberOption('tile', v.tile, LIMITS.upscaleTile, true);
  return {
    image: v.image,
    out: v.out,
    ...(v.model !== undefined ? { model: v.model } : {}),
    ...(scale !== undefined ? { scale } : {}),
    ...(tile !== undefined ? { tile } : {}),
    tilePad: numberOption('tile-pad', v['tile-pad'], LIMITS.upscaleTilePad, true) ?? DEFAULT_TILE_PAD,
    ...imageCommandResources(v),
  };
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

export function runUpscaleCommand(argv: readonly string[]): Promise<number> {
  return runCliCommand(argv, parseUpscaleArgs, UPSCALE_USAGE, runUpscale);
}
