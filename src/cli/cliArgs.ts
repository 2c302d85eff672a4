// Command-line parsing for `local-diffusion` (dist/cli.js). Pure: no I/O, so it is unit-tested.
import { parseArgs } from 'node:util';
import {
  EXECUTION_PROVIDER_NAMES,
  SCHEDULER_NAMES,
  type ExecutionProviderName,
  type SchedulerName,
} from '../common/protocol/engineProtocol';
import { LIMITS } from '../common/limits';
import { EMPHASIS_CLI_NAMES, type EmphasisMode } from '../common/prompt/emphasisMode';
import { parseSeed } from '../common/seed';
import { TILING_MODES, type TilingMode } from '../common/tilingMode';

export const USAGE = `Usage:
  local-diffusion generate --model MODEL --prompt TEXT --out FILE.png [options]
  local-diffusion generate --model MODEL --parameters IMAGE-OR-TEXT --out FILE.png [options]
  local-diffusion build [SPEC] [--check] [--only OUTPUT…] [--force] [--json]
  local-diffusion upscale [--model M] --image IN --out OUT [--scale N] [--tile N]   (--help for more)
  local-diffusion remove-background --model M --image IN --out OUT.png              (--help for more)
  local-diffusion info --model MODEL [--vae DIR] [--json]
  local-diffusion models pull REPO-OR-CATALOG-ID [--revision R] [--subfolder S] [--models-dir DIR] [--accept-license] [--json]
  local-diffusion models list [--models-dir DIR] [--json]

MODEL is a diffusers ONNX model folder, a catalog id (models list shows them) or an installed Hugging Face
repo id (owner/name[@revision][:subfolder]). Models are installed in --models-dir, else
$LOCAL_DIFFUSION_MODELS_DIR, else ~/.local/share/local-diffusion/models ($XDG_DATA_HOME; macOS:
~/Library/Application Support/local-diffusion/models; Windows: %LOCALAPPDATA%\\local-diffusion\\models).
models pull uses HF_TOKEN (or the huggingface-cli login file) for gated repos, HTTPS_PROXY/NO_PROXY, HF_ENDPOINT,
and reuses files from the Hugging Face cache (HF_HUB_CACHE or HF_HOME); an interrupted pull resumes.

generate options:
  --negative TEXT        negative prompt
  --vae DIR              use this folder's vae_decoder/ (and vae_encoder/) instead of the model's, e.g. an
                         fp16-fix or fp32 SDXL VAE
  --width N --height N   size in pixels, multiples of 8 (default: the model's native size)
  --steps N              denoising steps (default 20; SDXL-Turbo-style models 4)
  --guidance F           classifier-free guidance scale (default 7.5, SDXL 5, SDXL-Turbo 0; <= 1 turns it off)
  --seed N               0..18446744073709551615, -1 = random (default: random)
  --scheduler NAME       ${SCHEDULER_NAMES.join(' | ')}
  --emphasis MODE        how (word:1.2) weights apply: ${Object.keys(EMPHASIS_CLI_NAMES).join(' | ')}
                         (default original: each 75-token chunk's mean restored after weighting; A1111's modes)
  --clip-skip N          condition on the N-th text-encoder layer from the end (A1111 "Clip skip", 1..${LIMITS.clipSkip.max};
                         default 1); needs a text encoder exported with its hidden states
  --lora PATH[:WEIGHT]   apply a LoRA (.safetensors, kohya or PEFT) with this weight (default 1; the weight is what
                         follows the last ':', so C:\\loras\\x.safetensors works); repeatable
  --lora-dir DIR         where <lora:name:weight> in the prompt finds name.safetensors; repeatable
  --parameters FILE      take prompt, negative, steps, CFG, seed, size, sampler, clip skip, emphasis and tiling from an
                         A1111 infotext (an image's metadata or a text file); options given here win
  --image FILE           init image: img2img, or inpaint with --mask
  --strength F           img2img/inpaint strength in (0, 1] (default 0.75 img2img, 1 inpaint)
  --mask FILE            inpaint mask, white = repaint (same size as --image)
  --mask-blur N          feather the mask by N pixels (Gaussian sigma)
  --only-masked          inpaint a crop around the mask at the model's size, then paste back
  --mask-padding N       context around the mask for --only-masked (default 32)
  --hires-scale F        hires fix: generate, upscale by F (1..4), then img2img at the larger size
  --hires-strength F     hires fix: the second pass's denoising strength (default 0.7)
  --hires-steps N        hires fix: the second pass's steps (default: --steps)
  --upscaler MODEL       hires fix: a super-resolution ONNX model (.onnx or a folder); default Lanczos
  --outpaint L,T,R,B     with --image: extend the canvas by these pixels per side and paint the new area
  --outpaint-overlap N   how far the outpainting mask reaches into the image, feathered (default 32)
  --tiling xy|x|y        seamless tiling: the image wraps around left/right (x), top/bottom (y) or both (xy),
                         so it tiles without seams (A1111 "Tiling"; txt2img, img2img, inpaint, outpaint)
  --remove-background M  cut each image's subject out with a background-segmentation ONNX model (RMBG-1.4,
                         u2net, isnet); the PNG keeps the alpha. --background-preset NAME: its normalisation
                         (rmbg | u2net | isnet; default from the model's name)
  --batch N              N images, seeds seed..seed+N-1, files FILE-1.png..FILE-N.png
  --ep NAME              execution provider: ${EXECUTION_PROVIDER_NAMES.join(' | ')} (default auto)
  --previews FILE.png    also write the step previews side by side, then the final image
  --json                 print one JSON object with outputs, seed, timings, warnings on stdout
  --verbose              (any command) also show ONNX Runtime's own warnings on stderr
`;

