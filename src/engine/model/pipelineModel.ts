// A model folder loaded for generation: tokenizer, scheduler config, and one ONNX session per component,
// all on one execution provider (with CPU fallback). Sessions stay loaded between jobs until release().
import type {
  ConcreteExecutionProvider,
  ExecutionProviderName,
  GenerateProgress,
  ModelFamily,
  ModelInfo,
} from '../../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure, type Cancellation } from '../../common/protocol/rpc';
import { throwIfCancelled } from '../cancellation';
import { PreviewDecoder } from '../components/previewDecoder';
import { TextEncoder } from '../components/textEncoder';
import { Unet } from '../components/unet';
import { VaeDecoder } from '../components/vaeDecoder';
import { VaeEncoder } from '../components/vaeEncoder';
import { LATENT_RGB_FACTORS, type LatentRgbFactors } from '../image/latentPreview';
import type { GraphEdit } from '../../node/onnx/graphEdit';
import { readOnnxModel } from '../../node/onnx/readOnnxModel';
import {
  graphSignature,
  textEncoderShape,
  unetShape,
  vaeDecoderShape,
  vaeEncoderShape,
  type TextEncoderShape,
  type UnetShape,
  type VaeDecoderShape,
  type VaeEncoderShape,
} from '../components/componentShapes';
import { installedProviders, OnnxSession } from '../runtime/ort';
import { prepareSessionSource, type SessionSource } from '../runtime/sessionSource';
import { planProviders, PROVIDER_LABELS } from '../runtime/executionProviders';
import { resolveDefaultScheduler } from '../schedulers/createScheduler';
import { unetSizeMultiple } from '../sizing/unetSizeMultiple';
import { ClipTokenizer } from '../tokenizer/clipTokenizer';
import { readModelFolder, type ModelFolder, type OnnxComponent, type OnnxComponentName } from './modelFolder';
import { explainMissingKernel } from './missingKernel';
import { modelDefaults } from './modelDefaults';
import { checkSdxlLayout, forceZerosForEmptyPrompt, isRefinerLayout, refinerRefusal, type SdxlTextEncoders } from './sdxlTextEncoders';

/** Stable Diffusion 1.x/2.x VAE facts, used only when the model's own configs are silent (diffusers models/autoencoders/autoencoder_kl.py scaling_factor default; pipeline_stable_diffusion.py vae_scale_factor). */
const SD_VAE_SCALING_FACTOR = 0.18215;
const SD_VAE_SCALE_FACTOR = 8;
/** SDXL's UNet sample_size (stabilityai/stable-diffusion-xl-base-1.0 unet/config.json; diffusers SDXL default_sample_size), for exports without a unet config. */
const SDXL_DEFAULT_SAMPLE_SIZE = 128;

export type LoadProgress = Extract<GenerateProgress, { stage: 'loading' }>;

export interface LoadOptions {
  executionProvider: ExecutionProviderName;
  /** Another VAE folder instead of the model's vae_decoder/ (and vae_encoder/) (modelFolder.ts). */
  vaeDir?: string;
  /** Load-time edits of each component's graph (applied before its session is created; sessionSource.ts). */
  graphEdits?: Partial<Record<OnnxComponentName, readonly GraphEdit[]>>;
  /** Where edited graphs are cached; undefined: rebuilt at each load. */
  cacheDir?: string;
  onProgress?: (progress: LoadProgress) => void;
  cancellation?: Cancellation;
  /**
   * A loaded model of the same folder and provider whose sessions may be taken over where a component's graph
   * (file + edits) is the same: switching LoRAs reloads only the components they change. Release the old model
   * with release(newModel) afterwards, so the shared sessions stay open.
   */
  reuse?: PipelineModel;
}

