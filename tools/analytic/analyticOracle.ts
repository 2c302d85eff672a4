// The analytic model's maths in plain TypeScript: what each ONNX component written by analyticModel.ts must
// output, in the same float32 order of operations (Math.fround after every op) where practical.
//
// Closed forms (latents in UNet space unless named "Vae"; planar layouts [C][H][W]; batch of one):
//   tokenIds(prompt)                    77 ids: BOS, CLIP-BPE tokens, EOS, pad (options.padToken)
//   conceptWeights(prompt | ids)        [D] = Σ over the 77 positions of the embedding rows (= pooler_output)
//   targetLatent(prompt | weights, h, w)  x0* [4·h·w] = bg + mask·(colour − bg)
//   inpaintTarget(x0, mask, masked, h, w) m·x0 + (1 − m)·masked (9-channel UNet)
//   unetOutput(latents, x0, t)          ε = (latents − √ᾱ·x0)/√(1−ᾱ), or v = √ᾱ·ε − √(1−ᾱ)·x0
//   sigmaAt(t), alphaCumprodAt(t)       σ table interpolated at fractional t; ᾱ = 1/(σ² + 1)
//   decodeLatent(latents, h, w)         RGB [3·8h·8w] in [-1, 1] = VAE decoder(latents / scaling_factor)
//   decodeVaeLatent(latentsVae, h, w)   the decoder itself: W·l + b per cell, each cell an 8×8 block
//   encodeImage(rgb, H, W)              VAE-space mean latents [4·(H/8)·(W/8)] = W⁺(8×8 block mean − b)
//   previewRgb(latents, h, w)           [3·h·w] via latent_rgb_factors/bias (= decodeLatent without upsampling)
//   expectedImage(prompt, H, W)         decodeLatent(targetLatent(prompt, H/8, W/8)): what txt2img must produce
//   guidedTarget(uncond, cond, g, h, w) x0_u + g·(x0_c − x0_u): what CFG converges to

import { resolveAnalyticOptions, type AnalyticModelOptions } from './analyticModelOptions';
import {
  BACKGROUND_RGB,
  COLOUR_RANGE,
  colourConcepts,
  concepts,
  DEFAULT_RGB,
  EDGE_SHARPNESS,
  EMBEDDING_DIM,
  POSITION_RANGE,
  positionConcepts,
  RING_HALF_WIDTH,
  SHAPE_RANGE,
  shapeConcepts,
  type Rgb,
  type ShapeConcept,
} from './concepts';
import {
  BIAS,
  decoderBias,
  decoderWeight,
  encoderBias,
  encoderWeight,
  LATENT_CHANNELS,
  RGB_CHANNELS,
  rgbToVaeLatent,
  VAE_SCALE,
  W_ROWS,
} from './linearVae';
import { finalLayerNorm, layerEmbedding } from './textEncoderLayers';
import { analyticVocabulary, paddedTokenIds } from './tokenizerFiles';
import { alphaCumprodAt, sigmaAt } from './trainingSigmas';

const f = Math.fround;
const sigmoid = (x: number): number => f(1 / f(1 + f(Math.exp(-x))));

/** Constant tables shared by the ONNX graphs and the oracle (float32). */
export interface AnalyticTables {
  /** Text-encoder embedding [vocab, D]: concept token rows one-hot, all other rows zero. */
  embedding: Float32Array;
  vocabSize: number;
  /** UNet-space latent of each colour concept [nColours, 4]. */
  colourLatents: Float32Array;
  /** UNet-space latents of the default shape colour and the background [4]. */
  defaultLatent: Float32Array;
  backgroundLatent: Float32Array;
  /** (du, dv) of each position concept [nPositions, 2]. */
  positionOffsets: Float32Array;
}

function unetSpaceLatent(rgb: Rgb, scalingFactor: number): number[] {
  return rgbToVaeLatent(rgb).map((x) => x * scalingFactor);
}