export class UsageError extends Error {}

export interface GenerateCommand {
  command: 'generate';
  model: string;
  /** --vae DIR: another VAE folder. */
  vae?: string;
  prompt: string;
  negativePrompt?: string;
  width?: number;
  height?: number;
  steps?: number;
  guidanceScale?: number;
  /** Absent: random (also for --seed -1). */
  seed?: bigint;
  scheduler?: SchedulerName;
  /** --emphasis: A1111's emphasis mode. */
  emphasis?: EmphasisMode;
  /** --clip-skip N. */
  clipSkip?: number;
  /** --lora PATH[:WEIGHT], in order. */
  loras?: { file: string; weight: number }[];
  /** --lora-dir DIR: folders for the prompt's <lora:name:…> tags. */
  loraDirs?: string[];
  image?: string;
  strength?: number;
  mask?: string;
  maskBlur?: number;
  onlyMasked: boolean;
  maskPadding?: number;
  hiresScale?: number;
  hiresStrength?: number;
  hiresSteps?: number;
  upscaler?: string;
  /** --outpaint L,T,R,B. */
  outpaint?: { left: number; top: number; right: number; bottom: number };
  outpaintOverlap?: number;
  /** --tiling: seamless tiling's axes. */
  tiling?: TilingMode;
  /** --remove-background M [--background-preset NAME]. */
  removeBackground?: string;
  backgroundPreset?: string;
  batch: number;
  executionProvider: ExecutionProviderName;
  out: string;
  json: boolean;
  /** Where installed models are looked up (--models-dir). */
  modelsDir?: string;
  /** --previews: a strip of the first image's step previews and the final image. */
  previews?: string;
  /** --parameters FILE: an image or text file with an A1111 infotext whose values fill what the command line leaves out. */
  parametersFrom?: string;
  /** The GenerateCommand fields the command line set explicitly (they win over --parameters). */
  given: ReadonlySet<string>;
}

export interface InfoCommand {
  command: 'info';
  model: string;
  json: boolean;
  /** --vae DIR: another VAE folder. */
  vae?: string;
  /** Where installed models are looked up (--models-dir). */
  modelsDir?: string;
}

