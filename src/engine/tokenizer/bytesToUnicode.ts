// GPT-2 / CLIP byte-to-unicode table: every byte gets a printable symbol so byte-level BPE never
// sees whitespace or control characters. Source: openai/CLIP clip/simple_tokenizer.py bytes_to_unicode
// printable bytes map to themselves, the other 68 bytes in increasing order to chr(256 + k).

function isPrintableByte(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

function buildTable(): string[] {
  const table = new Array<string>(256);
  let next = 256;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(isPrintableByte(b) ? b : next++);
  return table;
}

/** BYTE_TO_UNICODE[byte] = the symbol used for that byte in vocab.json / merges.txt. */
export const BYTE_TO_UNICODE: readonly string[] = buildTable();

/** The inverse map: symbol → byte. */
export const UNICODE_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_UNICODE.map((symbol, byte) => [symbol, byte]));

/** Maps a string's UTF-8 bytes to byte-unicode symbols (one symbol per byte). */
export function bytesToUnicodeSymbols(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const symbols = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) symbols[i] = BYTE_TO_UNICODE[bytes[i]];
  return symbols;
}

/** Inverse of bytesToUnicodeSymbols for a joined symbol string (unknown symbols are skipped); UTF-8 decoded. */
export function unicodeSymbolsToText(symbols: string): string {
  const bytes: number[] = [];
  for (const ch of symbols) {
    const b = UNICODE_TO_BYTE.get(ch);
    if (b !== undefined) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}
