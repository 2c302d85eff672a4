// Runtime checks for messages that cross a process or webview boundary: every message is validated
// before use. Pure TypeScript, shared by the panel and editor protocols.
import type { GenerateProgress } from './engineProtocol';

export type Fields = Record<string, unknown>;

export interface Range {
  min: number;
  max: number;
}

export function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function isIntegerIn(value: unknown, range: Range): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= range.min && value <= range.max;
}

export function isNumberIn(value: unknown, range: Range): value is number {
  return isFiniteNumber(value) && value >= range.min && value <= range.max;
}

export function isStringUpTo(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}

/** Image bytes travel as Uint8Array (never base64 strings or number arrays). */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** The engine's progress messages, stage by stage; a preview must hold width × height × 4 bytes. */
export function isGenerateProgress(value: unknown): value is GenerateProgress {
  if (!isRecord(value)) return false;
  switch (value.stage) {
    case 'loading':
      return typeof value.component === 'string' && isFiniteNumber(value.index) && isFiniteNumber(value.total);
    case 'encodingPrompt':
    case 'encodingImage':
      return true;
    case 'denoising': {
      if (!['image', 'images', 'step', 'steps', 'elapsedMs'].every((k) => isFiniteNumber(value[k]))) return false;
      if (value.preview === undefined) return true;
      const p = value.preview;
      return (
        isRecord(p) &&
        isIntegerIn(p.width, { min: 1, max: 8192 }) &&
        isIntegerIn(p.height, { min: 1, max: 8192 }) &&
        isBytes(p.rgba) &&
        p.rgba.length === p.width * p.height * 4
      );
    }
    case 'decoding':
      return isFiniteNumber(value.image) && isFiniteNumber(value.images);
    default:
      return false;
  }
}