export function buildAnalyticTables(scalingFactor: number): AnalyticTables {
  const vocabulary = analyticVocabulary();
  const vocabSize = vocabulary.vocab.size;
  const embedding = new Float32Array(vocabSize * EMBEDDING_DIM);
  concepts.forEach((concept, dim) => {
    const id = vocabulary.vocab.get(concept.word + '</w>');
    if (id === undefined) throw new Error(`analytic tables: '${concept.word}' is not a token`);
    embedding[id * EMBEDDING_DIM + dim] = 1;
  });
  return {
    embedding,
    vocabSize,
    colourLatents: Float32Array.from(colourConcepts.flatMap((c) => unetSpaceLatent(c.rgb, scalingFactor))),
    defaultLatent: Float32Array.from(unetSpaceLatent(DEFAULT_RGB, scalingFactor)),
    backgroundLatent: Float32Array.from(unetSpaceLatent(BACKGROUND_RGB, scalingFactor)),
    positionOffsets: Float32Array.from(positionConcepts.flatMap((p) => [...p.offset])),
  };
}

/** Distance of (du, dv) from the shape's edge reference and the threshold it is compared with. */
function shapeDistance(shape: ShapeConcept, du: number, dv: number): { distance: number; threshold: number } {
  const r = f(Math.sqrt(f(f(du * du) + f(dv * dv))));
  switch (shape.shape) {
    case 'circle':
      return { distance: r, threshold: f(shape.size) };
    case 'square':
      return { distance: Math.max(Math.abs(du), Math.abs(dv)), threshold: f(shape.size) };
    case 'diamond':
      return { distance: f(Math.abs(du) + Math.abs(dv)), threshold: f(shape.size) };
    case 'ring':
      return { distance: Math.abs(f(r - f(shape.size))), threshold: f(RING_HALF_WIDTH) };
  }
}

export class AnalyticOracle {
  readonly options: AnalyticModelOptions;
  readonly tables: AnalyticTables;
  readonly embeddingDim = EMBEDDING_DIM;

  constructor(options: Partial<AnalyticModelOptions> = {}) {
    this.options = resolveAnalyticOptions(options);
    this.tables = buildAnalyticTables(this.options.scalingFactor);
  }

  get scalingFactor(): number {
    return this.options.scalingFactor;
  }

  /** The 77 input_ids the model's tokenizer gives `prompt` (BOS … EOS, padded with options.padToken). */
  tokenIds(prompt: string): number[] {
    return paddedTokenIds(prompt, this.options.padToken);
  }

  /**
   * Text encoder last_hidden_state of one prompt [77·D]: rows of the embedding table; with textEncoderLayers, the
   * final layer norm of the last layer (textEncoderLayers.ts).
   */
  lastHiddenState(promptOrIds: string | readonly number[]): Float32Array {
    if (this.options.textEncoderLayers !== null) return finalLayerNorm(this.hiddenState(promptOrIds, this.options.textEncoderLayers));
    return this.rows(promptOrIds, this.tables.embedding);
  }

  /** hidden_states.`layer` of one prompt [77·D] (textEncoderLayers variant only). */
  hiddenState(promptOrIds: string | readonly number[], layer: number): Float32Array {
    const layers = this.options.textEncoderLayers;
    if (layers === null || layer < 0 || layer > layers) throw new Error(`analytic oracle: no hidden_states.${layer}`);
    return this.rows(promptOrIds, layerEmbedding(layer === layers));
  }

  /** A1111 clip skip N ≥ 2 on one prompt: final_layer_norm(hidden_states[-N]) [77·D]. */
  clipSkipped(promptOrIds: string | readonly number[], clipSkip: number): Float32Array {
    const layers = this.options.textEncoderLayers;
    if (layers === null) throw new Error('analytic oracle: the text encoder has no hidden states');
    return finalLayerNorm(this.hiddenState(promptOrIds, layers + 1 - clipSkip));
  }

