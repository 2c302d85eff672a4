// A1111 "parameters" infotext (stored by modules/images.py save_image_with_geninfo). Formatting follows modules/processing.py create_infotext;
// parsing follows modules/infotext_utils.py (formerly generation_parameters_copypaste.py)
// parse_generation_parameters.

export interface A1111Parameters {
  prompt: string;
  negativePrompt?: string;
  steps: number;
  sampler: string;
  /** A1111 ≥ 1.9 "Schedule type" (e.g. Karras); read back with samplerFromA1111 (src/common/samplers.ts). */
  scheduleType?: string;
  cfgScale: number;
  /** 0 … 2^64−1: a bigint when written by the engine; parsed back as a number, or a bigint above 2^53 − 1 (exact). */
  seed: number | bigint;
  width: number;
  height: number;
  modelHash?: string;
  model?: string;
  denoisingStrength?: number;
  /** A1111 "Clip skip" (written when above 1, create_infotext). */
  clipSkip?: number;
  /** A1111 "Emphasis" (written for a mode other than Original, `modules/sd_hijack_clip.py`). */
  emphasis?: string;
  extra?: ReadonlyArray<[string, string | number]>;
}

const NEGATIVE_PROMPT_PREFIX = 'Negative prompt:';
/** Keys this module maps to fields; everything else lands in `extra`. */
const KNOWN_KEYS = new Set(['Steps', 'Sampler', 'Schedule type', 'CFG scale', 'Seed', 'Size', 'Model hash', 'Model', 'Denoising strength', 'Clip skip', 'Emphasis']);
/** infotext_utils.py re_param_code: `key: value` or `key: "json string"`. */
const PARAM_PATTERN = /\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g;
const IMAGE_SIZE_PATTERN = /^(\d+)x(\d+)$/;
/** A1111 only treats the last line as parameters when it holds at least this many `key: value` pairs. */
const MIN_PARAMS_ON_LAST_LINE = 3;

/** The infotext: prompt, optional "Negative prompt: …" line, then the comma-separated parameters line. */
export function formatA1111Parameters(p: A1111Parameters): string {
  const entries: Array<[string, string | number | undefined]> = [
    ['Steps', p.steps],
    ['Sampler', p.sampler],
    ['Schedule type', p.scheduleType],
    ['CFG scale', p.cfgScale],
    ['Seed', typeof p.seed === 'bigint' ? p.seed.toString() : p.seed],
    ['Size', `${p.width}x${p.height}`],
    ['Model hash', p.modelHash],
    ['Model', p.model],
    ['Denoising strength', p.denoisingStrength],
    ['Clip skip', p.clipSkip],
    ['Emphasis', p.emphasis],
    ...(p.extra ?? []),
  ];
  const paramsLine = entries
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => {
      const text = typeof value === 'number' ? pythonNumber(value) : value;
      return key === text ? key : `${key}: ${quote(text)}`;
    })
    .join(', ');
  const negative = p.negativePrompt ? `\n${NEGATIVE_PROMPT_PREFIX} ${p.negativePrompt}` : '';
  return `${p.prompt}${negative}\n${paramsLine}`.trim();
}

/** Parses an infotext; throws when there is no parameters line or a required key is missing / malformed. */
export function parseA1111Parameters(text: string): A1111Parameters & { raw: Record<string, string> } {
  const lines = text.trim().split('\n');
  const lastLine = lines.pop() ?? '';
  const pairs = [...lastLine.matchAll(PARAM_PATTERN)];
  if (pairs.length < MIN_PARAMS_ON_LAST_LINE) throw new Error('not A1111 parameters: the last line has no "Steps: …, Sampler: …" list');

  let prompt = '';
  let negativePrompt = '';
  let inNegative = false;
  for (let line of lines) {
    line = line.trim();
    if (line.startsWith(NEGATIVE_PROMPT_PREFIX)) {
      inNegative = true;
      line = line.slice(NEGATIVE_PROMPT_PREFIX.length).trim();
    }
    if (inNegative) negativePrompt += (negativePrompt === '' ? '' : '\n') + line;
    else prompt += (prompt === '' ? '' : '\n') + line;
  }

  const raw: Record<string, string> = {};
  const extra: Array<[string, string]> = [];
  for (const match of pairs) {
    const key = match[1];
    let value = match[2];
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        // keep the raw text, as A1111 does when unquote fails
      }
    }
    raw[key] = value;
    if (!KNOWN_KEYS.has(key)) extra.push([key, value]);
  }

  const required = (key: string): string => {
    const value = raw[key];
    if (value === undefined) throw new Error(`A1111 parameters: missing "${key}"`);
    return value;
  };
  const size = IMAGE_SIZE_PATTERN.exec(required('Size').trim());
  if (size === null) throw new Error(`A1111 parameters: malformed Size ${JSON.stringify(raw.Size)}`);

  const result: A1111Parameters & { raw: Record<string, string> } = {
    prompt,
    steps: parseNumber('Steps', required('Steps'), true),
    sampler: required('Sampler'),
    cfgScale: parseNumber('CFG scale', required('CFG scale'), false),
    seed: parseSeedValue(required('Seed')),
    width: Number(size[1]),
    height: Number(size[2]),
    raw,
  };
  if (negativePrompt !== '') result.negativePrompt = negativePrompt;
  if (raw['Schedule type'] !== undefined) result.scheduleType = raw['Schedule type'];
  if (raw['Model hash'] !== undefined) result.modelHash = raw['Model hash'];
  if (raw.Model !== undefined) result.model = raw.Model;
  if (raw['Denoising strength'] !== undefined) result.denoisingStrength = parseNumber('Denoising strength', raw['Denoising strength'], false);
  if (raw['Clip skip'] !== undefined) result.clipSkip = parseNumber('Clip skip', raw['Clip skip'], true);
  if (raw['Emphasis'] !== undefined) result.emphasis = raw['Emphasis'].trim();
  if (extra.length > 0) result.extra = extra;
  return result;
}

/** infotext quote(): JSON-quote a value containing ',', '\n' or ':' (json.dumps(ensure_ascii=False)). */
function quote(text: string): string {
  return /[,\n:]/.test(text) ? JSON.stringify(text) : text;
}

/** An integer seed, exact: a number up to 2^53 − 1, a bigint beyond (PyTorch and ComfyUI seeds reach 2^64 − 1). */
function parseSeedValue(text: string): number | bigint {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const big = BigInt(trimmed);
    return big > BigInt(Number.MAX_SAFE_INTEGER) ? big : Number(big);
  }
  return parseNumber('Seed', text, true);
}

function parseNumber(key: string, text: string, integer: boolean): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new Error(`A1111 parameters: "${key}" is not ${integer ? 'an integer' : 'a number'}: ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * A number as A1111 prints it: integral values as ints (7 → "7", seeds in full), others like Python's float repr
 * (shortest round-trip digits; scientific notation below 1e-4 or from 1e16, e.g. "1e-05").
 */
function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
  if (Number.isInteger(value)) return BigInt(value).toString(); // Python int (steps, seed, size)
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) return String(value); // JS and Python agree in this range
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
