// The only module that imports onnxruntime-node (like transformers.js backends/onnx.js): sessions,
// tensors, dtype conversion, execution providers. Everything else sees Float32Arrays and TensorSpecs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ORT_LOG_LEVEL_ENV, ORT_LOG_LEVELS, parseOrtLogLevel, type OrtLogLevel } from '../../common/ortLogLevel';
import type { ConcreteExecutionProvider, TensorDType } from '../../common/protocol/engineProtocol';
import { fromFloat16Array, toFloat16Array } from '../tensor/float16';
import type { SessionSource } from './sessionSource';

export type OrtTensor = ort.Tensor;

/** An input or output as the ONNX graph declares it (session.inputMetadata / outputMetadata). */
export interface TensorSpec {
  name: string;
  /** 'float32' | 'float16' | 'int64' | 'int32' | … as onnxruntime-common names them. */
  type: string;
  /** Numbers for fixed dims, strings for symbolic ones (e.g. 'batch'). */
  shape: readonly (number | string)[];
}

/**
 * ORT's native logger writes straight to stderr ("[W:onnxruntime:… telemetry.cc:800] Failed to persist telemetry
 * device ID", "[E:onnxruntime:… sequential_executor.cc …] Non-zero status code …"). Every failure it logs also
 * comes back to us as a rejected promise, which the engine maps to one message, so by default only fatal ones are
 * logged; the extension host raises it with its own log level (ortLogLevelFor), the CLI with --verbose.
 */
let logLevel: OrtLogLevel = readLogLevel(process.env[ORT_LOG_LEVEL_ENV]);

function readLogLevel(value: string | undefined): OrtLogLevel {
  return parseOrtLogLevel(value) ?? 'fatal';
}

/**
 * ORT's log level for the environment (onnxruntime-node reads `env.logLevel` once, when the first session is
 * created: binding.js initOrt) and for every session created after this call (`logSeverityLevel`).
 */
export function setOrtLogLevel(level: OrtLogLevel): void {
  logLevel = level;
  ort.env.logLevel = level;
}

export function ortLogLevel(): OrtLogLevel {
  return logLevel;
}

setOrtLogLevel(logLevel);

