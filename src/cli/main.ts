// `local-diffusion` command-line tool (dist/cli.js): the engine in-process.
//   exit 0 on success; 1 on any error, with one line "error: …" on stderr and no output file;
//   130 when interrupted (Ctrl+C cancels between steps, a second Ctrl+C quits at once).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { GenerateParams, GenerateProgress, GenerateResult, ModelInfo, PreviewImage } from '../common/protocol/engineProtocol';
import { CancellationSource, ErrorCode, RpcFailure } from '../common/protocol/rpc';
import { Engine } from '../engine/engine';
import { setOrtLogLevel } from '../engine/runtime/ort';
import { decodeImage, encodeImage } from '../node/image/imageCodec';
import { writeFilesAtomically } from '../node/output/writeFilesAtomically';
import { runBuildCommand } from './buildCommand';
import { cancelOnCtrlC } from './cancelOnCtrlC';
import { withInfotext } from './infotextArguments';
import { readImageParameters } from '../node/image/imageCodec';
import { runRemoveBackgroundCommand } from './removeBackgroundCommand';
import { runUpscaleCommand } from './upscaleCommand';
import { outputPaths, parseCliArgs, USAGE, UsageError, type GenerateCommand, type ModelsPullCommand } from './cliArgs';
import { resolveModelArgument, runModelsList, runModelsPull } from './modelsCommands';
import { previewStrip } from './previewStrip';
import { ProgressBar } from './progressBar';

async function readInput(file: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    throw new RpcFailure(ErrorCode.InvalidParams, `cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}


/** --parameters FILE: an image with an infotext (PNG/JPEG/WebP) or a text file holding one. */
async function readInfotext(file: string): Promise<string> {
  const bytes = await fs.readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--parameters: cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}.`);
  });
  if (/\.(png|jpe?g|webp)$/i.test(file)) {
    const text = await readImageParameters(new Uint8Array(bytes)).catch(() => undefined);
    if (!text) throw new UsageError(`--parameters: ${file} holds no generation parameters (no A1111 infotext in its metadata).`);
    return text;
  }
  return bytes.toString('utf8');
}

