// A1111 "Clip skip: N" (CLIP_stop_at_last_layers; stable-diffusion-webui `modules/sd_hijack_clip.py`
// FrozenCLIPEmbedderWithCustomWords.encode_with_transformers): N = 1 is last_hidden_state; N ≥ 2 is
// final_layer_norm(hidden_states[-N]). SDXL's embedders (FrozenCLIPEmbedderForSDXLWithCustomWords) take
// hidden_states[layer_idx] (the penultimate layer, no final norm) whatever the setting, unless sdxl_clip_l_skip is on;
// SD 2.x's OpenCLIP embedder ignores the setting (`modules/sd_hijack_open_clip.py` encode_with_transformers).
// An ONNX text encoder exposes the layers only when it was exported with output_hidden_states: optimum names them
// `hidden_states.0` (the embeddings) … `hidden_states.L` (the last layer, before final_layer_norm)
// (huggingface/optimum `optimum/exporters/onnx/model_configs.py` CLIPTextOnnxConfig.outputs).

export type ClipSkipSelection =
  | {
      available: true;
      /** The graph output to read. */
      outputName: string;
      /** Whether A1111 applies the text model's final_layer_norm to it (SD 1.x with N ≥ 2). */
      finalLayerNorm: boolean;
      /**
       * Outputs to fetch with it: for the final norm, the last layer before and after it (`hidden_states.L`,
       * `last_hidden_state`), from which fitFinalLayerNorm recovers the norm's scale and bias.
       */
      alsoFetch: string[];
    }
  | { available: false; reason: string };

const HIDDEN_STATE_OUTPUT = /^hidden_states\.(\d+)$/;
const LAST_HIDDEN_STATE = 'last_hidden_state';
const USUAL_OUTPUTS = [LAST_HIDDEN_STATE, 'text_embeddings'];

/**
 * Which text-encoder output gives hidden_states[-clipSkip] for an encoder with these output names, or why none does.
 * `finalLayerNorm: true` is A1111's SD 1.x rule (1 = last_hidden_state, N ≥ 2 = final_layer_norm(hidden_states[-N]));
 * `false` is SDXL's (hidden_states[-N] as it is; A1111's SDXL default is the penultimate layer, N = 2).
 */
export function clipSkipOutput(outputNames: readonly string[], clipSkip: number, options: { finalLayerNorm: boolean }): ClipSkipSelection {
  if (!Number.isInteger(clipSkip) || clipSkip < 1) return { available: false, reason: `Clip skip must be a whole number ≥ 1, got ${clipSkip}.` };
  const layers = new Map<number, string>();
  for (const name of outputNames) {
    const m = HIDDEN_STATE_OUTPUT.exec(name);
    if (m) layers.set(Number(m[1]), name);
  }
  if (clipSkip === 1 && options.finalLayerNorm) {
    // The encoder's usual output (TextEncoder reads last_hidden_state, or text_embeddings in ORT demo exports).
    const usual = USUAL_OUTPUTS.find((name) => outputNames.includes(name));
    if (usual !== undefined) return { available: true, outputName: usual, finalLayerNorm: false, alsoFetch: [] };
  }
  if (layers.size === 0) {
    return {
      available: false,
      reason: `Clip skip ${clipSkip} is unavailable for this model: its text encoder outputs only ${outputNames.join(', ')} (no hidden_states.N; export it with output_hidden_states).`,
    };
  }
  const lastLayer = Math.max(...layers.keys());
  // hidden_states has lastLayer + 1 entries, so hidden_states[-N] is entry lastLayer + 1 − N.
  const index = lastLayer + 1 - clipSkip;
  const outputName = layers.get(index);
  if (index < 0 || outputName === undefined) {
    return { available: false, reason: `Clip skip ${clipSkip} is unavailable for this model: its text encoder has no hidden_states.${index} output.` };
  }
  if (!options.finalLayerNorm) return { available: true, outputName, finalLayerNorm: false, alsoFetch: [] };
  if (!outputNames.includes(LAST_HIDDEN_STATE)) {
    return { available: false, reason: `Clip skip ${clipSkip} is unavailable for this model: its text encoder has no last_hidden_state to recover the final layer norm from.` };
  }
  return { available: true, outputName, finalLayerNorm: true, alsoFetch: [layers.get(lastLayer)!, LAST_HIDDEN_STATE] };
}

/** A LayerNorm's per-feature scale and bias (torch.nn.LayerNorm weight and bias) and its epsilon. */
export interface LayerNormParams {
  weight: Float32Array;
  bias: Float32Array;
  eps: number;
}

/**
 * A fitted norm. A feature whose normalised value is the same at every token of the run (`constant`: feature →
 * that value) has a known output only at that value: its weight is not determined, and applying the fit to rows
 * that differ there is refused (clipSkipHidden returns undefined). Real CLIP hidden states never hold a feature
 * constant over 77 tokens; the analytic test encoder's one-hot rows do.
 */
export interface FittedLayerNorm extends LayerNormParams {
  constant: ReadonlyMap<number, number>;
}

