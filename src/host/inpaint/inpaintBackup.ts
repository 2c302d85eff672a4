// Hot-exit backup of an inpaint document: the EDITABLE state, not a flattened render (drawio's lesson):
// the base image bytes, the base mask (run-length coded), and the pending edits — mask edits as vector
// MaskOps, generation edits as the chosen PNG bytes. No pixel history per stroke, so it stays small.
//
// Layout (little-endian):
//   8 bytes  magic "LDINPBAK"
//   u32      format version
//   u32      header length H
//   H bytes  header JSON (UTF-8): sizes, edits, and {offset, length} references into the blob area
//   …        blob area: image bytes, mask RLE, generation PNGs
// Pure: no vscode import; round-trip tested.

import { isMaskOp } from '../../common/protocol/inpaintEditorProtocol';
import { isSeedText } from '../../common/seed';
import type { InpaintEdit, InpaintState } from './inpaintEditModel';
import { decodeMaskRle, encodeMaskRle } from '../../common/mask/maskRle';

export const INPAINT_BACKUP_VERSION = 1;
const MAGIC = 'LDINPBAK';
const PREFIX_LENGTH = MAGIC.length + 8;

export interface InpaintBackup {
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
  | { kind: 'generation'; png: BlobRef; seed: string; parameters: string };

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
    edits: backup.edits.map((edit): HeaderEdit =>
      edit.kind === 'mask'
        ? { kind: 'mask', op: edit.op }
        : { kind: 'generation', png: addBlob(edit.png), seed: edit.seed, parameters: edit.parameters },
    ),
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
  if (version !== INPAINT_BACKUP_VERSION) throw new InpaintBackupError(`version ${version} is not supported.`);
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
  const edits = h.edits.map((e: unknown, i): InpaintEdit => {
    const edit = e as Partial<HeaderEdit> | null;
    if (edit?.kind === 'mask') {
      if (!isMaskOp(edit.op)) throw new InpaintBackupError(`edit ${i} is not a valid mask operation.`);
      return { kind: 'mask', op: edit.op };
    }
    if (edit?.kind === 'generation') {
      // Seeds are decimal strings; backups written before that hold numbers.
      const seed: unknown = edit.seed;
      if (!(isSeedText(seed) || (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0)) || typeof edit.parameters !== 'string') {
        throw new InpaintBackupError(`edit ${i} is not a valid generation.`);
      }
      return { kind: 'generation', png: blob(edit.png, `PNG of edit ${i}`), seed: String(seed), parameters: edit.parameters };
    }
    throw new InpaintBackupError(`edit ${i} has an unknown kind.`);
  });
  return { width: width!, height: height!, base: { image: blob(h.image, 'image'), mask }, edits };
}
