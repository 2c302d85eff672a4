// The engine: owns the model cache (one model at a time, kept between jobs), the job queue (one job at a time) and
// cancellation; each generate request goes to its task's pipeline (src/engine/pipelines/), which owns the flow.
// Used in-process by the CLI and behind the IPC server (engineServer.ts) in the extension's child process.
import * as os from 'node:os';
import * as path from 'node:path';
import {
  PROTOCOL_VERSION,
  type ExecutionProviderName,
  type GenerateParams,
  type GenerateProgress,
  type GenerateResult,
  type HelloResult,
  type LoadedModel,
  type ModelInfo,
  type ModelRef,
} from '../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure, type Cancellation } from '../common/protocol/rpc';
import { normalizeGenerateParams, tilingOf, type GenerateRequest } from './generateRequest';
import { graphEditsFor, loadChoicesKey, type ComponentEdits, type LoadChoices } from './model/loadEdits';
import { defaultGraphCacheDir } from './runtime/graphCacheDir';
import { modelShortHash } from './model/modelHash';
import { describeModelFolder, PipelineModel, type LoadProgress } from './model/pipelineModel';
import { Img2ImgPipeline } from './pipelines/img2imgPipeline';
import { HiresFixPipeline } from './pipelines/hiresFixPipeline';
import { InpaintPipeline } from './pipelines/inpaintPipeline';
import { OutpaintPipeline } from './pipelines/outpaintPipeline';
import type { PipelineJob, PipelineOutput } from './pipelines/pipeline';
import { Txt2ImgPipeline } from './pipelines/txt2imgPipeline';
import { installedProviders, ortVersion } from './runtime/ort';
import { ENGINE_VERSION } from '../common/version';
import { isEmphasisMode, type EmphasisMode } from '../common/prompt/emphasisMode';
import type { PromptTokenCount } from '../common/prompt/promptTokenCount';
import { PromptTokenCounter } from './prompt/promptTokenCounter';
import { loraHashesInfotext, planJobLoras, type LoraModeChoice, type LoraPlan } from './lora/loraPlan';
import type { GraphEdit } from '../node/onnx/graphEdit';
import type { OnnxComponentName } from './model/modelFolder';
import {
  parseRemoveBackgroundParams,
  parseUpscaleImageParams,
  type ImageToolResult,
  type UpscaleImageProgress,
} from '../common/protocol/imageToolMessages';
import type { ParseResult } from '../common/protocol/messageParser';
import { removeBackgroundJob, upscaleImageJob } from './imageTools';

export type EngineLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface EngineOptions {
  /** Where graphs edited at load time (LoRA merges) are cached; undefined: rebuilt at each load. */
  graphCacheDir?: string;
  /** How LoRAs are applied (engine/lora/loraPlan.ts); default 'auto'. */
  loraMode?: LoraModeChoice;
}

export interface JobOptions<Progress> {
  onProgress?: (progress: Progress) => void;
  cancellation?: Cancellation;
}

interface Loaded {
  model: PipelineModel;
  key: string;
  /** The key without the LoRAs (modelKey): the same base keeps the sessions other LoRAs do not change. */
  base: string;
  hash: Promise<string>;
}

/**
 * The loaded model is reused while this stays the same: folder, name, provider, VAE and the load-time edits that
 * change every convolution (tiling). LoRAs are added to it (ensureLoaded): the same base with other LoRAs keeps the
 * sessions they do not touch.
 */
