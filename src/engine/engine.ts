// The engine: loads one model at a time and keeps it between jobs, runs one job at a time.
// Used in-process by the CLI and behind the IPC server (engineServer.ts) in the extension's child process.
import * as path from 'node:path';
import {
  PROTOCOL_VERSION,
  type ConcreteSchedulerName,
  type ExecutionProviderName,
  type GenerateParams,
  type GenerateProgress,
  type GenerateResult,
  type GeneratedImage,
  type HelloResult,
  type LoadedModel,
  type ModelInfo,
  type ModelRef,
} from '../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure, type Cancellation } from '../common/protocol/rpc';
import { throwIfCancelled } from './cancellation';
import { defaultSizeForImage, normalizeGenerateParams, type GenerateRequest } from './generateRequest';
import { formatA1111Parameters } from '../common/metadata/a1111Parameters';
import { binarizeMask } from './image/binarizeMask';
import { compositeOutsideMask } from './image/compositeOutsideMask';
import { cropRegionForMask } from './image/cropRegionForMask';
import { decodeImage, encodeImage, resizeImage } from '../node/image/imageCodec';
import type { GrayMask, RasterImage } from '../common/image/imageTypes';
import { maskFromImage, toGrayMask } from './image/maskFromImage';
import { cropMask, cropRaster, pasteRaster, resizeMaskBilinear } from './image/rasterOps';
import { featherMask } from '../common/mask/maskFilters';
import { isEmptyRect, maskBounds, type Rect } from '../common/mask/maskRect';
import { samplerInfotextFields } from '../common/metadata/samplerLabel';
import { modelShortHash } from './model/modelHash';
import { describeModelFolder, PipelineModel, type LoadProgress } from './model/pipelineModel';
import { guidanceScaleEmbedding } from './pipelines/guidanceScaleEmbedding';
import { img2img } from './pipelines/img2img';
import { rasterToPlanar } from './pipelines/imageTensors';
import { inpaint, prepareInpaint } from './pipelines/inpaint';
import type { JobContext, JobTimings } from './pipelines/jobContext';
import { encodePrompts } from './pipelines/promptEmbeddings';
import { txt2img } from './pipelines/txt2img';
import { installedProviders, ortVersion } from './runtime/ort';
import { resolveDefaultScheduler } from './schedulers/createScheduler';
import { ENGINE_VERSION } from '../common/version';

export type EngineLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface JobOptions<Progress> {
  onProgress?: (progress: Progress) => void;
  cancellation?: Cancellation;
}

interface Loaded {
  model: PipelineModel;
  key: string;
  hash: Promise<string>;
}

function modelKey(ref: ModelRef, provider: ExecutionProviderName): string {
  return `${path.resolve(ref.dir)}\0${ref.name ?? ''}\0${provider}`;
}

function isOutOfMemory(message: string): boolean {
  return /out of memory|failed to allocate|bad_alloc|E_OUTOFMEMORY|0x8007000E|cudaErrorMemoryAllocation/i.test(message);
}

/** Turns runtime errors into typed ones; typed ones pass through. */
function typedError(error: unknown): RpcFailure {
  if (error instanceof RpcFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isOutOfMemory(message)) {
    return new RpcFailure(
      ErrorCode.OutOfMemory,
      'Out of memory while generating. Try a smaller size, a batch of 1, or the CPU provider.',
      message,
    );
  }
  return new RpcFailure(ErrorCode.Internal, message, error instanceof Error ? error.stack : undefined);
}

