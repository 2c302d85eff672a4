// What a background-segmentation graph cannot tell about itself: how its input is normalised (and the input size
// when its dims are symbolic). One entry per model family, each from that model's own pre-processing code.
// Pixels are first brought to 0..1 by `divideBy` ('255': img / 255; 'max': img / max(img), as rembg does), then
// (x − mean) / std per RGB channel. Every family's output is min-max normalised to 0..1 afterwards.

export interface SegmentationPreset {
  name: string;
  /** Input side when the graph's dims are symbolic. */
  size: number;
  divideBy: '255' | 'max';
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Where these numbers come from. */
  source: string;
  /** Lower-case substrings of the model's file or folder name that select this preset. */
  matches: readonly string[];
}

/** ImageNet statistics, as rembg's u2net sessions pass them. */
const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

export const SEGMENTATION_PRESETS: readonly SegmentationPreset[] = [
  {
    name: 'rmbg',
    size: 1024,
    divideBy: '255',
    mean: [0.5, 0.5, 0.5],
    std: [1, 1, 1],
    source: 'briaai/RMBG-1.4 utilities.py preprocess_image (model_input_size 1024×1024, /255, normalize([0.5]*3, [1.0]*3)) and postprocess_image (bilinear back, min-max)',
    matches: ['rmbg', 'briaai'],
  },
  {
    name: 'isnet',
    size: 1024,
    divideBy: 'max',
    mean: [0.5, 0.5, 0.5],
    std: [1, 1, 1],
    source: 'danielgatis/rembg rembg/sessions/dis_general_use.py (normalize with mean 0.5, std 1.0, 1024×1024) and base.py normalize (img / max)',
    matches: ['isnet'],
  },
  {
    name: 'u2net',
    size: 320,
    divideBy: 'max',
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    source: 'danielgatis/rembg rembg/sessions/u2net.py (normalize with ImageNet mean/std, 320×320; output ort_outs[0][:, 0], min-max) and base.py normalize (img / max)',
    matches: ['u2net', 'silueta'],
  },
];

export const PRESET_NAMES = SEGMENTATION_PRESETS.map((p) => p.name);

export function presetByName(name: string): SegmentationPreset | undefined {
  return SEGMENTATION_PRESETS.find((p) => p.name === name);
}

/** The preset a model's path names (file name, then folder name), if any. */
export function presetForPath(modelPath: string): SegmentationPreset | undefined {
  const parts = modelPath.toLowerCase().split(/[\\/]/).reverse();
  for (const part of parts.slice(0, 2)) {
    const found = SEGMENTATION_PRESETS.find((p) => p.matches.some((m) => part.includes(m)));
    if (found) return found;
  }
  return undefined;
}