function modelKey(ref: ModelRef, provider: ExecutionProviderName, choices: LoadChoices): string {
  return `${path.resolve(ref.dir)}\0${ref.name ?? ''}\0${provider}\0${ref.vae ? path.resolve(ref.vae) : ''}\0${loadChoicesKey(choices)}`;
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
  private readonly tokenCounter = new PromptTokenCounter();

  /** Where edited graphs are cached (graphCacheDir.ts). */
  private readonly graphCacheDir: string;

  constructor(
    private readonly log: EngineLog = () => undefined,
    private readonly options: EngineOptions = {},
  ) {
    this.graphCacheDir = options.graphCacheDir ?? defaultGraphCacheDir(process.env, process.platform, os.homedir());
  }

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
      if (this.loaded && this.loaded.model.folder.dir === dir && this.loaded.model.folder.vaeDir === (ref.vae ? path.resolve(ref.vae) : undefined)) return this.loaded.model.info;
      if (!this.loaded && keepWithProvider) return (await this.ensureLoaded(ref, keepWithProvider, {}, {})).loaded.model.info;
      // No session: the graphs' inputs and outputs come from the ONNX files, without their weights.
      return describeModelFolder(dir, ref.name, ref.vae);
    });
  }

  loadModel(ref: ModelRef, provider: ExecutionProviderName = 'auto', options: JobOptions<LoadProgress> = {}): Promise<LoadedModel> {
    return this.exclusive(async () => {
      const start = performance.now();
      const { loaded, fresh } = await this.ensureLoaded(ref, provider, {}, options);
      return {
        info: loaded.model.info,
        executionProvider: loaded.model.provider,
        ...(loaded.model.fallbackReason ? { fallbackReason: loaded.model.fallbackReason } : {}),
        loadMs: fresh ? performance.now() - start : 0,
        loaded: fresh,
      };
    });
  }

  /**
   * Token counts for a prompt box. Not queued behind jobs (it must answer while a generation runs); reads only the
   * folder's tokenizer, or the loaded model's when it is that folder.
   */
  async countTokens(ref: ModelRef, texts: readonly string[], emphasis?: EmphasisMode): Promise<{ counts: (PromptTokenCount | null)[] }> {
    if (!ref || typeof ref.dir !== 'string' || ref.dir.length === 0) throw new RpcFailure(ErrorCode.InvalidParams, 'No model folder given.');
    if (emphasis !== undefined && !isEmphasisMode(emphasis)) throw new RpcFailure(ErrorCode.InvalidParams, `Unknown emphasis mode ${JSON.stringify(emphasis)}.`);
    const dir = path.resolve(ref.dir);
    const loaded = this.loaded?.model.folder.dir === dir ? this.loaded.model.tokenizer : undefined;
    return { counts: await this.tokenCounter.count(dir, texts, emphasis, loaded) };
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
    choices: LoadChoices,
    options: JobOptions<LoadProgress>,
    lora?: LoraPlan,
  ): Promise<{ loaded: Loaded; fresh: boolean }> {
    if (!ref || typeof ref.dir !== 'string' || ref.dir.length === 0) {
      throw new RpcFailure(ErrorCode.InvalidParams, 'No model folder given.');
    }
    // The LoRA set is part of the key: its merged weights are another model (engine/lora/loraPlan.ts).
    const base = modelKey(ref, provider, choices);
    const key = base + (lora ? `\0${lora.key}` : '');
    if (this.loaded?.key === key) return { loaded: this.loaded, fresh: false };
    // The same model with other LoRAs: the components they do not change keep their sessions.
    const reuse = this.loaded?.base === base ? this.loaded.model : undefined;
    if (this.loaded && !reuse) {
      const old = this.loaded;
      this.loaded = undefined;
      await old.model.release();
    }
    const start = performance.now();
    const model = await PipelineModel.load(ref.dir, ref.name, {
      executionProvider: provider,
      ...(ref.vae ? { vaeDir: ref.vae } : {}),
      ...(reuse ? { reuse } : {}),
      graphEdits: combineEdits(graphEditsFor(choices), lora?.edits as ComponentEdits | undefined),
      // Edited graphs are cached on disk for tiling (structure only); a LoRA merge embeds its weights, so it is not.
      ...(lora ? (this.options.graphCacheDir ? { cacheDir: this.options.graphCacheDir } : {}) : { cacheDir: this.graphCacheDir }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.cancellation ? { cancellation: options.cancellation } : {}),
    });
    if (reuse) {
      this.loaded = undefined;
      await reuse.release(model);
    }
    const unetFile = model.folder.components.unet?.file as string;
    const hash = modelShortHash(unetFile);
    hash.catch((e: unknown) => this.log('warn', `Could not hash ${unetFile}: ${(e as Error).message}`));
    this.loaded = { model, key, base, hash };
    this.log(
      'info',
      `Loaded ${model.info.name} on ${model.provider} in ${Math.round(performance.now() - start)} ms` +
        (model.fallbackReason ? ` (${model.fallbackReason})` : ''),
    );
    return { loaded: this.loaded, fresh: true };
  }

  /** Upscale Image… (imageToolMessages.ts): queued with the other jobs; the upscaler loads for this job only. */
  upscaleImage(params: unknown, options: JobOptions<UpscaleImageProgress> = {}): Promise<ImageToolResult> {
    return this.exclusive(async () => {
      try {
        return await upscaleImageJob(checked(parseUpscaleImageParams(params), 'upscaleImage'), options);
      } catch (e) {
        throw typedError(e);
      }
    });
  }

  /** Remove Background (imageToolMessages.ts): queued with the other jobs; the segmenter loads for this job only. */
  removeBackground(params: unknown, options: JobOptions<never> = {}): Promise<ImageToolResult> {
    return this.exclusive(async () => {
      try {
        return await removeBackgroundJob(checked(parseRemoveBackgroundParams(params), 'removeBackground'), options);
      } catch (e) {
        throw typedError(e);
      }
    });
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
    // Checked before loading: the tiling mode and the LoRAs decide which graphs are loaded.
    const tiling = tilingOf(params.tiling);
    const loras = await planJobLoras(params, this.options.loraMode);
    const { loaded, fresh } = await this.ensureLoaded(
      params.model,
      params.executionProvider ?? 'auto',
      tiling ? { tiling } : {},
      { onProgress: emit, ...(cancellation ? { cancellation } : {}) },
      loras.plan,
    );
    const loadMs = fresh ? performance.now() - loadStart : 0;
    const model = loaded.model;
    model.resetRunTimers();
    const request = normalizeGenerateParams(params, model.info);
    const job: PipelineJob = {
      model,
      modelHash: await loaded.hash.catch(() => undefined),
      ...(loras.plan ? { loraHashes: await loraHashesInfotext(loras.plan) } : {}),
      emit,
      ...(cancellation ? { cancellation } : {}),
    };
    const output = await runPipeline(request, job);
    const warnings = [
      ...(fresh && model.providerWarning ? [model.providerWarning] : []),
      ...loras.warnings,
      ...output.warnings,
    ];
    const { timings } = output;
    return {
      images: output.images,
      width: output.width,
      height: output.height,
      steps: request.steps,
      guidanceScale: request.guidanceScale,
      scheduler: output.scheduler,
      executionProvider: model.provider,
      warnings,
      // Hundredths of a millisecond: the bench divides these by the step count (whole ms would add ±0.01 ms a step).
      timings: {
        loadMs: roundMs(loadMs),
        textEncodeMs: roundMs(timings.textEncodeMs),
        denoiseMs: roundMs(timings.denoiseMs),
        unetMs: roundMs(model.unet.session.runMs),
        previewMs: roundMs(timings.previewMs),
        decodeMs: roundMs(timings.decodeMs),
        totalMs: roundMs(performance.now() - started),
      },
    };
  }
}

