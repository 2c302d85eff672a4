// A readable report of what the engine found in a model folder (Select Model shows it when a folder is unusable).
import { formatBytes } from '../../node/modelStore/formatBytes';
import type { ModelInfo } from '../../common/protocol/engineProtocol';

export interface ModelCheck {
  usable: boolean;
  /** One line: "sd1 model, 512×512, inpainting UNet". */
  summary: string;
  /** One line per component and warning. */
  lines: string[];
}

export function checkModel(info: ModelInfo): ModelCheck {
  const missing = info.components.filter((c) => c.required && !c.present);
  const lines = info.components.map((c) => {
    const mark = c.present ? '✓' : c.required ? '✗' : '–';
    const where = c.file ? ` ${c.file}` : '';
    const size = c.bytes !== undefined ? ` (${formatBytes(c.bytes)})` : '';
    const note = c.present ? '' : c.required ? ' — missing (required)' : ' — not present (optional)';
    return `${mark} ${c.name}${where}${size}${note}`;
  });
  for (const warning of info.warnings) lines.push(`⚠ ${warning}`);
  const kind = info.unet.inpainting ? 'inpainting UNet' : 'text-to-image UNet';
  return {
    usable: missing.length === 0,
    summary: `"${info.name}" (${familyLabel(info)}, ${info.nativeWidth}×${info.nativeHeight}, ${kind}${sizeLabel(info)})`,
    lines,
  };
}

/** The detected family in words; a family we do not name is described by what was detected, never as "unknown". */
export function familyLabel(info: Pick<ModelInfo, 'family' | 'textEncoder'>): string {
  switch (info.family) {
    case 'sd1':
      return 'Stable Diffusion 1.x family';
    case 'sd2':
      return 'Stable Diffusion 2.x family';
    case 'sdxl':
      return 'SDXL family';
    case 'sdxl-refiner':
      return 'SDXL refiner';
    default: {
      const width = info.textEncoder?.hiddenSize;
      return typeof width === 'number' ? `Stable Diffusion layout, ${width}-wide text embeddings` : 'Stable Diffusion layout';
    }
  }
}

function sizeLabel(info: Pick<ModelInfo, 'components'>): string {
  const bytes = info.components.reduce((sum, c) => sum + (c.present && c.bytes !== undefined ? c.bytes : 0), 0);
  return bytes > 0 ? `, ${formatBytes(bytes)}` : '';
}

export { formatBytes } from '../../node/modelStore/formatBytes';