  private rows(promptOrIds: string | readonly number[], table: Float32Array): Float32Array {
    const ids = typeof promptOrIds === 'string' ? this.tokenIds(promptOrIds) : promptOrIds;
    const out = new Float32Array(ids.length * EMBEDDING_DIM);
    ids.forEach((id, i) => out.set(table.subarray(id * EMBEDDING_DIM, (id + 1) * EMBEDDING_DIM), i * EMBEDDING_DIM));
    return out;
  }

  /** Σ over the sequence of hidden rows [n·D] → [D]: what the UNet reads as concept weights. */
  sumRows(hidden: Float32Array): Float32Array {
    const out = new Float32Array(EMBEDDING_DIM);
    for (let i = 0; i < hidden.length; i++) out[i % EMBEDDING_DIM] = f(out[i % EMBEDDING_DIM] + hidden[i]);
    return out;
  }

  /** Concept weights [D] = Σ over the sequence of last_hidden_state (= pooler_output; the UNet recomputes it). */
  conceptWeights(promptOrIds: string | readonly number[]): Float32Array {
    const hidden = this.lastHiddenState(promptOrIds);
    const out = new Float32Array(EMBEDDING_DIM);
    for (let i = 0; i < hidden.length; i++) out[i % EMBEDDING_DIM] = f(out[i % EMBEDDING_DIM] + hidden[i]);
    return out;
  }

  private weightsOf(condition: string | Float32Array): Float32Array {
    return typeof condition === 'string' ? this.conceptWeights(condition) : condition;
  }

  /** Shape colour [4] (UNet space): Σ w_c·L_c / max(Σ w_c, 1) + default·relu(1 − Σ w_c). */
  colourLatent(weights: Float32Array): Float32Array {
    const [c0, c1] = COLOUR_RANGE;
    let sum = 0;
    for (let i = c0; i < c1; i++) sum = f(sum + weights[i]);
    const out = new Float32Array(LATENT_CHANNELS);
    for (let k = 0; k < LATENT_CHANNELS; k++) {
      let num = 0;
      for (let i = c0; i < c1; i++) num = f(num + f(weights[i] * this.tables.colourLatents[(i - c0) * LATENT_CHANNELS + k]));
      out[k] = f(f(num / Math.max(sum, 1)) + f(this.tables.defaultLatent[k] * Math.max(f(1 - sum), 0)));
    }
    return out;
  }

  /** Shape mask [h·w] in [0, 1]; 1 everywhere when the prompt names no shape. */
  shapeMask(weights: Float32Array, height: number, width: number): Float32Array {
    const [s0, s1] = SHAPE_RANGE;
    const [p0] = POSITION_RANGE;
    let cx = 0;
    let cy = 0;
    positionConcepts.forEach((_, j) => {
      cx = f(cx + f(weights[p0 + j] * this.tables.positionOffsets[2 * j]));
      cy = f(cy + f(weights[p0 + j] * this.tables.positionOffsets[2 * j + 1]));
    });
    let sumS = 0;
    for (let i = s0; i < s1; i++) sumS = f(sumS + weights[i]);
    const minSide = Math.min(height, width);
    const out = new Float32Array(height * width);
    for (let y = 0; y < height; y++) {
      const dv = f(f(f(f(y + 0.5) - f(height * 0.5)) / minSide) - cy);
      for (let x = 0; x < width; x++) {
        const du = f(f(f(f(x + 0.5) - f(width * 0.5)) / minSide) - cx);
        let num = 0;
        shapeConcepts.forEach((shape, j) => {
          const { distance, threshold } = shapeDistance(shape, du, dv);
          num = f(num + f(weights[s0 + j] * sigmoid(f(f(threshold - distance) * EDGE_SHARPNESS))));
        });
        out[y * width + x] = f(f(num / Math.max(sumS, 1)) + Math.max(f(1 - sumS), 0));
      }
    }
    return out;
  }

