// LCM guidance embedding for UNets with `timestep_cond` (diffusers `pipeline_latent_consistency_text2img.py`
// get_guidance_scale_embedding): w = guidance_scale − 1, scaled by 1000, sinusoidal of size `dim`.
export function guidanceScaleEmbedding(guidanceScale: number, dim: number): Float32Array {
  const w = (guidanceScale - 1) * 1000;
  const half = Math.floor(dim / 2);
  const out = new Float32Array(dim); // odd dim: the last value stays 0 (zero padding)
  const step = Math.log(10000) / (half - 1);
  for (let k = 0; k < half; k++) {
    const angle = w * Math.exp(-k * step);
    out[k] = Math.sin(angle);
    out[half + k] = Math.cos(angle);
  }
  return out;
}
