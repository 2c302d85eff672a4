// Reads a spec's text: JSON, then AssetSpecSchema, then the rules across entries (no two entries write the same
// file). Every problem names where it is: `images[1] (media/icon.webp): steps must be at most 150`.
import * as v from 'valibot';
import { normalizeAssetOutput } from './assetOutputPath';
import { AssetSpecSchema, type AssetSpec } from './assetSpecSchema';

export interface AssetSpecProblem {
  /** The entry's index in `images`, when the problem is inside one. */
  index?: number;
  /** The entry's output, when it has a readable one. */
  output?: string;
  /** The field, dotted from the entry (or the spec's top level): `steps`, `resize.fit`, `defaults.width`. */
  field?: string;
  message: string;
}

export type ParsedAssetSpec = { spec: AssetSpec; problems?: undefined } | { spec?: undefined; problems: AssetSpecProblem[] };

/** "images[1] (media/icon.webp): …" — the location a problem's message starts with. */
export function describeAssetSpecProblem(problem: AssetSpecProblem): string {
  const where = problem.index !== undefined ? `images[${problem.index}]${problem.output !== undefined ? ` (${problem.output})` : ''}` : undefined;
  return where ? `${where}: ${problem.message}` : problem.message;
}

export function parseAssetSpec(text: string): ParsedAssetSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { problems: [{ message: `not valid JSON: ${(e as Error).message}` }] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { problems: [{ message: 'the spec must be a JSON object with an "images" list' }] };
  }
  const result = v.safeParse(AssetSpecSchema, json, { abortPipeEarly: true });
  if (!result.success) return { problems: result.issues.map((issue) => problemFromIssue(issue, json)) };
  const problems = duplicateOutputs(result.output);
  return problems.length > 0 ? { problems } : { spec: result.output };
}

function problemFromIssue(issue: v.BaseIssue<unknown>, json: unknown): AssetSpecProblem {
  const keys = (issue.path ?? []).map((item) => item.key as string | number);
  const problem: AssetSpecProblem = { message: issue.message };
  let fieldKeys = keys;
  if (keys[0] === 'images' && typeof keys[1] === 'number') {
    problem.index = keys[1];
    const entry = (json as { images: unknown[] }).images[keys[1]];
    const output = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).output : undefined;
    if (typeof output === 'string') problem.output = output;
    fieldKeys = keys.slice(2);
  }
  const field = fieldKeys.join('.');
  if (field !== '') problem.field = field;
  // Valibot's own wording for the two structural cases, in the spec's terms.
  if (issue.expected === 'never' && issue.kind === 'schema' && fieldKeys.length > 0) {
    problem.message = `unknown field "${field}"${suggestion(String(fieldKeys[fieldKeys.length - 1]))}`;
  } else if (issue.received === 'undefined' && fieldKeys.length > 0) {
    problem.message = `${field} is required`;
  } else if (field !== '' && !issue.message.startsWith(field) && !issue.message.startsWith(String(fieldKeys[fieldKeys.length - 1]))) {
    problem.message = `${field}: ${issue.message}`;
  }
  return problem;
}

/** Common slips: the CLI's option names, and A1111's. */
const FIELD_HINTS: Readonly<Record<string, string>> = {
  negative: 'negativePrompt',
  negative_prompt: 'negativePrompt',
  guidanceScale: 'guidance',
  cfg: 'guidance',
  cfgScale: 'guidance',
  sampler: 'scheduler',
  out: 'output',
  path: 'output',
  file: 'output',
};

function suggestion(key: string): string {
  const hint = FIELD_HINTS[key];
  return hint ? ` (did you mean "${hint}"?)` : '';
}

function duplicateOutputs(spec: AssetSpec): AssetSpecProblem[] {
  const seen = new Map<string, number>();
  const problems: AssetSpecProblem[] = [];
  spec.images.forEach((entry, index) => {
    // Compared case-insensitively: on Windows and macOS the two names are one file.
    const key = normalizeAssetOutput(entry.output).toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else problems.push({ index, output: entry.output, field: 'output', message: `output is the same file as images[${first}]'s` });
  });
  return problems;
}
