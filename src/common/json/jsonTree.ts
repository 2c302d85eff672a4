// A JSON text → a tree of its values with their offsets, for editors that point into a file (CodeLens on a spec
// entry, a problem's line and column) or edit it in place (appending an entry keeps the rest of the text as it was).
// Strict JSON (RFC 8259) as JSON.parse reads it, so the tree and JSON.parse never disagree on a valid file; text that
// JSON.parse refuses gives undefined. No package: src/common may import only valibot.

export interface JsonRange {
  /** Offset of the first character. */
  start: number;
  /** Offset just after the last character. */
  end: number;
}

export interface JsonProperty {
  key: string;
  /** The key with its quotes. */
  keyRange: JsonRange;
  value: JsonNode;
}

export type JsonNode =
  | ({ kind: 'object'; properties: JsonProperty[] } & JsonRange)
  | ({ kind: 'array'; items: JsonNode[] } & JsonRange)
  | ({ kind: 'string'; value: string } & JsonRange)
  | ({ kind: 'number' | 'boolean' | 'null' } & JsonRange);

class JsonSyntaxError extends Error {
  constructor(readonly offset: number) {
    super(`unexpected character at ${offset}`);
  }
}

/** The tree of a JSON text, or undefined when it is not valid JSON. */
export function parseJsonTree(text: string): JsonNode | undefined {
  const scanned = scanJson(text);
  return 'root' in scanned ? scanned.root : undefined;
}

/** Where a text stops being JSON (the first character that cannot continue it), or undefined for valid JSON. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  const scanned = scanJson(text);
  return 'errorAt' in scanned ? scanned.errorAt : undefined;
}

function scanJson(text: string): { root: JsonNode } | { errorAt: number } {
  let pos = 0;
  const fail = (): never => {
    throw new JsonSyntaxError(Math.min(pos, text.length));
  };
  const skipSpace = (): void => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r')) pos++;
  };
  const readString = (): { value: string } & JsonRange => {
    const start = pos;
    pos++; // opening quote
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === '\\') pos++;
      else if (text.charCodeAt(pos) < 0x20) fail();
      pos++;
    }
    if (pos >= text.length) fail();
    pos++; // closing quote
    let value: string;
    try {
      value = JSON.parse(text.slice(start, pos)) as string;
    } catch {
      return fail();
    }
    return { value, start, end: pos };
  };
  const readValue = (): JsonNode => {
    skipSpace();
    const start = pos;
    const c = text[pos];
    if (c === '{') {
      pos++;
      const properties: JsonProperty[] = [];
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', properties, start, end: pos };
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail();
        const key = readString();
        skipSpace();
        if (text[pos] !== ':') fail();
        pos++;
        const value = readValue();
        properties.push({ key: key.value, keyRange: { start: key.start, end: key.end }, value });
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return { kind: 'object', properties, start, end: pos };
        } else fail();
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', items, start, end: pos };
      }
      for (;;) {
        items.push(readValue());
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return { kind: 'array', items, start, end: pos };
        } else fail();
      }
    }
    if (c === '"') return { kind: 'string', ...readString() };
    for (const [word, kind] of [
      ['true', 'boolean'],
      ['false', 'boolean'],
      ['null', 'null'],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return { kind, start, end: pos };
      }
    }
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (!number) return fail();
    pos += number[0].length;
    return { kind: 'number', start, end: pos };
  };
  try {
    const root = readValue();
    skipSpace();
    if (pos !== text.length) fail();
    return { root };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { errorAt: e.offset };
    throw e;
  }
}

/** The value of an object's property, or undefined. */
export function jsonProperty(node: JsonNode | undefined, key: string): JsonProperty | undefined {
  return node?.kind === 'object' ? node.properties.find((p) => p.key === key) : undefined;
}

/** 1-based line and column (in UTF-16 code units, as editors count) of an offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
