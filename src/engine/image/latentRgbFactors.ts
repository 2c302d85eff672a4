// Linear latent → RGB approximations for step previews (ComfyUI comfy/latent_formats.py, see each entry). They act on UNet-space (scaled)
// latents: rgb = Σ_c latent_c · factors[c] + bias, roughly in [−1, 1].

export interface LatentRgbFactors {
  /** [latentChannel][r, g, b] */
  factors: number[][];
  bias?: [number, number, number];
  /** Where the numbers come from. */
  source: string;
}

export const LATENT_RGB_FACTORS: { sd1: LatentRgbFactors; sdxl: LatentRgbFactors } = {
  // ComfyUI comfy/latent_formats.py SD15.latent_rgb_factors (also used for SD2).
  sd1: {
    factors: [
      [0.3512, 0.2297, 0.3227],
      [0.325, 0.4974, 0.235],
      [-0.2829, 0.1762, 0.2721],
      [-0.212, -0.2616, -0.7177],
    ],
    source: 'ComfyUI comfy/latent_formats.py SD15.latent_rgb_factors',
  },
  // ComfyUI comfy/latent_formats.py SDXL.latent_rgb_factors / latent_rgb_factors_bias.
  sdxl: {
    factors: [
      [0.3651, 0.4232, 0.4341],
      [-0.2533, -0.0042, 0.1068],
      [0.1076, 0.1111, -0.0362],
      [-0.3165, -0.2492, -0.2188],
    ],
    bias: [0.1084, -0.0175, -0.0011],
    source: 'ComfyUI comfy/latent_formats.py SDXL.latent_rgb_factors (+ latent_rgb_factors_bias)',
  },
};