/**
 * The final layer norm's weight and bias, recovered from one encoder run: last_hidden_state = LN(hidden_states.L),
 * so per feature c, post[t, c] = weight[c]·n[t, c] + bias[c] with n the normalised pre-norm rows — a straight line
 * through every token's point, fitted by least squares. `eps` is the text encoder's config layer_norm_eps. Returns
 * undefined when the points do not lie on lines (the outputs are not related by a LayerNorm), so callers can say
 * clip skip is unavailable instead of guessing.
 */
export function fitFinalLayerNorm(preNorm: Float32Array, postNorm: Float32Array, hiddenSize: number, eps: number): FittedLayerNorm | undefined {
  if (preNorm.length !== postNorm.length || preNorm.length % hiddenSize !== 0) throw new Error('Layer norm fit: the two outputs differ in shape.');
  const rows = preNorm.length / hiddenSize;
  const n = normalizeRows(preNorm, hiddenSize, eps);
  const weight = new Float32Array(hiddenSize);
  const bias = new Float32Array(hiddenSize);
  const constant = new Map<number, number>();
  let maxPost = 0;
  for (const v of postNorm) maxPost = Math.max(maxPost, Math.abs(v));
  for (let c = 0; c < hiddenSize; c++) {
    let sx = 0, sy = 0;
    for (let t = 0; t < rows; t++) {
      sx += n[t * hiddenSize + c];
      sy += postNorm[t * hiddenSize + c];
    }
    const mx = sx / rows, my = sy / rows;
    let sxx = 0, sxy = 0;
    for (let t = 0; t < rows; t++) {
      const dx = n[t * hiddenSize + c] - mx;
      sxx += dx * dx;
      sxy += dx * (postNorm[t * hiddenSize + c] - my);
    }
    if (!(sxx > 1e-12)) {
      // The feature is constant over the tokens: its scale is not determined, only its output at that value.
      constant.set(c, mx);
      weight[c] = 1;
      bias[c] = my - mx;
      continue;
    }
    weight[c] = sxy / sxx;
    bias[c] = my - weight[c] * mx;
  }
  const params = { weight, bias, eps, constant };
  const refit = applyLayerNorm(preNorm, hiddenSize, params);
  // Float32 encoders reproduce their own norm to ~1e-6 relative; 1e-3 separates that from outputs a norm does not relate.
  const tolerance = 1e-3 * Math.max(1, maxPost);
  for (let i = 0; i < refit.length; i++) if (Math.abs(refit[i] - postNorm[i]) > tolerance) return undefined;
  return params;
}

/** torch.nn.LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · weight + bias, per row of hiddenSize. */
export function applyLayerNorm(x: Float32Array, hiddenSize: number, params: LayerNormParams): Float32Array {
  const n = normalizeRows(x, hiddenSize, params.eps);
  for (let i = 0; i < n.length; i++) n[i] = n[i] * params.weight[i % hiddenSize] + params.bias[i % hiddenSize];
  return n;
}

function normalizeRows(x: Float32Array, hiddenSize: number, eps: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let start = 0; start < x.length; start += hiddenSize) {
    let sum = 0;
    for (let c = 0; c < hiddenSize; c++) sum += x[start + c];
    const mean = sum / hiddenSize;
    let sq = 0;
    for (let c = 0; c < hiddenSize; c++) sq += (x[start + c] - mean) ** 2;
    const inv = 1 / Math.sqrt(sq / hiddenSize + eps);
    for (let c = 0; c < hiddenSize; c++) out[start + c] = (x[start + c] - mean) * inv;
  }
  return out;
}

/**
 * The clip-skipped hidden states of one encoder run, from the outputs `selection` names (all rows of the run at
 * once: every token of every row is a point for the norm's fit). Undefined when the final norm cannot be recovered.
 */
export function clipSkipHidden(
  selection: Extract<ClipSkipSelection, { available: true }>,
  outputs: Readonly<Record<string, Float32Array>>,
  hiddenSize: number,
  layerNormEps: number,
): Float32Array | undefined {
  const read = (name: string): Float32Array => {
    const value = outputs[name];
    if (value === undefined) throw new Error(`Clip skip: the text encoder run did not return ${name}.`);
    return value;
  };
  const skipped = read(selection.outputName);
  if (!selection.finalLayerNorm) return skipped;
  const [lastLayer, lastHidden] = selection.alsoFetch;
  const norm = fitFinalLayerNorm(read(lastLayer), read(lastHidden), hiddenSize, layerNormEps);
  if (norm === undefined) return undefined;
  if (norm.constant.size > 0) {
    // A feature the fit could not scale: usable only where the skipped layer holds it at the fitted value too.
    const n = normalizeRows(skipped, hiddenSize, layerNormEps);
    for (const [c, value] of norm.constant) {
      for (let i = c; i < n.length; i += hiddenSize) if (Math.abs(n[i] - value) > CONSTANT_TOLERANCE * Math.max(1, Math.abs(value))) return undefined;
    }
  }
  return applyLayerNorm(skipped, hiddenSize, norm);
}

/** How close (relative) a normalised value must be to a constant feature's fitted one (float32 rounding). */
const CONSTANT_TOLERANCE = 1e-5;
