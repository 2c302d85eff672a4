// `local-diffusion remove-background --model M --image IN --out OUT.png|.webp [--preset NAME] [--no-refine]
//   [--memory-mb N] [--ep NAME]`: a background-segmentation ONNX model (src/engine/background/) cuts the subject
//   out; the result keeps its alpha, so only PNG and WebP can hold it.
//   exit 0 on success; 1 on any error, with one line "error: …" on stderr and no output file; 130 when interrupted.
import * as path from 'node:path';
import { EXECUTION_PROVIDER_NAMES, type ExecutionProviderName } from '../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../common/protocol/rpc';
import { BackgroundModel } from '../engine/background/backgroundModel';
import { removeBackground } from '../engine/background/removeBackground';
import { PRESET_NAMES } from '../engine/background/segmentationPresets';
import { encodeImage } from '../node/image/imageCodec';
import { writeFilesAtomically } from '../node/output/writeFilesAtomically';
import {
  cancelOnCtrlC,
  checkOutputHolds,
  chooseProvider,
  CommandUsageError,
  imageCommandResources,
  outputFormat,
  parseImageCommandArgs,
  readImageFile,
  runCliCommand,
} from './imageCommand';

export const REMOVE_BACKGROUND_USAGE = `Usage:
  local-diffusion remove-background --model M --image IN --out OUT.png|OUT.webp [--preset NAME] [--no-refine]
                                    [--memory-mb N] [--ep NAME]

Cuts the subject of IN out with a background-segmentation ONNX model (BRIA RMBG-1.4, rembg's u2net / isnet:
a .onnx file or a folder with model.onnx) and writes it with a transparent background.
  --preset NAME   the model's input normalisation: ${PRESET_NAMES.join(' | ')} (default: from the model's name)
  --no-refine     keep the model's mask as it is (default: a light guided filter snaps it to the image's edges)
  --memory-mb N   memory the image's mask may use (default a quarter of this machine's memory)
  --ep NAME       execution provider: ${EXECUTION_PROVIDER_NAMES.join(' | ')} (default auto)
`;

export interface RemoveBackgroundCommand {
  model: string;
  image: string;
  out: string;
  preset?: string;
  refine: boolean;
  memoryBytes: number;
  executionProvider: ExecutionProviderName;
}

export function parseRemoveBackgroundArgs(argv: readonly string[]): RemoveBackgroundCommand | 'help' {
  const v = parseImageCommandArgs(argv, { preset: { type: 'string' }, 'no-refine': { type: 'boolean' } });
  if (v.help) return 'help';
  if (!v.model) throw new CommandUsageError('remove-background needs --model M (a background-segmentation ONNX model).');
  if (!v.image) throw new CommandUsageError('remove-background needs --image IN.');
  if (!v.out) throw new CommandUsageError('remove-background needs --out OUT.png or OUT.webp.');
  checkOutputHolds(v.out, outputFormat(v.out), 1, 1, true);
  if (v.preset !== undefined && !PRESET_NAMES.includes(v.preset)) throw new CommandUsageError(`--preset must be one of ${PRESET_NAMES.join(', ')}, got "${v.preset}".`);
  return {
    model: v.model,
    image: v.image,
    out: v.out,
    ...(v.preset !== undefined ? { preset: v.preset } : {}),
    refine: !v['no-refine'],
    ...imageCommandResources(v),
  };
}

async function runRemoveBackground(cmd: RemoveBackgroundCommand): Promise<number> {
  const format = outputFormat(cmd.out);
  const image = await readImageFile(cmd.image);
  checkOutputHolds(cmd.out, format, image.width, image.height, true);
  const started = Date.now();
  const { cancel, dispose } = cancelOnCtrlC();
  const plan = chooseProvider(cmd.executionProvider);
  if (cmd.executionProvider !== 'auto') for (const why of plan.skipped) process.stderr.write(`warning: ${why}\n`);
  let model: BackgroundModel | undefined;
  try {
    model = await BackgroundModel.load(cmd.model, plan.candidates[0], cmd.preset);
    const result = await removeBackground(image, model, { memoryBudgetBytes: cmd.memoryBytes, refine: cmd.refine, cancellation: cancel.token });
    await writeFilesAtomically([{ path: cmd.out, bytes: await encodeImage(result.image, format, format === 'webp' ? { lossless: true } : {}) }], { overwrite: true });
    const info = model.info;
    process.stdout.write(
      `${cmd.out}  (${image.width}×${image.height}, ${path.basename(info.file)} at ${info.width}×${info.height}, preset ${info.preset.name}, ${info.dtype}, ${info.provider})\n`,
    );
    process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
    return 0;
  } catch (e) {
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

export function runRemoveBackgroundCommand(argv: readonly string[]): Promise<number> {
  return runCliCommand(argv, parseRemoveBackgroundArgs, REMOVE_BACKGROUND_USAGE, runRemoveBackground);
}
