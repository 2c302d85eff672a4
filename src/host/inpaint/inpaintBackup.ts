// Hot-exit backup of an inpaint document: the EDITABLE state, not a flattened render (drawio's lesson):
// the base image bytes, the base mask (run-length coded), and the pending edits — mask edits as vector
// MaskOps, generation edits as the chosen PNG bytes, expand-canvas edits as their PNG bytes with the sizes before and
// after and the old image's offset. No pixel history per stroke, so it stays small.
//
// Layout (little-endian):
//   8 bytes  magic "LDINPBAK"
//   u32      format version
//   u32      header length H
//   H bytes  header JSON (UTF-8): the base's size, edits, and {offset, length} references into the blob area
//   …        blob area: image bytes, mask RLE, generation PNGs
// Versions: 1 (mask and generation edits, one size) is still read; 2 adds expand edits, after which the document's
// size is the edit's `to` (the header's width and height stay the base's). Pure: no vscode import; round-trip tested.

import { isMaskOp } from '../../common/protocol/inpaintEditorProtocol';
import { isSeedText } from '../../common/seed';
import { expandEditProblem, type ExpandEdit, type ImageSize, type InpaintEdit, type InpaintState } from './inpaintEditModel';
import { decodeMaskRle, encodeMaskRle } from '../../common/mask/maskRle';

export const INPAINT_BACKUP_VERSION = 2;
/** Versions this build reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2];
const MAGIC = 'LDINPBAK';
const PREFIX_LENGTH = MAGIC.length + 8;

export interface InpaintBackup {
  /** The base's size (the edits may expand it). */
  width: number;
  height: number;
  base: InpaintState;
  edits: InpaintEdit[];
}

interface BlobRef {
  offset: number;
  length: number;
}

type HeaderEdit =
  | { kind: 'mask'; op: unknown }
  | { kind: 'generation'; png: BlobRef; seed: string; parameters: string }
  | { kind: 'expand'; png: BlobRef; seed: string; parameters: string; from: ImageSize; to: ImageSize; offset: { x: number; y: number } };

interface Header {
  width: number;
  height: number;
  image: BlobRef;
  mask: BlobRef;
  edits: HeaderEdit[];
}

export class InpaintBackupError extends Error {
  constructor(message: string) {
    super(`Unreadable inpaint backup: ${message}`);
    this.name = 'InpaintBackupError';
  }
}

