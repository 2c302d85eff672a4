// Seeds as PyTorch's manual_seed and ComfyUI take them: any integer 0 … 2^64 − 1 (A1111 writes them the same way),
// and -1 for "random" (A1111's convention). A JavaScript number holds integers exactly only up to 2^53 − 1, so on
// every wire (engine protocol, webview messages, JSON output) a seed is its decimal string; in code it is a bigint.

export const MAX_SEED = (1n << 64n) - 1n;

/** A seed on the wire: the decimal digits of an integer in 0 … MAX_SEED. */
export type SeedText = string;

const DIGITS = /^\d{1,20}$/;

/** True for a decimal string of an integer in 0 … MAX_SEED (no sign, no leading '+', no spaces). */
export function isSeedText(value: unknown): value is SeedText {
  return typeof value === 'string' && DIGITS.test(value) && BigInt(value) <= MAX_SEED;
}

/**
 * What a person typed (or a number from a JSON file): a seed, 'random' for empty or -1, or an error message that
 * says what is accepted.
 */
export function parseSeed(input: string | number | bigint): { seed: bigint } | { random: true } | { error: string } {
  const text = typeof input === 'string' ? input.trim() : typeof input === 'number' && !Number.isSafeInteger(input) ? String(input) : input.toString();
  if (text === '' || text === '-1') return { random: true };
  if (!/^\d+$/.test(text) || BigInt(text) > MAX_SEED) {
    return { error: `The seed must be a whole number from 0 to ${MAX_SEED} (or -1 for a random one), got "${text}".` };
  }
  return { seed: BigInt(text) };
}

/** A uniformly random seed in 0 … 2^32 − 1, as A1111 draws them (short enough to read and type). */
export function randomSeed(random: () => number = Math.random): bigint {
  return BigInt(Math.floor(random() * 2 ** 32));
}

/** The seed of image `index` of a batch: seed + index, wrapping past MAX_SEED as a uint64 does. */
export function seedForImage(seed: bigint, index: number): bigint {
  return BigInt.asUintN(64, seed + BigInt(index));
}
