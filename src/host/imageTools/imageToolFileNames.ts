// Output names of the image tools, next to the input and never overwriting (the no-overwrite writer adds -2, -3, …
// when a name is taken: src/host/output/saveImageFile.ts, fileNaming.ts numberedFileName). Pure: unit-tested.
import type { ImageToolFormat } from '../../common/protocol/imageToolMessages';

const EXTENSIONS: Readonly<Record<ImageToolFormat, string>> = { png: 'png', webp: 'webp', jpeg: 'jpg' };

/** The input's base name without its extension ("photo.final.PNG" → "photo.final"). */
function stem(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/** The format an input keeps: PNG, WebP and JPEG stay what they are; anything else (GIF, TIFF, …) becomes PNG. */
export function formatForInput(fileName: string): ImageToolFormat {
  const ext = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'webp') return 'webp';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  return 'png';
}

/** A cut-out needs transparency: WebP stays WebP, everything else becomes PNG. */
export function cutoutFormatForInput(fileName: string): 'png' | 'webp' {
  return formatForInput(fileName) === 'webp' ? 'webp' : 'png';
}

/** "fox.png", ×4 → "fox-x4.png"; a fractional scale keeps its digits ("fox-x1.5.png"). */
export function upscaledFileName(fileName: string, scale: number, format: ImageToolFormat): string {
  return `${stem(fileName)}-x${Number(scale.toFixed(2))}.${EXTENSIONS[format]}`;
}

/** "fox.jpg" → "fox-nobg.png". */
export function cutoutFileName(fileName: string, format: 'png' | 'webp'): string {
  return `${stem(fileName)}-nobg.${EXTENSIONS[format]}`;
}

/** Whether the Explorer menus take this file (package.json's resourceExtname when-clauses list the same). */
export const IMAGE_TOOL_INPUT_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;