export interface HelpCommand {
  command: 'help';
}

export interface ModelsPullCommand {
  command: 'models-pull';
  /** A catalog id or owner/name[@revision][:subfolder]. */
  model: string;
  revision?: string;
  subfolder?: string;
  modelsDir?: string;
  acceptLicense: boolean;
  json: boolean;
}

export interface ModelsListCommand {
  command: 'models-list';
  modelsDir?: string;
  json: boolean;
}

export type CliCommand = GenerateCommand | InfoCommand | HelpCommand | ModelsPullCommand | ModelsListCommand;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`--${name} must be a whole number, got "${value}".`);
  return Number(value);
}

/** --seed: 0 … 2^64−1 (src/common/seed.ts), -1 = random. */
function seedArgument(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const parsed = parseSeed(value);
  if ('error' in parsed) throw new UsageError(`--seed: ${parsed.error}`);
  return 'seed' in parsed ? parsed.seed : undefined;
}

function decimal(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}".`);
  return n;
}

/** --outpaint LEFT,TOP,RIGHT,BOTTOM: four whole numbers of pixels, none negative. */
function outpaintMargins(value: string | undefined): GenerateCommand['outpaint'] {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p))) {
    throw new UsageError(`--outpaint must be LEFT,TOP,RIGHT,BOTTOM: four whole numbers of pixels, none negative, got "${value}".`);
  }
  const [left, top, right, bottom] = parts.map(Number) as [number, number, number, number];
  return { left, top, right, bottom };
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${value}".`);
  }
  return value as T;
}

/** --emphasis original | no-norm | ignore | none (A1111's mode names, lower case with a hyphen). */
function emphasisArgument(value: string | undefined): EmphasisMode | undefined {
  const name = oneOf('emphasis', value?.toLowerCase(), Object.keys(EMPHASIS_CLI_NAMES));
  return name === undefined ? undefined : EMPHASIS_CLI_NAMES[name];
}

function clipSkipArgument(value: string | undefined): number | undefined {
  const n = integer('clip-skip', value);
  if (n !== undefined && (n < LIMITS.clipSkip.min || n > LIMITS.clipSkip.max)) {
    throw new UsageError(`--clip-skip must be from ${LIMITS.clipSkip.min} to ${LIMITS.clipSkip.max}, got ${n}.`);
  }
  return n;
}

/**
 * --lora PATH[:WEIGHT]: the weight is the suffix after the last ':' when it is a number (A1111's tag puts the
 * multiplier there too), else the whole argument is the path (a Windows drive letter's colon stays in it).
 */
export function loraArgument(value: string): { file: string; weight: number } {
  const colon = value.lastIndexOf(':');
  const suffix = colon >= 0 ? value.slice(colon + 1) : undefined;
  if (suffix !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(suffix.trim()) && colon > 0) {
    return { file: value.slice(0, colon), weight: Number(suffix) };
  }
  if (suffix === '') throw new UsageError(`--lora ${value}: a weight after ':' is missing.`);
  if (value === '') throw new UsageError('--lora needs a .safetensors file.');
  return { file: value, weight: 1 };
}

