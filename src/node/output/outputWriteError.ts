// The error writeFilesAtomically throws: it names the output the user asked for (never the temporary file
// it was writing through) and says why in words, keeping the system's code (EACCES, EEXIST, …) for callers.
import * as path from 'node:path';

const REASONS: Record<string, (folder: string) => string> = {
  EACCES: (folder) => `no permission to write in ${folder}`,
  EPERM: (folder) => `no permission to write in ${folder}`,
  EROFS: (folder) => `${folder} is on a read-only disk`,
  ENOSPC: () => 'the disk is full',
  EDQUOT: () => 'the disk quota is used up',
  EEXIST: () => 'a file with that name already exists',
  ENOTDIR: (folder) => `part of the folder path ${folder} is a file, not a folder`,
  EISDIR: () => 'a folder with that name already exists',
  ENAMETOOLONG: () => 'the file name is too long',
  ENOENT: (folder) => `the folder ${folder} does not exist and could not be created`,
};

export class OutputWriteError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly target: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const reason = code !== undefined && REASONS[code] ? REASONS[code](path.dirname(target)) : describeOther(cause);
    super(`Could not write ${target}: ${reason}.`, { cause });
    this.name = 'OutputWriteError';
    this.code = code;
  }
}

function describeOther(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  // Drop the system's quoted path (the temporary name) and keep its words.
  return text.replace(/,?\s*\w+\s+'[^']*'/g, '').trim() || 'unknown error';
}