function numberIn(config: Record<string, unknown> | null | undefined, key: string): number | null {
  const v = config?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function isOutOfMemory(message: string): boolean {
  return /out of memory|failed to allocate|bad_alloc|E_OUTOFMEMORY|0x8007000E|cudaErrorMemoryAllocation/i.test(message);
}

export function loadFailure(component: string, error: unknown, file?: string, provider = 'cpu'): RpcFailure {
  if (error instanceof RpcFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  const missingKernel = explainMissingKernel(message, component, file, provider);
  if (missingKernel) return new RpcFailure(ErrorCode.ModelMismatch, missingKernel, message);
  if (isOutOfMemory(message)) {
    return new RpcFailure(
      ErrorCode.OutOfMemory,
      `Out of memory while loading ${component}. Close other GPU programs, use a smaller (fp16) model, or choose the CPU provider.`,
      message,
    );
  }
  return new RpcFailure(ErrorCode.ModelMismatch, `${component}/model.onnx could not be loaded: ${message}`, message);
}

export class PipelineModel {
  private constructor(
    readonly folder: ModelFolder,
    readonly tokenizer: ClipTokenizer,
    readonly textEncoder: TextEncoder,
    readonly unet: Unet,
    readonly vaeDecoder: VaeDecoder,
    readonly vaeEncoder: VaeEncoder | undefined,
    readonly previewDecoder: PreviewDecoder,
    readonly info: ModelInfo,
    readonly provider: ConcreteExecutionProvider,
    /** Why the provider is not the best one for the platform (logged; reported by loadModel). */
    readonly fallbackReason: string | undefined,
    /** Set when an explicitly chosen provider was not used, or a provider failed: a warning for the user. */
    readonly providerWarning: string | undefined,
    private readonly sessions: OnnxSession[],
    /** SDXL: tokenizer_2 and text_encoder_2, and which outputs condition the UNet. */
    readonly sdxl?: SdxlTextEncoders,
  ) {}

  /** Each component's session and what it was made from (model file + edit keys), for LoadOptions.reuse. */
  private readonly sources = new Map<string, { session: OnnxSession; key: string }>();

  static async load(dir: string, name: string | undefined, options: LoadOptions): Promise<PipelineModel> {
    const folder = await readModelFolder(dir, name, options.vaeDir);
    if (isRefinerLayout(folder)) throw refinerRefusal(folder, 'text_encoder_2/ without text_encoder/');
    const tokenizer = await openTokenizer(folder);
    const tokenizer2 = folder.hasSecondTextEncoder ? await openTokenizer(folder, 2) : undefined;
    const plan = planProviders(options.executionProvider, installedProviders());
    const reasons = [...plan.skipped];
    /** Providers that were tried and failed: always worth a warning (skips under `auto` are only informational). */
    const failures: string[] = [];
    let providerIndex = 0;
    const reused = options.reuse && plan.candidates.indexOf(options.reuse.provider);
    if (reused !== undefined && reused > 0) providerIndex = reused;
    const sources = new Map<string, { session: OnnxSession; key: string }>();
    const sessions: OnnxSession[] = [];
    const order = (['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder', 'vae_encoder', 'taesd_decoder'] as const).filter(
      (c) => folder.components[c],
    );
    const opened: Partial<Record<(typeof order)[number], OnnxSession>> = {};
    try {
      for (let index = 0; index < order.length; index++) {
        const name = order[index];
        throwIfCancelled(options.cancellation);
        options.onProgress?.({ stage: 'loading', component: name, index, total: order.length });
        const component = folder.components[name] as OnnxComponent;
        const sourceKey = JSON.stringify([component.file, (options.graphEdits?.[name] ?? []).map((e) => e.key)]);
        const previous = options.reuse?.sources.get(name);
        if (previous && previous.key === sourceKey) {
          opened[name] = previous.session;
          sources.set(name, previous);
          continue;
        }
        const source: SessionSource = await prepareSessionSource(component.file, {
          edits: options.graphEdits?.[name] ?? [],
          ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
        }).catch((e: unknown) => {
          throw loadFailure(name, e);
        });
        // The first component settles the provider: if the GPU provider fails there, everything moves down.
        for (;;) {
          const provider = plan.candidates[providerIndex];
          try {
            const session = await OnnxSession.create(source, { provider });
            sessions.push(session);
            opened[name] = session;
            sources.set(name, { session, key: sourceKey });
            break;
          } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            if (provider === 'cpu') throw loadFailure(name, e, component.file);
            const failure = `${PROVIDER_LABELS[provider]} failed on ${name}: ${message.split('\n')[0]}`;
            reasons.push(failure);
            failures.push(failure);
            if (index === 0) providerIndex++;
            else {
              // A later component that the GPU provider cannot run goes to the CPU alone.
              const session = await OnnxSession.create(source, { provider: 'cpu' }).catch((err: unknown) => {
                throw loadFailure(name, err, component.file);
              });
              sessions.push(session);
              opened[name] = session;
              sources.set(name, { session, key: sourceKey });
              break;
            }
          }
        }
      }
      throwIfCancelled(options.cancellation);
      const textEncoder = new TextEncoder(opened.text_encoder as OnnxSession);
      const unet = new Unet(opened.unet as OnnxSession, folder.components.unet?.config ?? null, folder.pipelineClass);
      const sdxl = opened.text_encoder_2 && tokenizer2 ? sdxlEncoders(folder, unet, textEncoder, new TextEncoder(opened.text_encoder_2, 'text_encoder_2'), tokenizer2) : undefined;
      const vaeDecoder = new VaeDecoder(opened.vae_decoder as OnnxSession);
      const vaeEncoder = opened.vae_encoder ? new VaeEncoder(opened.vae_encoder) : undefined;
      const taesd = opened.taesd_decoder ? new VaeDecoder(opened.taesd_decoder, 'taesd_decoder') : undefined;
      const provider = plan.candidates[providerIndex];
      const info = describeModel(
        folder,
        tokenizer,
        textEncoderShape(textEncoder.session),
        unetShape(unet.session, folder.components.unet?.config ?? null, folder.pipelineClass),
        vaeDecoderShape(vaeDecoder.session),
        vaeEncoder ? vaeEncoderShape(vaeEncoder.session) : undefined,
        Boolean(taesd),
        sdxl ? { encoder2: textEncoderShape(sdxl.textEncoder2.session, 'text_encoder_2'), tokenizer2: sdxl.tokenizer2, outputs1: sdxl.outputs1, outputs2: sdxl.outputs2 } : undefined,
      );
      const previewDecoder = taesd ? PreviewDecoder.taesd(taesd) : PreviewDecoder.linear(latentRgbFactors(folder, info.family));
      const fallbackReason = reasons.length > 0 ? reasons.join(' ') : undefined;
      const explicit = options.executionProvider !== 'auto' && options.executionProvider !== provider;
      const providerWarning =
        explicit || failures.length > 0 ? `Running on ${PROVIDER_LABELS[provider]}: ${reasons.join(' ')}` : undefined;
      for (const { session } of sources.values()) if (!sessions.includes(session)) sessions.push(session);
      const model = new PipelineModel(
        folder,
        tokenizer,
        textEncoder,
        unet,
        vaeDecoder,
        vaeEncoder,
        previewDecoder,
        info,
        provider,
        fallbackReason,
        providerWarning,
        sessions,
        sdxl,
      );
      for (const [name, source] of sources) model.sources.set(name, source);
      return model;
    } catch (e) {
      const own = sessions.filter((s) => ![...(options.reuse?.sources.values() ?? [])].some((p) => p.session === s));
      await Promise.all(own.map((s) => s.release().catch(() => undefined)));
      throw e;
    }
  }

  /** Total time inside session.run per component since the counters were last reset. */
  resetRunTimers(): void {
    for (const s of this.sessions) {
      s.runMs = 0;
      s.runCount = 0;
    }
  }

  /** Releases the sessions (except those `keep` took over, LoadOptions.reuse). */
  async release(keep?: PipelineModel): Promise<void> {
    const kept = new Set(keep ? [...keep.sources.values()].map((s) => s.session) : []);
    await Promise.all(this.sessions.filter((s) => !kept.has(s)).map((s) => s.release().catch(() => undefined)));
    this.sessions.length = 0;
  }
}

async function openTokenizer(folder: ModelFolder, which: 1 | 2 = 1): Promise<ClipTokenizer> {
  const dir = which === 2 ? (folder.tokenizer2Dir ?? folder.tokenizerDir) : folder.tokenizerDir;
  try {
    return await ClipTokenizer.fromFolder(dir);
  } catch (e) {
    throw new RpcFailure(ErrorCode.ModelMismatch, `${which === 2 ? 'tokenizer_2' : 'tokenizer'}: ${(e as Error).message}`);
  }
}

/** The SDXL bundle of a loaded SDXL folder; the refiner's UNet (time_ids with the aesthetic score) is refused. */
function sdxlEncoders(folder: ModelFolder, unet: Unet, textEncoder: TextEncoder, textEncoder2: TextEncoder, tokenizer2: ClipTokenizer): SdxlTextEncoders {
  if (unet.addedCond?.timeIdsWidth === 5) throw refinerRefusal(folder, 'its UNet takes time_ids of 5 values, with the aesthetic score');
  const { outputs1, outputs2 } = checkSdxlLayout(folder, unet, textEncoder.session, textEncoder2.session);
  return { tokenizer2, textEncoder2, outputs1: outputs1!, outputs2, forceZerosForEmptyPrompt: forceZerosForEmptyPrompt(folder) };
}

/** What describeModel reports of an SDXL folder's second encoder. */
interface SdxlDescription {
  encoder2: TextEncoderShape;
  tokenizer2: ClipTokenizer;
  outputs1: { hiddenName: string } | undefined;
  outputs2: { hiddenName: string; pooledName: string };
}

/**
 * The ModelInfo of a folder without creating a session: each component's inputs and outputs are read from its
 * model.onnx (readOnnxModel: structure only, no weights, no external data), the rest from the configs. Gives
 * what PipelineModel.load's info gives (test/integration/modelInfo.test.ts compares both).
 */
export async function describeModelFolder(dir: string, name?: string, vaeDir?: string): Promise<ModelInfo> {
  const folder = await readModelFolder(dir, name, vaeDir);
  const tokenizer = await openTokenizer(folder);
  const tokenizer2 = folder.hasSecondTextEncoder ? await openTokenizer(folder, 2) : undefined;
  const signature = (component: OnnxComponentName) => {
    try {
      return graphSignature(readOnnxModel((folder.components[component] as OnnxComponent).file));
    } catch (e) {
      throw loadFailure(component, e);
    }
  };
  const refiner = isRefinerLayout(folder);
  const signatures = {
    // The refiner has text_encoder_2 alone: it stands in for the first encoder in the report.
    text_encoder: signature(refiner ? 'text_encoder_2' : 'text_encoder'),
    text_encoder_2: folder.components.text_encoder_2 ? signature('text_encoder_2') : undefined,
    unet: signature('unet'),
    vae_decoder: signature('vae_decoder'),
    vae_encoder: folder.components.vae_encoder ? signature('vae_encoder') : undefined,
    taesd_decoder: folder.components.taesd_decoder ? signature('taesd_decoder') : undefined,
  };
  const textEncoder = textEncoderShape(signatures.text_encoder, refiner ? 'text_encoder_2' : 'text_encoder');
  const unet = unetShape(signatures.unet, folder.components.unet?.config ?? null, folder.pipelineClass);
  let sdxl: SdxlDescription | undefined;
  if (signatures.text_encoder_2 && tokenizer2) {
    const { outputs1, outputs2 } = checkSdxlLayout(folder, unet, refiner ? undefined : signatures.text_encoder, signatures.text_encoder_2);
    sdxl = { encoder2: textEncoderShape(signatures.text_encoder_2, 'text_encoder_2'), tokenizer2, outputs1, outputs2 };
  }
  const vaeDecoder = vaeDecoderShape(signatures.vae_decoder);
  const vaeEncoder = signatures.vae_encoder ? vaeEncoderShape(signatures.vae_encoder) : undefined;
  if (signatures.taesd_decoder) vaeDecoderShape(signatures.taesd_decoder, 'taesd_decoder');
  return describeModel(folder, tokenizer, textEncoder, unet, vaeDecoder, vaeEncoder, Boolean(signatures.taesd_decoder), sdxl);
}

function latentRgbFactors(folder: ModelFolder, family: ModelFamily): LatentRgbFactors {
  const config = folder.components.vae_decoder?.config;
  const factors = config?.latent_rgb_factors;
  const bias = config?.latent_rgb_bias;
  if (Array.isArray(factors) && factors.every((row) => Array.isArray(row) && row.length === 3)) {
    return {
      factors: factors as number[][],
      ...(Array.isArray(bias) && bias.length === 3 ? { bias: bias as [number, number, number] } : {}),
      source: 'vae_decoder/config.json latent_rgb_factors',
    };
  }
  return family === 'sdxl' || family === 'sdxl-refiner' ? LATENT_RGB_FACTORS.sdxl : LATENT_RGB_FACTORS.sd1;
}

/** The VAE config's per-channel latents_mean / latents_std (diffusers AutoencoderKL config), when both fit the latents. */
function latentStatistics(config: Record<string, unknown> | null, channels: number): { latentsMean?: number[]; latentsStd?: number[] } {
  const list = (key: string): number[] | undefined => {
    const v = config?.[key];
    return Array.isArray(v) && v.length === channels && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (v as number[]) : undefined;
  };
  const mean = list('latents_mean');
  const std = list('latents_std');
  return mean && std && std.every((x) => x > 0) ? { latentsMean: mean, latentsStd: std } : {};
}

/** The engine's report of what it found in a model folder (CLI `info`, the extension's model check). */
export function describeModel(
  folder: ModelFolder,
  tokenizer: ClipTokenizer,
  textEncoder: TextEncoderShape,
  unet: UnetShape,
  vaeDecoder: VaeDecoderShape,
  vaeEncoder: VaeEncoderShape | undefined,
  hasTaesd: boolean,
  sdxl?: SdxlDescription,
): ModelInfo {
  const warnings: string[] = [];
  const unetConfig = folder.components.unet?.config ?? null;
  const vaeConfig = folder.components.vae_decoder?.config ?? folder.components.vae_encoder?.config ?? null;
  const textConfig = folder.components.text_encoder?.config ?? null;

  const hiddenSize =
    textEncoder.hiddenSize !== 'dynamic'
      ? textEncoder.hiddenSize
      : (numberIn(textConfig, 'hidden_size') ?? numberIn(unetConfig, 'cross_attention_dim'));
  // SDXL: text_encoder_2 and a UNet with text_embeds/time_ids (checkSdxlLayout); the refiner's time_ids carry the
  // aesthetic score (5 values).
  const family: ModelFamily = sdxl
    ? unet.addedCond?.timeIdsWidth === 5 || isRefinerLayout(folder)
      ? 'sdxl-refiner'
      : 'sdxl'
    : hiddenSize === 768
      ? 'sd1'
      : hiddenSize === 1024
        ? 'sd2'
        : 'unknown';

  const configScaling = numberIn(vaeConfig, 'scaling_factor');
  const scalingFactor = configScaling ?? SD_VAE_SCALING_FACTOR;
  if (configScaling === null) {
    warnings.push(
      `No VAE config.json with scaling_factor: using Stable Diffusion's ${SD_VAE_SCALING_FACTOR}. Wrong colours or noise mean the model needs another value.`,
    );
  }
  const blocks = vaeConfig?.block_out_channels;
  const vaeScale = Array.isArray(blocks) && blocks.length > 0 ? 2 ** (blocks.length - 1) : SD_VAE_SCALE_FACTOR;

  const predictionType = folder.schedulerConfig.prediction_type ?? 'epsilon';
  if (predictionType !== 'epsilon' && predictionType !== 'v_prediction') {
    throw new RpcFailure(
      ErrorCode.ModelMismatch,
      `scheduler/scheduler_config.json: prediction_type "${String(predictionType)}" is not supported (epsilon or v_prediction).`,
    );
  }
  const sampleSize = numberIn(unetConfig, 'sample_size');
  let native: number;
  if (unet.latentHeight !== 'dynamic' && unet.latentWidth !== 'dynamic') native = -1;
  else if (sampleSize !== null) native = sampleSize * vaeScale;
  else if (family === 'sdxl' || family === 'sdxl-refiner') native = SDXL_DEFAULT_SAMPLE_SIZE * vaeScale;
  else native = family === 'sd2' && predictionType === 'v_prediction' ? 768 : 512; // SD 2.x 768-v, else 512 (model cards)
  const nativeWidth = native === -1 ? (unet.latentWidth as number) * vaeScale : native;
  const nativeHeight = native === -1 ? (unet.latentHeight as number) * vaeScale : native;

  const defaultScheduler = resolveDefaultScheduler(folder.schedulerConfig);
  const defaults = modelDefaults(family, folder.schedulerConfig, folder.catalog);
  const extraInputs = [unet.addedCond?.textEmbeds, unet.addedCond?.timeIds, unet.timestepCondSpec]
    .filter((spec) => spec !== undefined)
    .map((spec) => ({ name: spec.name, type: spec.type as ModelInfo['unet']['timestep']['type'], shape: [...spec.shape] }));
  if (family === 'sdxl-refiner') warnings.push('SDXL refiner: not supported for generation (use an SDXL base, SDXL-Turbo or fine-tuned SDXL folder).');
  if (folder.ignored.length > 0) warnings.push(`Not used: ${folder.ignored.join(', ')}.`);
  if (unet.inChannels === 9 && !vaeEncoder) {
    warnings.push('This inpainting UNet needs vae_encoder/ to inpaint; the folder has none.');
  }

  return {
    dir: folder.dir,
    name: folder.name,
    family,
    pipelineClass: folder.pipelineClass,
    components: folder.report,
    nativeWidth,
    nativeHeight,
    sizeMultiple: unetSizeMultiple(unetConfig, vaeScale, () => readOnnxModel((folder.components.unet as OnnxComponent).file)),
    textEncoder: {
      inputIdsType: textEncoder.idsType,
      sequenceLength: textEncoder.sequenceLength,
      hiddenSize: hiddenSize ?? 'dynamic',
      outputName: sdxl?.outputs1?.hiddenName ?? (sdxl && isRefinerLayout(folder) ? sdxl.outputs2.hiddenName : textEncoder.outputName),
    },
    ...(sdxl
      ? {
          textEncoder2: {
            inputIdsType: sdxl.encoder2.idsType,
            sequenceLength: sdxl.encoder2.sequenceLength,
            hiddenSize: sdxl.encoder2.hiddenSize,
            outputName: sdxl.outputs2.hiddenName,
            pooledOutputName: sdxl.outputs2.pooledName,
            tokenizer: { padToken: sdxl.tokenizer2.padToken, padTokenId: sdxl.tokenizer2.padTokenId },
          },
        }
      : {}),
    ...(defaults ? { defaults } : {}),
    tokenizer: {
      maxLength: tokenizer.maxLength,
      padToken: tokenizer.padToken,
      padTokenId: tokenizer.padTokenId,
      vocabSize: tokenizer.vocabSize,
    },
    unet: {
      inChannels: unet.inChannels,
      latentChannels: unet.latentChannels,
      inpainting: unet.inChannels === 9,
      dtype: unet.sampleType,
      timestep: { type: unet.timestepSpec.type as ModelInfo['unet']['timestep']['type'], shape: [...unet.timestepSpec.shape] },
      batch: unet.batch,
      size:
        unet.latentHeight !== 'dynamic' && unet.latentWidth !== 'dynamic'
          ? { width: unet.latentWidth * vaeScale, height: unet.latentHeight * vaeScale }
          : 'dynamic',
      predictionType,
      timeCondProjDim: unet.timeCondProjDim,
      ...(extraInputs.length > 0 ? { extraInputs } : {}),
    },
    vae: {
      scalingFactor,
      scalingFactorSource: configScaling === null ? 'default' : 'config',
      scaleFactor: vaeScale,
      encoder: vaeEncoder ? vaeEncoder.outputKind : null,
      decoderDtype: vaeDecoder.inputType,
      ...latentStatistics(vaeConfig, unet.latentChannels),
      ...(folder.vaeDir ? { dir: folder.vaeDir } : {}),
    },
    scheduler: {
      className: folder.schedulerConfig._class_name ?? 'unknown',
      defaultScheduler: defaultScheduler.name,
      ...(defaultScheduler.note ? { note: defaultScheduler.note } : {}),
    },
    preview: hasTaesd ? 'taesd' : 'latent-rgb',
    warnings,
  };
}