function parseModelsArgs(argv: readonly string[]): ModelsPullCommand | ModelsListCommand {
  const [sub, ...rest] = argv;
  if (sub !== 'pull' && sub !== 'list') {
    throw new UsageError(sub === undefined ? 'models needs a subcommand: pull or list.' : `Unknown models subcommand "${sub}": use pull or list.`);
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: sub === 'pull',
      options:
        sub === 'pull'
          ? {
              revision: { type: 'string' },
              subfolder: { type: 'string' },
              'models-dir': { type: 'string' },
              'accept-license': { type: 'boolean' },
              json: { type: 'boolean' },
            }
          : { 'models-dir': { type: 'string' }, json: { type: 'boolean' } },
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
    positionals = parsed.positionals;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const modelsDir = values['models-dir'] as string | undefined;
  if (modelsDir === '') throw new UsageError('--models-dir needs a folder.');
  if (sub === 'list') return { command: 'models-list', json: Boolean(values.json), ...(modelsDir ? { modelsDir } : {}) };
  if (positionals.length !== 1) {
    throw new UsageError('models pull needs one model: a catalog id (see "models list") or a Hugging Face repo id (owner/name).');
  }
  const revision = values.revision as string | undefined;
  const subfolder = values.subfolder as string | undefined;
  return {
    command: 'models-pull',
    model: positionals[0]!,
    acceptLicense: Boolean(values['accept-license']),
    json: Boolean(values.json),
    ...(revision !== undefined ? { revision } : {}),
    ...(subfolder !== undefined ? { subfolder } : {}),
    ...(modelsDir ? { modelsDir } : {}),
  };
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === 'models') return parseModelsArgs(rest);
  if (command !== 'generate' && command !== 'info') {
    throw new UsageError(`Unknown command "${command}": use generate, info or models.`);
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options:
        command === 'info'
          ? { model: { type: 'string' }, json: { type: 'boolean' }, 'models-dir': { type: 'string' }, vae: { type: 'string' } }
          : {
              model: { type: 'string' },
              vae: { type: 'string' },
              'models-dir': { type: 'string' },
              prompt: { type: 'string' },
              negative: { type: 'string' },
              width: { type: 'string' },
              height: { type: 'string' },
              steps: { type: 'string' },
              guidance: { type: 'string' },
              seed: { type: 'string' },
              scheduler: { type: 'string' },
              emphasis: { type: 'string' },
              'clip-skip': { type: 'string' },
              lora: { type: 'string', multiple: true },
              'lora-dir': { type: 'string', multiple: true },
              image: { type: 'string' },
              strength: { type: 'string' },
              mask: { type: 'string' },
              'mask-blur': { type: 'string' },
              'only-masked': { type: 'boolean' },
              'mask-padding': { type: 'string' },
              'hires-scale': { type: 'string' },
              'hires-strength': { type: 'string' },
              'hires-steps': { type: 'string' },
              upscaler: { type: 'string' },
              outpaint: { type: 'string' },
              'outpaint-overlap': { type: 'string' },
              tiling: { type: 'string' },
              'remove-background': { type: 'string' },
              'background-preset': { type: 'string' },
              batch: { type: 'string' },
              ep: { type: 'string' },
              out: { type: 'string' },
              previews: { type: 'string' },
              parameters: { type: 'string' },
              json: { type: 'boolean' },
            },
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const model = str('model');
  if (!model) throw new UsageError('--model is required: a diffusers ONNX model folder, a catalog id or an installed repo id.');
  const modelsDir = str('models-dir');
  const vae = str('vae');
  if (vae === '') throw new UsageError('--vae needs a folder holding vae_decoder/.');
  if (command === 'info') return { command, model, json: Boolean(values.json), ...(modelsDir ? { modelsDir } : {}), ...(vae ? { vae } : {}) };

  const parametersFrom = str('parameters');
  const prompt = str('prompt') ?? (parametersFrom !== undefined ? '' : undefined);
  if (prompt === undefined) throw new UsageError('--prompt TEXT is required (or --parameters FILE with an A1111 infotext).');
  const out = str('out');
  if (!out) throw new UsageError('--out FILE.png is required.');
  if (!out.toLowerCase().endsWith('.png')) throw new UsageError(`--out must name a .png file, got "${out}".`);
  const previews = str('previews');
  if (previews !== undefined && !previews.toLowerCase().endsWith('.png')) throw new UsageError(`--previews must name a .png file, got "${previews}".`);
  if (str('mask') !== undefined && str('image') === undefined) throw new UsageError('--mask needs --image (the picture to inpaint).');
  if (str('strength') !== undefined && str('image') === undefined) throw new UsageError('--strength needs --image.');
  const hiresGiven = ['hires-strength', 'hires-steps', 'upscaler'].find((k) => str(k) !== undefined);
  if (hiresGiven && str('hires-scale') === undefined) throw new UsageError(`--${hiresGiven} needs --hires-scale.`);
  if (str('hires-scale') !== undefined && str('image') !== undefined) throw new UsageError('--hires-scale is for text to image: leave out --image.');
  if (str('outpaint') !== undefined && str('image') === undefined) throw new UsageError('--outpaint needs --image (the picture to extend).');
  if (str('outpaint') !== undefined && str('mask') !== undefined) throw new UsageError('--outpaint makes its own mask: leave out --mask.');
  if (str('outpaint-overlap') !== undefined && str('outpaint') === undefined) throw new UsageError('--outpaint-overlap needs --outpaint.');
  if (str('remove-background') === '') throw new UsageError('--remove-background needs a background-segmentation ONNX model (a .onnx file or a folder).');
  if (str('background-preset') !== undefined && str('remove-background') === undefined) throw new UsageError('--background-preset needs --remove-background.');
  const batch = integer('batch', str('batch')) ?? 1;
  if (batch < 1) throw new UsageError('--batch must be at least 1.');
  const result: GenerateCommand = {
    command,
    model,
    prompt,
    onlyMasked: Boolean(values['only-masked']),
    batch,
    executionProvider: oneOf('ep', str('ep'), EXECUTION_PROVIDER_NAMES) ?? 'auto',
    out,
    json: Boolean(values.json),
    ...(modelsDir ? { modelsDir } : {}),
    ...(vae ? { vae } : {}),
    ...(parametersFrom !== undefined ? { parametersFrom } : {}),
    given: new Set<string>(),
  };
  if (str('prompt') !== undefined) (result.given as Set<string>).add('prompt');
  const optional: Partial<GenerateCommand> = {
    negativePrompt: str('negative'),
    width: integer('width', str('width')),
    height: integer('height', str('height')),
    steps: integer('steps', str('steps')),
    guidanceScale: decimal('guidance', str('guidance')),
    seed: seedArgument(str('seed')),
    scheduler: oneOf('scheduler', str('scheduler'), SCHEDULER_NAMES),
    emphasis: emphasisArgument(str('emphasis')),
    clipSkip: clipSkipArgument(str('clip-skip')),
    loras: (values.lora as unknown as string[] | undefined)?.map(loraArgument),
    loraDirs: values['lora-dir'] as unknown as string[] | undefined,
    image: str('image'),
    strength: decimal('strength', str('strength')),
    mask: str('mask'),
    maskBlur: decimal('mask-blur', str('mask-blur')),
    maskPadding: integer('mask-padding', str('mask-padding')),
    hiresScale: decimal('hires-scale', str('hires-scale')),
    hiresStrength: decimal('hires-strength', str('hires-strength')),
    hiresSteps: integer('hires-steps', str('hires-steps')),
    upscaler: str('upscaler'),
    outpaint: outpaintMargins(str('outpaint')),
    outpaintOverlap: integer('outpaint-overlap', str('outpaint-overlap')),
    tiling: oneOf('tiling', str('tiling')?.toLowerCase(), TILING_MODES),
    removeBackground: str('remove-background'),
    backgroundPreset: str('background-preset'),
    previews,
  };
  // An explicit --seed -1 (random) also wins over an infotext's seed.
  if (str('seed') !== undefined) (result.given as Set<string>).add('seed');
  for (const [k, v] of Object.entries(optional)) {
    if (v === undefined) continue;
    (result as unknown as Record<string, unknown>)[k] = v;
    (result.given as Set<string>).add(k);
  }
  return result;
}

/** FILE.png for one image; FILE-1.png … FILE-N.png for a batch. */
export function outputPaths(out: string, count: number): string[] {
  if (count === 1) return [out];
  const stem = out.slice(0, -'.png'.length);
  const ext = out.slice(-'.png'.length);
  return Array.from({ length: count }, (_, i) => `${stem}-${i + 1}${ext}`);
}
