// What a downloadable model is for, so each picker offers only what fits: a diffusers ONNX pipeline for
// generation, a super-resolution network (Real-ESRGAN family) for Upscale Image… and the hires fix, a
// background-segmentation network (RMBG-1.4, rembg's u2net / isnet) for Remove Background. The catalog says it per
// entry; the install manifest records it; entries and manifests without one are diffusion models (older files).

export const MODEL_KINDS = ['diffusion', 'upscaler', 'background'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const DEFAULT_MODEL_KIND: ModelKind = 'diffusion';

export function isModelKind(value: unknown): value is ModelKind {
  return typeof value === 'string' && (MODEL_KINDS as readonly string[]).includes(value);
}

/** For messages and lists: "diffusion model", "upscaler", "background-removal model". */
export const MODEL_KIND_LABELS: Readonly<Record<ModelKind, string>> = {
  diffusion: 'diffusion model',
  upscaler: 'upscaler',
  background: 'background-removal model',
};