async function runGenerate(given: GenerateCommand): Promise<number> {
  const cmd = given.parametersFrom !== undefined ? withInfotext(given, given.given, await readInfotext(given.parametersFrom)) : given;
  const engine = new Engine((level, message) => {
    if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
  });
  const { cancel, dispose: stopCtrlC } = cancelOnCtrlC();
  const bar = process.stderr.isTTY && !cmd.json ? new ProgressBar(process.stderr) : undefined;
  try {
    const model = { ...(await resolveModelArgument(cmd.model, cmd.modelsDir)), ...(cmd.vae ? { vae: cmd.vae } : {}) };
    const common = {
      model,
      executionProvider: cmd.executionProvider,
      prompt: cmd.prompt,
      batchCount: cmd.batch,
      previewEverySteps: cmd.previews !== undefined ? 1 : 0,
      ...(cmd.negativePrompt !== undefined ? { negativePrompt: cmd.negativePrompt } : {}),
      ...(cmd.width !== undefined ? { width: cmd.width } : {}),
      ...(cmd.height !== undefined ? { height: cmd.height } : {}),
      ...(cmd.steps !== undefined ? { steps: cmd.steps } : {}),
      ...(cmd.guidanceScale !== undefined ? { guidanceScale: cmd.guidanceScale } : {}),
      ...(cmd.seed !== undefined ? { seed: cmd.seed.toString() } : {}),
      ...(cmd.scheduler !== undefined ? { scheduler: cmd.scheduler } : {}),
      ...(cmd.emphasis !== undefined ? { emphasis: cmd.emphasis } : {}),
      ...(cmd.clipSkip !== undefined ? { clipSkip: cmd.clipSkip } : {}),
      ...(cmd.loras ? { loras: cmd.loras } : {}),
      ...(cmd.loraDirs ? { loraFolders: cmd.loraDirs } : {}),
      ...(cmd.tiling !== undefined ? { tiling: cmd.tiling } : {}),
      ...(cmd.removeBackground !== undefined
        ? { removeBackground: { model: cmd.removeBackground, ...(cmd.backgroundPreset !== undefined ? { preset: cmd.backgroundPreset } : {}) } }
        : {}),
    };
    const strength = cmd.strength !== undefined ? { strength: cmd.strength } : {};
    let params: GenerateParams;
    if (cmd.image === undefined) {
      const hires =
        cmd.hiresScale !== undefined
          ? {
              hires: {
                scale: cmd.hiresScale,
                ...(cmd.hiresStrength !== undefined ? { strength: cmd.hiresStrength } : {}),
                ...(cmd.hiresSteps !== undefined ? { steps: cmd.hiresSteps } : {}),
                ...(cmd.upscaler !== undefined ? { upscaler: cmd.upscaler } : {}),
              },
            }
          : {};
      params = { task: 'txt2img', ...common, ...hires };
    } else if (cmd.outpaint !== undefined) {
      params = {
        task: 'outpaint',
        ...common,
        ...strength,
        initImage: await readInput(cmd.image, 'image'),
        margins: cmd.outpaint,
        ...(cmd.outpaintOverlap !== undefined ? { overlap: cmd.outpaintOverlap } : {}),
      };
    } else if (cmd.mask === undefined) {
      params = { task: 'img2img', ...common, ...strength, initImage: await readInput(cmd.image, 'image') };
    } else {
      params = {
        task: 'inpaint',
        ...common,
        ...strength,
        initImage: await readInput(cmd.image, 'image'),
        mask: await readInput(cmd.mask, 'mask'),
        ...(cmd.maskBlur !== undefined ? { maskBlur: cmd.maskBlur } : {}),
        ...(cmd.maskPadding !== undefined ? { maskPadding: cmd.maskPadding } : {}),
        ...(cmd.onlyMasked ? { inpaintArea: 'masked' as const } : {}),
      };
    }
    const previews: PreviewImage[] = [];
    const onProgress = (p: GenerateProgress): void => {
      bar?.update(p);
      if (p.stage === 'denoising' && p.image === 1 && p.preview) previews.push(p.preview);
    };
    const result: GenerateResult = await engine.generate(params, {
      cancellation: cancel.token,
      ...(bar || cmd.previews !== undefined ? { onProgress } : {}),
    });
    bar?.clear();
    const files = outputPaths(cmd.out, result.images.length);
    const writes = result.images.map((image, i) => ({ path: files[i], bytes: image.png }));
    if (cmd.previews !== undefined) {
      const strip = await previewStrip(previews, await decodeImage(result.images[0].png));
      writes.push({ path: cmd.previews, bytes: await encodeImage(strip, 'png') });
    }
    await writeFilesAtomically(writes, { overwrite: true });
    if (cmd.json) {
      const json = {
        outputs: files.map((f) => path.resolve(f)),
        ...(cmd.previews !== undefined ? { previews: path.resolve(cmd.previews) } : {}),
        seed: result.images[0].seed,
        seeds: result.images.map((i) => i.seed),
        width: result.width,
        height: result.height,
        steps: result.steps,
        guidanceScale: result.guidanceScale,
        scheduler: result.scheduler,
        executionProvider: result.executionProvider,
        warnings: result.warnings,
        timings: result.timings,
      };
      process.stdout.write(`${JSON.stringify(json)}\n`);
    } else {
      for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
      for (let i = 0; i < files.length; i++) {
        process.stdout.write(
          `${files[i]}  (${result.width}×${result.height}, seed ${result.images[i].seed}, ${result.scheduler}, ${result.steps} steps, ${result.executionProvider})\n`,
        );
      }
      if (cmd.previews !== undefined) process.stdout.write(`${cmd.previews}  (${previews.length} step previews, then the image)\n`);
      process.stderr.write(`done in ${(result.timings.totalMs / 1000).toFixed(2)} s\n`);
    }
    return 0;
  } catch (e) {
    bar?.clear();
    if (e instanceof RpcFailure && e.code === ErrorCode.Cancelled) {
      process.stderr.write('error: cancelled; no file written.\n');
      return 130;
    }
    throw e;
  } finally {
    stopCtrlC();
    await engine.dispose();
  }
}

/** `models pull`: Ctrl+C cancels (the download resumes next time), a second Ctrl+C quits at once. */
async function runPull(cmd: ModelsPullCommand): Promise<number> {
  const { cancel, dispose: stopCtrlC } = cancelOnCtrlC();
  try {
    return await runModelsPull(cmd, cancel);
  } finally {
    stopCtrlC();
  }
}

