// The one place a webview's seed (a decimal string, ../../common/seed.ts) becomes the engine request's seed.
import type { GenerationParams } from '../jobs/generationService';
import type { SeedText } from '../../common/seed';

/** The engine protocol takes the decimal string itself (0 … 2^64 − 1, checked by the engine). */
export function engineSeed(seed: SeedText): NonNullable<GenerationParams['seed']> {
  return seed;
}
