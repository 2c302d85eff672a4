// The one place a webview's seed (a decimal string, ../../common/seed.ts) becomes the engine request's seed.
import type { GenerationParams } from '../jobs/generationService';
import type { SeedText } from '../../common/seed';

/**
 * The engine protocol still takes a JavaScript number (0 … 2^32 − 1, checked by the engine); once it takes the
 * decimal string itself (the engine pipelines change), this returns `seed` unchanged.
 */
export function engineSeed(seed: SeedText): NonNullable<GenerationParams['seed']> {
  return Number(seed);
}