  /** x0*(prompt) [4·h·w] in UNet space: bg + mask·(colour − bg). */
  targetLatent(condition: string | Float32Array, height: number, width: number): Float32Array {
    const weights = this.weightsOf(condition);
    const colour = this.colourLatent(weights);
    const mask = this.shapeMask(weights, height, width);
    const bg = this.tables.backgroundLatent;
    const plane = height * width;
    const out = new Float32Array(LATENT_CHANNELS * plane);
    for (let k = 0; k < LATENT_CHANNELS; k++) {
      const delta = f(colour[k] - bg[k]);
      for (let i = 0; i < plane; i++) out[k * plane + i] = f(bg[k] + f(mask[i] * delta));
    }
    return out;
  }

  /** 9-channel UNet target: m·x0 + (1 − m)·maskedLatents, mask [h·w], latents [4·h·w]. */
  inpaintTarget(x0: Float32Array, mask: Float32Array, maskedLatents: Float32Array, height: number, width: number): Float32Array {
    const plane = height * width;
    const out = new Float32Array(LATENT_CHANNELS * plane);
    for (let k = 0; k < LATENT_CHANNELS; k++) {
      for (let i = 0; i < plane; i++) {
        const m = mask[i];
        out[k * plane + i] = f(f(m * x0[k * plane + i]) + f(f(1 - m) * maskedLatents[k * plane + i]));
      }
    }
    return out;
  }

  /** CFG limit: x0_u + g·(x0_c − x0_u). */
  guidedTarget(uncond: string | Float32Array, cond: string | Float32Array, guidance: number, height: number, width: number): Float32Array {
    const u = this.targetLatent(uncond, height, width);
    const c = this.targetLatent(cond, height, width);
    return u.map((x, i) => x + guidance * (c[i] - x));
  }

  sigmaAt(timestep: number): number {
    return sigmaAt(timestep);
  }

  alphaCumprodAt(timestep: number): number {
    return alphaCumprodAt(timestep);
  }

  /** UNet output for input latents (channels 0–3 of `sample`) and a target x0, both [4·h·w]. */
  unetOutput(latents: Float32Array, x0: Float32Array, timestep: number): Float32Array {
    const sigma = sigmaAt(timestep);
    const root = f(Math.sqrt(f(f(sigma * sigma) + 1)));
    const sqrtAlpha = f(1 / root);
    const sqrtOneMinusAlpha = f(sigma / root);
    const v = this.options.predictionType === 'v_prediction';
    return latents.map((x, i) => {
      const eps = f(f(x - f(sqrtAlpha * x0[i])) / sqrtOneMinusAlpha);
      return v ? f(f(sqrtAlpha * eps) - f(sqrtOneMinusAlpha * x0[i])) : eps;
    });
  }

  /**
   * The whole UNet on a batch: `sample` [B, C, h, w] (C = options.unetInChannels), one condition per batch item
   * (prompt or concept weights), the timestep's element 0. Returns out_sample [B, 4, h, w].
   */
  unetBatch(sample: Float32Array, conditions: readonly (string | Float32Array)[], timestep: number, height: number, width: number): Float32Array {
    const channels = this.options.unetInChannels;
    const plane = height * width;
    const out = new Float32Array(conditions.length * LATENT_CHANNELS * plane);
    conditions.forEach((condition, b) => {
      const item = sample.subarray(b * channels * plane, (b + 1) * channels * plane);
      const latents = item.subarray(0, LATENT_CHANNELS * plane);
      let x0 = this.targetLatent(condition, height, width);
      if (channels === 9) {
        const mask = item.subarray(LATENT_CHANNELS * plane, (LATENT_CHANNELS + 1) * plane);
        x0 = this.inpaintTarget(x0, mask, item.subarray((LATENT_CHANNELS + 1) * plane), height, width);
      }
      out.set(this.unetOutput(latents, x0, timestep), b * LATENT_CHANNELS * plane);
    });
    return out;
  }