export function encodeInpaintBackup(backup: InpaintBackup): Uint8Array {
  const { width, height } = backup;
  if (backup.base.mask.length !== width * height) throw new RangeError('Backup mask does not match the image size.');
  const blobs: Uint8Array[] = [];
  let blobLength = 0;
  const addBlob = (bytes: Uint8Array): BlobRef => {
    const ref = { offset: blobLength, length: bytes.length };
    blobs.push(bytes);
    blobLength += bytes.length;
    return ref;
  };
  const header: Header = {
    width,
    height,
    image: addBlob(backup.base.image),
    mask: addBlob(encodeMaskRle(backup.base.mask)),
    edits: backup.edits.map((edit): HeaderEdit => {
      switch (edit.kind) {
        case 'mask':
          return { kind: 'mask', op: edit.op };
        case 'generation':
          return { kind: 'generation', png: addBlob(edit.png), seed: edit.seed, parameters: edit.parameters };
        case 'expand':
          return {
            kind: 'expand',
            png: addBlob(edit.png),
            seed: edit.seed,
            parameters: edit.parameters,
            from: { width: edit.from.width, height: edit.from.height },
            to: { width: edit.to.width, height: edit.to.height },
            offset: { x: edit.offset.x, y: edit.offset.y },
          };
      }
    }),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(PREFIX_LENGTH + headerBytes.length + blobLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(MAGIC.length, INPAINT_BACKUP_VERSION, true);
  view.setUint32(MAGIC.length + 4, headerBytes.length, true);
  out.set(headerBytes, PREFIX_LENGTH);
  let offset = PREFIX_LENGTH + headerBytes.length;
  for (const blob of blobs) {
    out.set(blob, offset);
    offset += blob.length;
  }
  return out;
}

export function decodeInpaintBackup(bytes: Uint8Array): InpaintBackup {
  if (bytes.length < PREFIX_LENGTH) throw new InpaintBackupError('too short.');
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) throw new InpaintBackupError('not a Local Diffusion inpaint backup.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(MAGIC.length, true);
  if (!READABLE_VERSIONS.includes(version)) throw new InpaintBackupError(`version ${version} is not supported.`);
  const headerLength = view.getUint32(MAGIC.length + 4, true);
  if (PREFIX_LENGTH + headerLength > bytes.length) throw new InpaintBackupError('truncated header.');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_LENGTH, PREFIX_LENGTH + headerLength)));
  } catch {
    throw new InpaintBackupError('corrupt header.');
  }
  const blobArea = bytes.subarray(PREFIX_LENGTH + headerLength);
  const blob = (ref: unknown, what: string): Uint8Array => {
    const r = ref as Partial<BlobRef> | null;
    if (
      typeof r !== 'object' ||
      r === null ||
      !Number.isInteger(r.offset) ||
      !Number.isInteger(r.length) ||
      r.offset! < 0 ||
      r.length! < 0 ||
      r.offset! + r.length! > blobArea.length
    ) {
      throw new InpaintBackupError(`bad reference to the ${what}.`);
    }
    // A copy: the caller may keep it long after the backup buffer is gone.
    return blobArea.slice(r.offset!, r.offset! + r.length!);
  };
  if (typeof header !== 'object' || header === null) throw new InpaintBackupError('corrupt header.');
  const h = header as Partial<Header>;
  const { width, height } = h;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1) {
    throw new InpaintBackupError('bad image size.');
  }
  if (!Array.isArray(h.edits)) throw new InpaintBackupError('missing edit list.');
  let mask: Uint8Array;
  try {
    mask = decodeMaskRle(blob(h.mask, 'mask'), width! * height!);
  } catch (e) {
    if (e instanceof InpaintBackupError) throw e;
    throw new InpaintBackupError('corrupt mask.');
  }
  let size: ImageSize = { width: width!, height: height! };
  const edits = h.edits.map((e: unknown, i): InpaintEdit => {
    const edit = e as Partial<HeaderEdit> | null;
    if (edit?.kind === 'expand' && version >= 2) {
      const expand = readExpandEdit(edit, i, blob);
      const problem = expandEditProblem(expand, size);
      if (problem) throw new InpaintBackupError(`edit ${i} cannot expand the canvas: ${problem}.`);
      size = expand.to;
      return expand;
    }
    if (edit?.kind === 'mask') {
      if (!isMaskOp(edit.op)) throw new InpaintBackupError(`edit ${i} is not a valid mask operation.`);
      return { kind: 'mask', op: edit.op };
    }
    if (edit?.kind === 'generation') {
      const { seed, parameters } = readResult(edit, i);
      return { kind: 'generation', png: blob(edit.png, `PNG of edit ${i}`), seed, parameters };
    }
    throw new InpaintBackupError(`edit ${i} has an unknown kind.`);
  });
  return { width: width!, height: height!, base: { image: blob(h.image, 'image'), mask }, edits };
}

type ReadBlob = (ref: unknown, what: string) => Uint8Array;

/** The seed and infotext of a generation or expand edit. */
function readResult(edit: { seed?: unknown; parameters?: unknown }, i: number): { seed: string; parameters: string } {
  // Seeds are decimal strings; backups written before that hold numbers.
  const seed: unknown = edit.seed;
  if (!(isSeedText(seed) || (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0)) || typeof edit.parameters !== 'string') {
    throw new InpaintBackupError(`edit ${i} is not a valid generation.`);
  }
  return { seed: String(seed), parameters: edit.parameters };
}

function readExpandEdit(edit: Partial<Extract<HeaderEdit, { kind: 'expand' }>>, i: number, blob: ReadBlob): ExpandEdit {
  const { seed, parameters } = readResult(edit, i);
  const size = (value: unknown): ImageSize => {
    const s = value as Partial<ImageSize> | null;
    if (typeof s !== 'object' || s === null || !Number.isInteger(s.width) || !Number.isInteger(s.height)) {
      throw new InpaintBackupError(`edit ${i} has a bad size.`);
    }
    return { width: s.width!, height: s.height! };
  };
  const o = edit.offset as Partial<{ x: number; y: number }> | null | undefined;
  if (typeof o !== 'object' || o === null || !Number.isInteger(o.x) || !Number.isInteger(o.y)) throw new InpaintBackupError(`edit ${i} has a bad offset.`);
  return { kind: 'expand', png: blob(edit.png, `PNG of edit ${i}`), seed, parameters, from: size(edit.from), to: size(edit.to), offset: { x: o.x!, y: o.y! } };
}
