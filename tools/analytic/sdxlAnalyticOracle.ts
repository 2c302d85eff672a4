// The analytic SDXL model's maths (sdxlAnalyticModel.ts) in plain TypeScript. Its one-hot tables make the concept
// weights the UNet reads — colours from text_encoder's penultimate layer, shapes from text_encoder_2's, positions
// from text_encoder_2's pooled text_embeds — equal to the SD analytic model's concept weights of the same prompt, so
// the expected images are AnalyticOracle's at the SDXL scaling factor, plus the time_ids shift:
//   targetLatent(prompt, h, w, timeIds)  x0*(prompt) + TIME_IDS_PENALTY·Σ|timeIds − [8h, 8w, 0, 0, 8h, 8w]|
import { AnalyticOracle } from './analyticOracle';
import { EMBEDDING_DIM } from './concepts';
import { VAE_SCALE } from './linearVae';
import {
  resolveSdxlOptions,
  SDXL_HIDDEN_1,
  SDXL_HIDDEN_2,
  SDXL_POOLED,
  sdxlLayerTable,
  sharedAnalyticOptions,
  TIME_IDS_PENALTY,
  type SdxlAnalyticOptions,
} from './sdxlAnalyticModel';
import { paddedTokenIds } from './tokenizerFiles';

const f = Math.fround;

export class SdxlAnalyticOracle {
  readonly options: SdxlAnalyticOptions;
  /** The SD oracle with the same VAE, scaling factor and UNet channels. */
  readonly base: AnalyticOracle;

  constructor(options: Partial<SdxlAnalyticOptions> = {}) {
    this.options = resolveSdxlOptions(options);
    this.base = new AnalyticOracle(sharedAnalyticOptions(this.options));
  }

  get scalingFactor(): number {
    return this.options.scalingFactor;
  }

  /** tokenizer/ ids (padded with <|endoftext|>) and tokenizer_2/ ids (padded with "!", id 0). */
  tokenIds(prompt: string): number[] {
    return paddedTokenIds(prompt, '<|endoftext|>');
  }

  tokenIds2(prompt: string): number[] {
    return paddedTokenIds(prompt, '!');
  }

  private rows(ids: readonly number[], table: Float32Array, width: number): Float32Array {
    const out = new Float32Array(ids.length * width);
    ids.forEach((id, i) => out.set(table.subarray(id * width, (id + 1) * width), i * width));
    return out;
  }

  /** text_encoder's hidden_states.{L1−1} [77·D1]. */
  penultimate1(prompt: string): Float32Array {
    return this.rows(this.tokenIds(prompt), sdxlLayerTable('colour', SDXL_HIDDEN_1, 0), SDXL_HIDDEN_1);
  }

  /** text_encoder_2's hidden_states.{L2−1} [77·D2]. */
  penultimate2(prompt: string): Float32Array {
    return this.rows(this.tokenIds2(prompt), sdxlLayerTable('shape', SDXL_HIDDEN_2, 0, true), SDXL_HIDDEN_2);
  }

  /** text_encoder_2's text_embeds [P]. */
  pooled(prompt: string): Float32Array {
    const rows = this.rows(this.tokenIds2(prompt), sdxlLayerTable('position', SDXL_POOLED, 0), SDXL_POOLED);
    const out = new Float32Array(SDXL_POOLED);
    for (let i = 0; i < rows.length; i++) out[i % SDXL_POOLED] = f(out[i % SDXL_POOLED] + rows[i]);
    return out;
  }

  /** encoder_hidden_states of one prompt [77·(D1 + D2)]: both penultimate states, concatenated in that order. */
  encoderHiddenStates(prompt: string): Float32Array {
    const a = this.penultimate1(prompt);
    const b = this.penultimate2(prompt);
    const width = SDXL_HIDDEN_1 + SDXL_HIDDEN_2;
    const tokens = a.length / SDXL_HIDDEN_1;
    const out = new Float32Array(tokens * width);
    for (let t = 0; t < tokens; t++) {
      out.set(a.subarray(t * SDXL_HIDDEN_1, (t + 1) * SDXL_HIDDEN_1), t * width);
      out.set(b.subarray(t * SDXL_HIDDEN_2, (t + 1) * SDXL_HIDDEN_2), t * width + SDXL_HIDDEN_1);
    }
    return out;
  }

  /** The concept weights [D] the UNet reads for a prompt (null: the zeroed negative of force_zeros_for_empty_prompt). */
  weights(prompt: string | null): Float32Array {
    return prompt === null ? new Float32Array(EMBEDDING_DIM) : this.base.conceptWeights(prompt);
  }

  /** The diffusers default time_ids for an H×W image: [H, W, 0, 0, H, W]. */
  defaultTimeIds(imageHeight: number, imageWidth: number): number[] {
    return [imageHeight, imageWidth, 0, 0, imageHeight, imageWidth];
  }

  /** x0 [4·h·w] (UNet space) for a prompt (or weights) and the time_ids the UNet is given. */
  targetLatent(condition: string | null | Float32Array, height: number, width: number, timeIds?: readonly number[]): Float32Array {
    const weights = condition instanceof Float32Array ? condition : this.weights(condition);
    const x0 = this.base.targetLatent(weights, height, width);
    const expected = this.defaultTimeIds(height * VAE_SCALE, width * VAE_SCALE);
    const ids = timeIds ?? expected;
    let error = 0;
    ids.forEach((v, i) => (error = f(error + Math.abs(f(f(v) - expected[i])))));
    const shift = f(error * TIME_IDS_PENALTY);
    return shift === 0 ? x0 : x0.map((x) => f(x + shift));
  }

  /** txt2img's exact answer at H×W with the right time_ids. */
  expectedImage(prompt: string, imageHeight: number, imageWidth: number): Float32Array {
    return this.base.expectedImage(prompt, imageHeight, imageWidth);
  }

  /** The CFG limit x0_u + g·(x0_c − x0_u), decoded; uncond null = zeroed embeddings. */
  guidedImage(uncond: string | null, cond: string, guidance: number, imageHeight: number, imageWidth: number): Float32Array {
    const h = imageHeight / VAE_SCALE;
    const w = imageWidth / VAE_SCALE;
    const u = this.targetLatent(uncond, h, w);
    const c = this.targetLatent(cond, h, w);
    return this.base.decodeLatent(u.map((x, i) => x + guidance * (c[i] - x)), h, w);
  }
}
