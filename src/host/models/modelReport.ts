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
    summary: `${info.family} model "${info.name}", ${info.nativeWidth}×${info.nativeHeight}, ${kind}`,
    lines,
  };
}

export { formatBytes } from '../../node/modelStore/formatBytes';
