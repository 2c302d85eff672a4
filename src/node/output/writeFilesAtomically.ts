// All-or-nothing output: every file is written to a temporary name in its target folder, then renamed
// into place. If anything fails, the temporaries and any file already renamed by this call are removed,
// so a failed or cancelled job leaves no file behind. A failure is an OutputWriteError naming the output
// that could not be written and why (not the temporary name).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { OutputWriteError } from './outputWriteError';

export interface OutputFile {
  path: string;
  bytes: Uint8Array;
}

export interface WriteOptions {
  /** false: fail (EEXIST) instead of replacing an existing file. */
  overwrite: boolean;
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFilesAtomically(files: readonly OutputFile[], options: WriteOptions): Promise<void> {
  const temps: string[] = [];
  const placed: string[] = [];
  let current = files[0]?.path ?? '';
  try {
    for (const file of files) {
      current = file.path;
      await fs.mkdir(path.dirname(file.path), { recursive: true });
      const temp = tempName(file.path);
      temps.push(temp);
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(file.bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (let i = 0; i < files.length; i++) {
      current = files[i].path;
      if (options.overwrite) {
        await fs.rename(temps[i], files[i].path);
      } else {
        // link() fails with EEXIST instead of replacing: no check-then-write race.
        await fs.link(temps[i], files[i].path);
        await fs.unlink(temps[i]);
      }
      placed.push(files[i].path);
    }
  } catch (error) {
    await Promise.all([...temps, ...placed].map((f) => fs.rm(f, { force: true })));
    throw error instanceof OutputWriteError ? error : new OutputWriteError(current, error);
  }
}
