// Free-space preflight before a download (fs.statfs, Node ≥ 18.15): a download that cannot fit fails at once
// with the numbers, instead of hours later with ENOSPC.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { formatBytes } from './formatBytes';
import { ModelStoreError } from './modelStoreError';

/** Kept free beyond the download itself: the manifest, logs, and the rest of the system. */
export const DISK_SPACE_MARGIN_BYTES = 256 * 1024 * 1024;

/** Bytes available to this user on the file system holding `dir` (its nearest existing ancestor). */
export async function freeDiskBytes(dir: string): Promise<number> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const stats = await fs.statfs(current);
      return Number(stats.bavail) * Number(stats.bsize);
    } catch (error) {
      const parent = path.dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      current = parent;
    }
  }
}

/** Throws "diskFull" when `neededBytes` plus the margin do not fit in `freeBytes`. */
export function checkDiskSpace(neededBytes: number, freeBytes: number, dir: string): void {
  if (neededBytes + DISK_SPACE_MARGIN_BYTES > freeBytes) {
    throw new ModelStoreError(
      'diskFull',
      `Not enough disk space in ${dir}: the download needs ${formatBytes(neededBytes)} (plus ${formatBytes(DISK_SPACE_MARGIN_BYTES)} to spare), ${formatBytes(freeBytes)} is free. Free some space or choose another models folder.`,
    );
  }
}

export function diskFullError(dir: string, file: string, cause?: unknown): ModelStoreError {
  return new ModelStoreError(
    'diskFull',
    `The disk is full (ENOSPC) while writing ${file} in ${dir}. Free some space and download again: it resumes where it stopped.`,
    { cause },
  );
}
