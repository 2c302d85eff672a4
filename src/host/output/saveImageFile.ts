// Writes an image under a name that is not taken yet (`name.png`, `name-2.png`, …), never overwriting a file,
// atomically (a temp file, then a no-overwrite link or rename). No vscode import: the node writer is used for
// file: folders; workspaceFileWriter.ts adapts vscode.workspace.fs for other schemes (remote, virtual).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { numberedFileName } from './fileNaming';
import { OutputWriteError } from '../../node/output/outputWriteError';

export interface ExclusiveFileWriter {
  /** Writes `bytes` as `name` in the writer's folder unless that name exists; false when it exists. */
  writeIfAbsent(name: string, bytes: Uint8Array): Promise<boolean>;
}

/** Attempts before giving up (a folder holding 10 000 files named like this one is not a normal case). */
export const MAX_NAME_ATTEMPTS = 10_000;

/** Saves under the first free name derived from `fileName`; returns the name used. */
export async function saveImageFile(writer: ExclusiveFileWriter, fileName: string, bytes: Uint8Array): Promise<string> {
  for (let n = 1; n <= MAX_NAME_ATTEMPTS; n++) {
    const candidate = numberedFileName(fileName, n);
    if (await writer.writeIfAbsent(candidate, bytes)) return candidate;
  }
  throw new Error(`Could not find a free file name for ${fileName} after ${MAX_NAME_ATTEMPTS} attempts.`);
}

/** Error codes of file systems without hard links (FAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/** A writer for a local folder: temp file + `link()`, which fails with EEXIST instead of replacing a file. */
export function nodeFileWriter(folder: string): ExclusiveFileWriter {
  return {
    async writeIfAbsent(name, bytes) {
      if (name !== path.basename(name) || name === '.' || name === '..') throw new Error(`Not a plain file name: ${name}`);
      const target = path.join(folder, name);
      const temp = path.join(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await fs.mkdir(folder, { recursive: true });
        await fs.writeFile(temp, bytes, { flag: 'wx' });
      } catch (error) {
        // Say which output could not be written and why, not the temporary name.
        throw new OutputWriteError(target, error);
      }
      try {
        await fs.link(temp, target);
        return true;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EEXIST') return false;
        if (!code || !NO_HARD_LINKS.has(code)) throw new OutputWriteError(target, error);
        try {
          await fs.copyFile(temp, target, fs.constants.COPYFILE_EXCL);
          return true;
        } catch (copyError) {
          if (errorCode(copyError) === 'EEXIST') return false;
          throw new OutputWriteError(target, copyError);
        }
      } finally {
        await fs.rm(temp, { force: true });
      }
    },
  };
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