export function ortVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/** Where the native binding and its provider libraries live, e.g. …/bin/napi-v6/linux/x64. */
function bindingDir(): string | undefined {
  try {
    const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** CUDA's provider library is not in the npm package: it is only there when the user opted in at install. */
export function cudaProviderInstalled(): boolean {
  const dir = bindingDir();
  if (!dir) return false;
  const name = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return fs.existsSync(path.join(dir, name));
}

/** Providers the installed binary was built with (and, for CUDA, whose library is present). */
export function installedProviders(): ConcreteExecutionProvider[] {
  const names = new Set<string>(ort.listSupportedBackends().map((b) => b.name));
  const result: ConcreteExecutionProvider[] = [];
  if (names.has('dml')) result.push('dml');
  if (names.has('coreml')) result.push('coreml');
  if (names.has('cuda') && cudaProviderInstalled()) result.push('cuda');
  if (names.has('webgpu')) result.push('webgpu');
  result.push('cpu');
  return result;
}

export interface SessionOptions {
  provider: ConcreteExecutionProvider;
}

/** One ONNX component (text encoder, UNet, VAE …) loaded on one execution provider. */
export class OnnxSession {
  /** Milliseconds spent inside session.run since the last reset (the UNet's share is reported as unetMs). */
  runMs = 0;
  /** session.run calls since the last reset. */
  runCount = 0;

  private constructor(
    readonly file: string,
    readonly provider: ConcreteExecutionProvider,
    private readonly session: ort.InferenceSession,
    readonly inputs: readonly TensorSpec[],
    readonly outputs: readonly TensorSpec[],
  ) {}

  /**
   * Loads a component: from its path (native ORT finds external weights, model.onnx_data or weights.pb, next to
   * it), or from a rewritten graph whose external data lies in the original folder (sessionSource.ts).
   */
  static async create(source: string | SessionSource, options: SessionOptions): Promise<OnnxSession> {
    const providers: ort.InferenceSession.ExecutionProviderConfig[] =
      options.provider === 'cpu' ? ['cpu'] : [options.provider, 'cpu'];
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: providers,
      graphOptimizationLevel: 'all',
      logSeverityLevel: ORT_LOG_LEVELS.indexOf(logLevel) as 0 | 1 | 2 | 3 | 4,
    };
    const from: SessionSource = typeof source === 'string' ? { kind: 'file', file: source } : source;
    const session =
      from.kind === 'file'
        ? await ort.InferenceSession.create(from.file, sessionOptions)
        : await ort.InferenceSession.create(from.bytes, {
            ...sessionOptions,
            extra: { session: { model_external_initializers_file_folder_path: from.folder } },
          });
    const describe = (list: readonly ort.InferenceSession.ValueMetadata[]): TensorSpec[] =>
      list.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] }));
    return new OnnxSession(from.file, options.provider, session, describe(session.inputMetadata), describe(session.outputMetadata));
  }

  input(name: string): TensorSpec | undefined {
    return this.inputs.find((i) => i.name === name);
  }

  output(name: string): TensorSpec | undefined {
    return this.outputs.find((o) => o.name === name);
  }

  async run(feeds: Record<string, OrtTensor>, outputNames?: readonly string[]): Promise<Record<string, OrtTensor>> {
    const start = performance.now();
    try {
      return outputNames ? await this.session.run(feeds, outputNames) : await this.session.run(feeds);
    } finally {
      this.runMs += performance.now() - start;
      this.runCount++;
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** A float tensor of the graph's declared float type (float16 data is converted to half bits). */
export function floatTensor(type: string, data: Float32Array, dims: readonly number[]): OrtTensor {
  if (type === 'float16') return new ort.Tensor('float16', toFloat16Array(data), dims);
  if (type === 'float32') return new ort.Tensor('float32', data, dims);
  throw new Error(`Expected a float input, the graph declares ${type}.`);
}

/** An integer id tensor (input_ids): int32 or int64 as the graph declares. */
export function intTensor(type: string, values: readonly number[], dims: readonly number[]): OrtTensor {
  if (type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
  if (type === 'int32') return new ort.Tensor('int32', Int32Array.from(values), dims);
  throw new Error(`Expected an integer input, the graph declares ${type}.`);
}

/**
 * A scalar broadcast to `count` copies, typed as the graph declares: int64 truncates like numpy's
 * astype(int64) in diffusers' ONNX pipelines (Karras timesteps such as 961.733 become 961).
 */
export function numberTensor(type: string, value: number, dims: readonly number[]): OrtTensor {
  const count = dims.reduce((a, b) => a * b, 1);
  switch (type) {
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(count).fill(BigInt(Math.trunc(value))), dims);
    case 'int32':
      return new ort.Tensor('int32', new Int32Array(count).fill(Math.trunc(value)), dims);
    case 'float32':
      return new ort.Tensor('float32', new Float32Array(count).fill(value), dims);
    case 'float16':
      return new ort.Tensor('float16', toFloat16Array(new Float32Array(count).fill(value)), dims);
    default:
      throw new Error(`Unsupported scalar input type ${type}.`);
  }
}

/** Any float output as float32 (fp16 graphs are upcast before scheduler maths, as diffusers does). */
export function toFloat32(tensor: OrtTensor): Float32Array {
  const data = tensor.data;
  if (data instanceof Float32Array) return data;
  if (tensor.type === 'float16') {
    if (data instanceof Uint16Array) return fromFloat16Array(data);
    return Float32Array.from(data as ArrayLike<number>); // a Float16Array where the runtime has one
  }
  if (data instanceof Float64Array) return Float32Array.from(data);
  throw new Error(`Expected a float output, got ${tensor.type}.`);
}

export function isTensorDType(type: string): type is TensorDType {
  return type === 'float32' || type === 'float16' || type === 'int32' || type === 'int64';
}