export class Engine {
  private loaded: Loaded | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly log: EngineLog = () => undefined) {}

  /** The loaded model, if any (for tests and the benchmark: run counters, sessions). */
  get currentModel(): PipelineModel | undefined {
    return this.loaded?.model;
  }

  hello(): HelloResult {
    return {
      protocolVersion: PROTOCOL_VERSION,
      engineVersion: ENGINE_VERSION,
      ortVersion: ortVersion(),
      platform: process.platform,
      arch: process.arch,
      pid: process.pid,
      executionProviders: installedProviders(),
    };
  }

  /** Runs one operation at a time: jobs queue behind each other, never interleave. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** What the folder holds, as the engine sees it. Uses the loaded model when it is that folder, else loads nothing. */
  info(ref: ModelRef, keepWithProvider?: ExecutionProviderName): Promise<ModelInfo> {
    return this.exclusive(async () => {
      const dir = path.resolve(ref.dir);
      if (this.loaded && this.loaded.model.folder.dir === dir) return this.loaded.model.info;
      if (!this.loaded && keepWithProvider) return (await this.ensureLoaded(ref, keepWithProvider, {})).loaded.model.info;
      // No session: the graphs' inputs and outputs come from the ONNX files, without their weights.
      return describeModelFolder(dir, ref.name);
    });
  }

  loadModel(ref: ModelRef, provider: ExecutionProviderName = 'auto', options: JobOptions<LoadProgress> = {}): Promise<LoadedModel> {
    return this.exclusive(async () => {
      const start = performance.now();
      const { loaded, fresh } = await this.ensureLoaded(ref, provider, options);
      return {
        info: loaded.model.info,
        executionProvider: loaded.model.provider,
        ...(loaded.model.fallbackReason ? { fallbackReason: loaded.model.fallbackReason } : {}),
        loadMs: fresh ? performance.now() - start : 0,
        loaded: fresh,
      };
    });
  }

  unloadModel(): Promise<boolean> {
    return this.exclusive(async () => {
      const loaded = this.loaded;
      this.loaded = undefined;
      if (!loaded) return false;
      await loaded.model.release();
      this.log('info', `Unloaded ${loaded.model.info.name}.`);
      return true;
    });
  }

  async dispose(): Promise<void> {
    await this.unloadModel().catch(() => undefined);
  }

  private async ensureLoaded(
    ref: ModelRef,
    provider: ExecutionProviderName,
    options: JobOptions<LoadProgress>,
  ): Promise<{ loaded: Loaded; fresh: boolean }> {
    if (!ref || typeof ref.dir !== 'string' || ref.dir.length === 0) {
      throw new RpcFailure(ErrorCode.InvalidParams, 'No model folder given.');
    }
    const key = modelKey(ref, provider);
    if (this.loaded?.key === key) return { loaded: this.loaded, fresh: false };
    if (this.loaded) {
      const old = this.loaded;
      this.loaded = undefined;
      await old.model.release();
    }
    const start = performance.now();
    const model = await PipelineModel.load(ref.dir, ref.name, {
      executionProvider: provider,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.cancellation ? { cancellation: options.cancellation } : {}),
    });
    const unetFile = model.folder.components.unet?.file as string;
    const hash = modelShortHash(unetFile);
    hash.catch((e: unknown) => this.log('warn', `Could not hash ${unetFile}: ${(e as Error).message}`));
    this.loaded = { model, key, hash };
    this.log(
      'info',
      `Loaded ${model.info.name} on ${model.provider} in ${Math.round(performance.now() - start)} ms` +
        (model.fallbackReason ? ` (${model.fallbackReason})` : ''),
    );
    return { loaded: this.loaded, fresh: true };
  }

  generate(params: GenerateParams, options: JobOptions<GenerateProgress> = {}): Promise<GenerateResult> {
    return this.exclusive(async () => {
      try {
        return await this.runGenerate(params, options);
      } catch (e) {
        throw typedError(e);
      }
    });
  }

  private async runGenerate(params: GenerateParams, options: JobOptions<GenerateProgress>): Promise<GenerateResult> {
    const started = performance.now();
    const emit = options.onProgress ?? (() => undefined);
    const cancellation = options.cancellation;
    if (typeof params !== 'object' || params === null) throw new RpcFailure(ErrorCode.InvalidParams, 'generate needs parameters.');
    const loadStart = performance.now();
    const { loaded, fresh } = await this.ensureLoaded(params.model, params.executionProvider ?? 'auto', {
      onProgress: emit,
      ...(cancellation ? { cancellation } : {}),
    });
    const loadMs = fresh ? performance.now() - loadStart : 0;
    const model = loaded.model;
    const info = model.info;
    model.resetRunTimers();
    const request = normalizeGenerateParams(params, info);
    const warnings: string[] = [];
    if (fresh && model.providerWarning) warnings.push(model.providerWarning);

    let schedulerName: ConcreteSchedulerName;
    if (request.scheduler === 'default') {
      const resolved = resolveDefaultScheduler(model.folder.schedulerConfig);
      schedulerName = resolved.name;
      if (resolved.note) warnings.push(resolved.note);
    } else {
      schedulerName = request.scheduler;
    }

    // Source image and mask (img2img / inpaint).
    let original: RasterImage | undefined;
    let softMask: GrayMask | undefined;
    if (request.initImage) {
      emit({ stage: 'encodingImage' });
      original = await decodeImage(request.initImage).catch((e: unknown) => {
        throw new RpcFailure(ErrorCode.InvalidParams, `The init image could not be read: ${(e as Error).message}`);
      });
    }
    if (request.mask && original) {
      const maskImage = await decodeImage(request.mask).catch((e: unknown) => {
        throw new RpcFailure(ErrorCode.InvalidParams, `The mask could not be read: ${(e as Error).message}`);
      });
      if (maskImage.width !== original.width || maskImage.height !== original.height) {
        throw new RpcFailure(
          ErrorCode.InvalidParams,
          `The mask is ${maskImage.width}×${maskImage.height} but the image is ${original.width}×${original.height}: they must be the same size.`,
        );
      }
      const mask = maskFromImage(maskImage, original.width, original.height);
      featherMask(mask, request.maskBlur); // A1111 "Mask blur", on the 8-bit mask (0: none)
      if (isEmptyRect(maskBounds(mask))) {
        throw new RpcFailure(ErrorCode.InvalidParams, 'The mask is empty: paint the area to repaint in white.');
      }
      softMask = toGrayMask(mask);
    }

    // Generation size and the region of the original it covers.
    let width: number;
    let height: number;
    let region: Rect | undefined;
    if (request.task === 'txt2img' || !original) {
      width = request.width ?? info.nativeWidth;
      height = request.height ?? info.nativeHeight;
    } else if (request.task === 'inpaint' && request.inpaintArea === 'masked') {
      width = request.width ?? (info.unet.size === 'dynamic' ? info.nativeWidth : info.unet.size.width);
      height = request.height ?? (info.unet.size === 'dynamic' ? info.nativeHeight : info.unet.size.height);
      const box = maskBounds(softMask as GrayMask);
      region = cropRegionForMask(box, original.width, original.height, request.maskPadding, width, height);
    } else {
      const size = defaultSizeForImage(original.width, original.height, info);
      width = request.width ?? size.width;
      height = request.height ?? size.height;
      region = { x: 0, y: 0, width: original.width, height: original.height };
    }
    if (info.unet.size !== 'dynamic' && (info.unet.size.width !== width || info.unet.size.height !== height)) {
      throw new RpcFailure(
        ErrorCode.InvalidParams,
        `This model's UNet was exported for ${info.unet.size.width}×${info.unet.size.height} only; ${width}×${height} was asked.`,
      );
    }

    // Prompt embeddings (shared by every image of the job).
    const lcm = info.unet.timeCondProjDim !== null;
    const withUncond = request.guidanceScale > 1 && !lcm;
    throwIfCancelled(cancellation);
    emit({ stage: 'encodingPrompt' });
    const textStart = performance.now();
    const embeddings = await encodePrompts(model, request.prompt, request.negativePrompt, withUncond);
    const textEncodeMs = performance.now() - textStart;
    warnings.push(...embeddings.warnings);

    const timings: JobTimings = { denoiseMs: 0, previewMs: 0, decodeMs: 0, encodeImageMs: 0 };
    let imageIndex = 0;
    const denoiseStart = new Map<number, number>();
    const ctx: JobContext = {
      model,
      schedulerName,
      steps: request.steps,
      guidanceScale: request.guidanceScale,
      strength: request.strength,
      width,
      height,
      embeddings,
      ...(lcm ? { timestepCond: guidanceScaleEmbedding(request.guidanceScale, info.unet.timeCondProjDim as number) } : {}),
      previewEvery: request.previewEverySteps,
      ...(cancellation ? { cancellation } : {}),
      timings,
      onStep: (step, steps, preview) => {
        const begun = denoiseStart.get(imageIndex) ?? performance.now();
        emit({
          stage: 'denoising',
          image: imageIndex + 1,
          images: request.batchCount,
          step,
          steps,
          elapsedMs: Math.round(performance.now() - begun),
          ...(preview ? { preview } : {}),
        });
        if (step === steps) emit({ stage: 'decoding', image: imageIndex + 1, images: request.batchCount });
      },
    };

    // Task preparation shared by every seed.
    let runOne: (seed: number) => Promise<RasterImage>;
    if (request.task === 'txt2img') {
      const conditioning = model.unet.inChannels === 9 ? await this.blankInpaintConditioning(ctx) : undefined;
      runOne = (seed) => txt2img(ctx, seed, conditioning);
    } else if (request.task === 'img2img') {
      const source = await fitTo(original as RasterImage, width, height, warnings);
      const encodeStart = performance.now();
      const encoded = await (model.vaeEncoder as NonNullable<typeof model.vaeEncoder>).encode(rasterToPlanar(source), height, width);
      timings.encodeImageMs += performance.now() - encodeStart;
      runOne = (seed) => img2img(ctx, seed, encoded);
    } else {
      const box = region as Rect;
      const sourceImage = await fitTo(cropRaster(original as RasterImage, box), width, height, []);
      const sourceMask = resizeMaskBilinear(cropMask(softMask as GrayMask, box), width, height);
      if (isEmptyRect(maskBounds(binarizeMask(sourceMask, 0.5)))) {
        warnings.push('The mask is fainter than 50% everywhere: the model repaints nothing, only the soft edge blends.');
      }
      const inputs = await prepareInpaint(ctx, sourceImage, sourceMask);
      runOne = async (seed) => {
        const generated = await inpaint(ctx, seed, inputs);
        const fitted =
          generated.width === box.width && generated.height === box.height
            ? generated
            : await resizeImage(generated, box.width, box.height, 'fill');
        const pasted = pasteRaster(original as RasterImage, fitted, box.x, box.y);
        return compositeOutsideMask(original as RasterImage, pasted, softMask as GrayMask);
      };
    }

    const modelHash = await loaded.hash.catch(() => undefined);
    const images: GeneratedImage[] = [];
    for (imageIndex = 0; imageIndex < request.batchCount; imageIndex++) {
      throwIfCancelled(cancellation);
      const seed = request.seed + imageIndex;
      denoiseStart.set(imageIndex, performance.now());
      const raster = await runOne(seed);
      const parameters = formatA1111Parameters({
        prompt: request.prompt,
        ...(request.negativePrompt ? { negativePrompt: request.negativePrompt } : {}),
        steps: request.steps,
        ...samplerInfotextFields(schedulerName),
        cfgScale: request.guidanceScale,
        seed,
        width,
        height,
        ...(modelHash ? { modelHash } : {}),
        model: info.name,
        ...(request.task !== 'txt2img' ? { denoisingStrength: request.strength } : {}),
        extra: [
          ...(request.task === 'inpaint'
            ? ([
                ['Mask blur', request.maskBlur],
                ...(request.inpaintArea === 'masked'
                  ? ([
                      ['Inpaint area', 'Only masked'],
                      ['Masked area padding', request.maskPadding],
                    ] as [string, string | number][])
                  : []),
              ] as [string, string | number][])
            : []),
          ['RNG', 'CPU'],
          ['Version', `Local Diffusion ${ENGINE_VERSION}`],
        ],
      });
      const png = await encodeImage(raster, 'png', { parameters });
      images.push({ png, seed, parameters });
    }

    const unetMs = model.unet.session.runMs;
    return {
      images,
      width: request.task === 'inpaint' ? (original as RasterImage).width : width,
      height: request.task === 'inpaint' ? (original as RasterImage).height : height,
      steps: request.steps,
      guidanceScale: request.guidanceScale,
      scheduler: schedulerName,
      executionProvider: model.provider,
      warnings,
      timings: {
        loadMs: Math.round(loadMs),
        textEncodeMs: Math.round(textEncodeMs),
        denoiseMs: Math.round(timings.denoiseMs),
        unetMs: Math.round(unetMs),
        previewMs: Math.round(timings.previewMs),
        decodeMs: Math.round(timings.decodeMs),
        totalMs: Math.round(performance.now() - started),
      },
    };
  }

  /** A 9-channel UNet drawing from text alone: mask 1 everywhere, masked image = mid-grey (zeros in [-1, 1]). */
  private async blankInpaintConditioning(ctx: JobContext): Promise<Float32Array> {
    const { model, width, height } = ctx;
    const scale = model.info.vae.scaleFactor;
    const cells = (width / scale) * (height / scale);
    const conditioning = new Float32Array(cells * (1 + model.unet.latentChannels));
    conditioning.fill(1, 0, cells);
    if (model.vaeEncoder) {
      const encoded = await model.vaeEncoder.encode(new Float32Array(3 * width * height), height, width);
      const scaling = model.info.vae.scalingFactor;
      for (let i = 0; i < encoded.mean.length; i++) conditioning[cells + i] = encoded.mean[i] * scaling;
    }
    return conditioning;
  }
}

/** The image at the generation size (resized with sharp when it differs; the caller may note it). */
async function fitTo(image: RasterImage, width: number, height: number, warnings: string[]): Promise<RasterImage> {
  if (image.width === width && image.height === height) return image;
  warnings.push(`The image (${image.width}×${image.height}) was resized to ${width}×${height} for generation.`);
  return resizeImage(image, width, height, 'fill');
}
