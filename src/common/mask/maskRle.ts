// Run-length coding for mask bytes (undo patches and backups). Masks are mostly long runs of 0 and
// 255, so this is small and fast; soft (feathered) bands cost at most ~1 byte per pixel extra.
// Format: a sequence of [count − 1 (1 byte, 0…127) | 0x80 + count − 1 for a literal run] records:
//   0x00–0x7F c: a run of c + 1 copies of the next byte;
//   0x80–0xFF c: c − 0x80 + 1 literal bytes follow.
// Pure: no vscode, no Node APIs.

const MAX_RUN = 128;

export function encodeMaskRle(data: Uint8Array): Uint8Array {
  const n = data.length;
  // Worst case: all literals, one header per 128 bytes.
  const out = new Uint8Array(n + Math.ceil(n / MAX_RUN) + 1);
  let o = 0;
  let i = 0;
  while (i < n) {
    // Length of the run of equal bytes starting at i.
    let run = 1;
    while (i + run < n && run < MAX_RUN && data[i + run] === data[i]) run++;
    if (run >= 3) {
      out[o++] = run - 1;
      out[o++] = data[i]!;
      i += run;
      continue;
    }
    // Literal: until a run of ≥ 3 starts, or 128 bytes.
    const start = i;
    let count = 0;
    while (i < n && count < MAX_RUN) {
      if (i + 2 < n && data[i] === data[i + 1] && data[i] === data[i + 2]) break;
      i++;
      count++;
    }
    out[o++] = 0x80 + count - 1;
    out.set(data.subarray(start, start + count), o);
    o += count;
  }
  return out.slice(0, o);
}

/** Decodes exactly `length` bytes; throws on malformed or mismatched input. */
export function decodeMaskRle(encoded: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let o = 0;
  let i = 0;
  while (i < encoded.length) {
    const header = encoded[i++]!;
    if (header < 0x80) {
      const count = header + 1;
      if (i >= encoded.length || o + count > length) throw new Error('Corrupt mask data (run).');
      out.fill(encoded[i++]!, o, o + count);
      o += count;
    } else {
      const count = header - 0x80 + 1;
      if (i + count > encoded.length || o + count > length) throw new Error('Corrupt mask data (literal).');
      out.set(encoded.subarray(i, i + count), o);
      i += count;
      o += count;
    }
  }
  if (o !== length) throw new Error(`Corrupt mask data: ${o} bytes instead of ${length}.`);
  return out;
}