/** The load edits of the choices (tiling) and of the LoRAs, per component, in that order. */
function combineEdits(choices: ComponentEdits, loras: ComponentEdits | undefined): ComponentEdits {
  if (!loras) return choices;
  const out: Partial<Record<OnnxComponentName, readonly GraphEdit[]>> = { ...choices };
  for (const [component, edits] of Object.entries(loras) as [OnnxComponentName, readonly GraphEdit[]][]) {
    out[component] = [...(out[component] ?? []), ...edits];
  }
  return out;
}

/** Milliseconds to 0.01 ms. */
function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** A request's checked parameters, or InvalidParams saying what is wrong. */
function checked<T>(parsed: ParseResult<T>, method: string): T {
  if (!parsed.ok) throw new RpcFailure(ErrorCode.InvalidParams, `${method}: ${parsed.error}`);
  return parsed.message;
}

/** The task's pipeline (one per task; the union keeps each request with its own pipeline, no casts). */
function runPipeline(request: GenerateRequest, job: PipelineJob): Promise<PipelineOutput> {
  switch (request.task) {
    case 'txt2img':
      return request.hires ? PIPELINES.hires.call(request, job) : PIPELINES.txt2img.call(request, job);
    case 'img2img':
      return PIPELINES.img2img.call(request, job);
    case 'inpaint':
      return PIPELINES.inpaint.call(request, job);
    case 'outpaint':
      return PIPELINES.outpaint.call(request, job);
  }
}

const PIPELINES = {
  txt2img: new Txt2ImgPipeline(),
  img2img: new Img2ImgPipeline(),
  inpaint: new InpaintPipeline(),
  hires: new HiresFixPipeline(),
  outpaint: new OutpaintPipeline(),
} as const;