function describeInfo(info: ModelInfo): string {
  const lines = [
    `${info.name}  (${info.dir})`,
    `  family ${info.family}, pipeline ${info.pipelineClass}, native size ${info.nativeWidth}×${info.nativeHeight}`,
    `  text_encoder: input_ids ${info.textEncoder.inputIdsType}, sequence ${info.textEncoder.sequenceLength}, hidden ${info.textEncoder.hiddenSize}, output ${info.textEncoder.outputName}`,
    `  tokenizer: max length ${info.tokenizer.maxLength}, pad "${info.tokenizer.padToken}" (${info.tokenizer.padTokenId}), vocabulary ${info.tokenizer.vocabSize}`,
    ...(info.textEncoder2
      ? [
          `  text_encoder_2: input_ids ${info.textEncoder2.inputIdsType}, sequence ${info.textEncoder2.sequenceLength}, hidden ${info.textEncoder2.hiddenSize}, output ${info.textEncoder2.outputName}, pooled ${info.textEncoder2.pooledOutputName}`,
          `  tokenizer_2: pad "${info.textEncoder2.tokenizer.padToken}" (${info.textEncoder2.tokenizer.padTokenId})`,
        ]
      : []),
    `  unet: ${info.unet.inChannels} input channels${info.unet.inpainting ? ' (inpainting)' : ''}, ${info.unet.dtype}, timestep ${info.unet.timestep.type}[${info.unet.timestep.shape.join(', ')}], batch ${info.unet.batch}, size ${info.unet.size === 'dynamic' ? 'dynamic' : `${info.unet.size.width}×${info.unet.size.height}`}, ${info.unet.predictionType}${info.unet.timeCondProjDim !== null ? `, LCM guidance embedding ${info.unet.timeCondProjDim}` : ''}`,
    ...(info.unet.extraInputs ? [`  unet extra inputs: ${info.unet.extraInputs.map((i) => `${i.name} ${i.type}[${i.shape.join(', ')}]`).join(', ')}`] : []),
    `  vae: scaling factor ${info.vae.scalingFactor} (${info.vae.scalingFactorSource}), ×${info.vae.scaleFactor}, encoder ${info.vae.encoder ?? 'none'}, decoder ${info.vae.decoderDtype}${info.vae.dir ? `, from ${info.vae.dir}` : ''}`,
    ...(info.defaults
      ? [`  defaults: ${[info.defaults.steps !== undefined ? `steps ${info.defaults.steps}` : '', info.defaults.guidanceScale !== undefined ? `guidance ${info.defaults.guidanceScale}` : ''].filter(Boolean).join(', ')} (${info.defaults.source})`]
      : []),
    `  scheduler: ${info.scheduler.className} → ${info.scheduler.defaultScheduler}${info.scheduler.note ? ` (${info.scheduler.note})` : ''}`,
    `  preview: ${info.preview}`,
    '  components:',
    ...info.components.map(
      (c) =>
        `    ${c.present ? '✓' : c.required ? '✗' : '-'} ${c.name}${c.file ? ` ${c.file}` : ''}${c.externalData ? ` + ${c.externalData}` : ''}${c.bytes !== undefined ? ` ${(c.bytes / 1048576).toFixed(1)} MiB` : ''}`,
    ),
    ...info.warnings.map((w) => `  warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

async function main(args: readonly string[]): Promise<number> {
  // --verbose goes with any command: ONNX Runtime's own log (off by default, runtime/ort.ts) reaches stderr.
  const argv = args.filter((a) => a !== '--verbose');
  if (argv.length < args.length) setOrtLogLevel('warning');
  if (argv[0] === 'build') return runBuildCommand(argv.slice(1));
  if (argv[0] === 'upscale') return runUpscaleCommand(argv.slice(1));
  if (argv[0] === 'remove-background') return runRemoveBackgroundCommand(argv.slice(1));
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n\n${USAGE}`);
      return 1;
    }
    throw e;
  }
  try {
    switch (command.command) {
      case 'help':
        process.stdout.write(USAGE);
        return 0;
      case 'info': {
        const engine = new Engine();
        try {
          const info = await engine.info({ ...(await resolveModelArgument(command.model, command.modelsDir)), ...(command.vae ? { vae: command.vae } : {}) });
          process.stdout.write(command.json ? `${JSON.stringify(info)}\n` : describeInfo(info));
        } finally {
          await engine.dispose();
        }
        return 0;
      }
      case 'generate':
        return await runGenerate(command);
      case 'models-pull':
        return await runPull(command);
      case 'models-list':
        return await runModelsList(command);
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`error: ${message.split('\n')[0]}\n`);
    if (process.env.LOCAL_DIFFUSION_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
