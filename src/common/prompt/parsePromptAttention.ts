// AUTOMATIC1111's prompt emphasis syntax, ported line for line from stable-diffusion-webui
// `modules/prompt_parser.py` parse_prompt_attention (re_attention, re_break, the bracket stacks, multiply_range and the
// final merge of runs with identical weights). The doctest examples of that function are the unit tests.
//
//   (abc)      ×1.1            [abc]      ×1/1.1          (abc:3.12) ×3.12         nesting multiplies
//   \( \) \[ \] \\  literal characters                    BREAK      a new 75-token chunk
//   unclosed ( and [ apply to the end of the prompt; a ) or ] with nothing open, and a ':' outside (…:n), are text.

/** A run of prompt text and the weight its tokens get; `BREAK` is `{ text: 'BREAK', weight: -1 }` as in A1111. */
export interface AttentionFragment {
  text: string;
  weight: number;
}

/** A1111 round_bracket_multiplier. */
export const ROUND_BRACKET_MULTIPLIER = 1.1;
/** A1111 square_bracket_multiplier. */
export const SQUARE_BRACKET_MULTIPLIER = 1 / 1.1;
/** The weight A1111 gives the BREAK marker (tokenize_line tests `text == 'BREAK' and weight == -1`). */
export const BREAK_WEIGHT = -1;
export const BREAK_TEXT = 'BREAK';

/**
 * Python's `\s` on str (str.isspace): ASCII whitespace, \x1c–\x1f, NEL, NBSP and Unicode Zs/Zl/Zp. JS `\s` differs
 * (it has U+FEFF, lacks \x1c–\x1f and U+0085), so the class is spelled out.
 */
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
/** Python's `\w` on str: Unicode letters and numbers (isalnum) and '_'; used for `\b`, which JS only knows for ASCII. */
const PY_WORD = '[\\p{L}\\p{N}_]';

/**
 * re_attention (re.X), alternatives in A1111's order:
 * `\(` `\)` `\[` `\]` `\\` `\` `(` `[` `:\s*(number)\s*)` `)` `]` `[^\\()\[\]:]+` `:`.
 */
const RE_ATTENTION = new RegExp(
  [
    '\\\\\\(',
    '\\\\\\)',
    '\\\\\\[',
    '\\\\\\]',
    '\\\\\\\\',
    '\\\\',
    '\\(',
    '\\[',
    `:${PY_SPACE}*([+-]?[.\\d]+)${PY_SPACE}*\\)`,
    '\\)',
    '\\]',
    '[^\\\\()\\[\\]:]+',
    ':',
  ].join('|'),
  'gu',
);

/** re_break: `\s*\bBREAK\b\s*`. */
const RE_BREAK = new RegExp(`${PY_SPACE}*(?<!${PY_WORD})${BREAK_TEXT}(?!${PY_WORD})${PY_SPACE}*`, 'u');

/** Python float() of what `[+-]?[.\d]+` matched: "1.", ".5" and "+2" are numbers; ".", "1.2.3" are not. */
const PY_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/** A weight in `(text:weight)` that Python's float() refuses; A1111 fails the whole generation on it. */
export class PromptWeightError extends Error {
  constructor(readonly weightText: string) {
    super(`The prompt weight "${weightText}" in "(…:${weightText})" is not a number.`);
    this.name = 'PromptWeightError';
  }
}

/** True for the marker fragment that starts a new chunk (A1111 tokenize_line's test, weight included). */
export function isBreakFragment(fragment: AttentionFragment): boolean {
  return fragment.text === BREAK_TEXT && fragment.weight === BREAK_WEIGHT;
}

/**
 * The prompt as runs of text with their weights, exactly as A1111's parse_prompt_attention returns them.
 * Throws PromptWeightError where A1111's float() would raise (e.g. `(a:.)`).
 */
export function parsePromptAttention(text: string): AttentionFragment[] {
  const res: AttentionFragment[] = [];
  const roundBrackets: number[] = [];
  const squareBrackets: number[] = [];

  const multiplyRange = (startPosition: number, multiplier: number): void => {
    for (let p = startPosition; p < res.length; p++) res[p].weight *= multiplier;
  };

  for (const m of text.matchAll(RE_ATTENTION)) {
    const token = m[0];
    const weight = m[1];
    if (token.startsWith('\\')) {
      res.push({ text: token.slice(1), weight: 1.0 });
    } else if (token === '(') {
      roundBrackets.push(res.length);
    } else if (token === '[') {
      squareBrackets.push(res.length);
    } else if (weight !== undefined && roundBrackets.length > 0) {
      if (!PY_FLOAT.test(weight)) throw new PromptWeightError(weight);
      multiplyRange(roundBrackets.pop()!, Number(weight));
    } else if (token === ')' && roundBrackets.length > 0) {
      multiplyRange(roundBrackets.pop()!, ROUND_BRACKET_MULTIPLIER);
    } else if (token === ']' && squareBrackets.length > 0) {
      multiplyRange(squareBrackets.pop()!, SQUARE_BRACKET_MULTIPLIER);
    } else {
      pythonSplit(token, RE_BREAK).forEach((part, i) => {
        if (i > 0) res.push({ text: BREAK_TEXT, weight: BREAK_WEIGHT });
        res.push({ text: part, weight: 1.0 });
      });
    }
  }

  for (const pos of roundBrackets) multiplyRange(pos, ROUND_BRACKET_MULTIPLIER);
  for (const pos of squareBrackets) multiplyRange(pos, SQUARE_BRACKET_MULTIPLIER);

  if (res.length === 0) res.push({ text: '', weight: 1.0 });

  // merge runs of identical weights
  let i = 0;
  while (i + 1 < res.length) {
    if (res[i].weight === res[i + 1].weight) {
      res[i].text += res[i + 1].text;
      res.splice(i + 1, 1);
    } else {
      i += 1;
    }
  }
  return res;
}

/** Python re.split without groups: the pieces between matches, empty ones kept (a match may not be empty here). */
function pythonSplit(text: string, separator: RegExp): string[] {
  const global = new RegExp(separator.source, separator.flags.includes('g') ? separator.flags : separator.flags + 'g');
  const parts: string[] = [];
  let last = 0;
  for (const m of text.matchAll(global)) {
    parts.push(text.slice(last, m.index));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}