  /** The VAE decoder component: VAE-space latents [4·h·w] → RGB [3·8h·8w]. */
  decodeVaeLatent(latents: Float32Array, height: number, width: number): Float32Array {
    const plane = height * width;
    const outW = width * VAE_SCALE;
    const out = new Float32Array(RGB_CHANNELS * plane * VAE_SCALE * VAE_SCALE);
    for (let c = 0; c < RGB_CHANNELS; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          let value = 0;
          for (let k = 0; k < LATENT_CHANNELS; k++) value = f(value + f(decoderWeight[c * LATENT_CHANNELS + k] * latents[k * plane + y * width + x]));
          value = f(value + decoderBias[c]);
          for (let dy = 0; dy < VAE_SCALE; dy++) {
            const row = (c * height * VAE_SCALE + y * VAE_SCALE + dy) * outW + x * VAE_SCALE;
            out.fill(value, row, row + VAE_SCALE);
          }
        }
      }
    }
    return out;
  }

  /** UNet-space latents → RGB [3·8h·8w] in [-1, 1]: decoder(latents / scaling_factor) (also the TAESD output). */
  decodeLatent(latents: Float32Array, height: number, width: number): Float32Array {
    return this.decodeVaeLatent(latents.map((x) => f(x / this.scalingFactor)), height, width);
  }

  /** txt2img's exact answer for `prompt` at H×W pixels. */
  expectedImage(prompt: string | Float32Array, imageHeight: number, imageWidth: number): Float32Array {
    const h = imageHeight / VAE_SCALE;
    const w = imageWidth / VAE_SCALE;
    return this.decodeLatent(this.targetLatent(prompt, h, w), h, w);
  }

  /** VAE encoder mean: RGB [3·H·W] in [-1, 1] → VAE-space latents [4·(H/8)·(W/8)] (8×8 average, then W⁺(p − b)). */
  encodeImage(rgb: Float32Array, imageHeight: number, imageWidth: number): Float32Array {
    const h = Math.floor(imageHeight / VAE_SCALE);
    const w = Math.floor(imageWidth / VAE_SCALE);
    const plane = h * w;
    const pooled = new Float32Array(RGB_CHANNELS * plane);
    for (let c = 0; c < RGB_CHANNELS; c++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let sum = 0;
          for (let dy = 0; dy < VAE_SCALE; dy++) {
            for (let dx = 0; dx < VAE_SCALE; dx++) sum = f(sum + rgb[(c * imageHeight + y * VAE_SCALE + dy) * imageWidth + x * VAE_SCALE + dx]);
          }
          pooled[c * plane + y * w + x] = f(sum / (VAE_SCALE * VAE_SCALE));
        }
      }
    }
    const out = new Float32Array(LATENT_CHANNELS * plane);
    for (let k = 0; k < LATENT_CHANNELS; k++) {
      for (let i = 0; i < plane; i++) {
        let value = 0;
        for (let c = 0; c < RGB_CHANNELS; c++) value = f(value + f(encoderWeight[k * RGB_CHANNELS + c] * pooled[c * plane + i]));
        out[k * plane + i] = f(value + encoderBias[k]);
      }
    }
    return out;
  }

  /** latent_rgb_factors [4][3] for UNet-space latents: M[k][c] = W[c][k] / scaling_factor (vae_decoder/config.json). */
  latentRgbFactors(): number[][] {
    return Array.from({ length: LATENT_CHANNELS }, (_, k) => Array.from({ length: RGB_CHANNELS }, (_, c) => W_ROWS[c][k] / this.scalingFactor));
  }

  /** latent_rgb_bias [3] = b. */
  latentRgbBias(): number[] {
    return [...BIAS];
  }

  /** Latent → RGB preview [3·h·w] with latentRgbFactors/latentRgbBias (exact for this linear VAE). */
  previewRgb(latents: Float32Array, height: number, width: number): Float32Array {
    const plane = height * width;
    const factors = this.latentRgbFactors();
    const bias = this.latentRgbBias();
    const out = new Float32Array(RGB_CHANNELS * plane);
    for (let c = 0; c < RGB_CHANNELS; c++) {
      for (let i = 0; i < plane; i++) {
        let value = bias[c];
        for (let k = 0; k < LATENT_CHANNELS; k++) value += latents[k * plane + i] * factors[k][c];
        out[c * plane + i] = value;
      }
    }
    return out;
  }
}
