// Downloads one file into "<target>.part", resuming what is already there with an HTTP Range request, retrying
// with backoff (the count restarts whenever bytes arrived), hashing as it writes, and renaming the .part to its
// final name only when size and hash match the Hub's listing. A crash or a cancel leaves the .part, which the
// next run resumes (its bytes are re-hashed first). A file that fails its hash is deleted and fetched once more
// from zero; a second failure is an "integrity" error.
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { diskFullError } from './diskSpace';
import { FileDigest, hashFilePrefix, type ExpectedContent } from './fileDigest';
import { header, toNetworkError, type HttpRequestFn, type HttpRequestOptions, type HttpResponse } from './httpRequest';
import { PART_SUFFIX } from './installLayout';
import { ModelStoreError } from './modelStoreError';
import { cancelledError, retryDelayMs, sleep as defaultSleep, type RetryPolicy } from './retrySchedule';

/** Writes one chunk at the end of the file. A seam: tests inject ENOSPC here. */
export type WriteChunk = (handle: FileHandle, chunk: Uint8Array) => Promise<void>;

export const defaultWriteChunk: WriteChunk = async (handle, chunk) => {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
};

export interface DownloadFileOptions {
  url: string;
  request: HttpRequestFn;
  /** Headers, credentials, proxy, idle timeout (a Range header is added here when resuming). */
  requestOptions: HttpRequestOptions;
  /** Turns a non-2xx answer into a clear error (the Hub client's mapping). */
  failure: (response: HttpResponse) => Promise<ModelStoreError>;
  /** The final file; bytes go to `${target}.part` until verified. */
  target: string;
  expected: ExpectedContent;
  /** The file's name in messages ("unet/model.onnx"). */
  label: string;
  retry: RetryPolicy;
  signal?: AbortSignal;
  writeChunk?: WriteChunk;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Bytes of this file so far (resumed, re-hashed and downloaded); goes back to 0 on a restart. */
  onFileBytes?: (bytes: number) => void;
  /** Bytes that came over the network (for the speed). */
  onNetworkBytes?: (bytes: number) => void;
  onPhase?: (phase: 'resuming' | 'downloading') => void;
  onRetry?: (attempt: number, delayMs: number, error: ModelStoreError) => void;
}

export interface DownloadFileResult {
  downloadedBytes: number;
  /** Where the download started from (the .part size found). */
  resumedFrom: number;
}

/** "bytes 100-199/200" → 100. */
export function contentRangeStart(value: string | undefined): number | undefined {
  const m = /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/i.exec(value?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fsp.stat(file)).size;
  } catch {
    return 0;
  }
}

function writeFailure(error: unknown, target: string, label: string): ModelStoreError {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return diskFullError(path.dirname(target), label, error);
  return new ModelStoreError('io', `Cannot write ${label} to ${path.dirname(target)}: ${(error as Error).message}.`, { cause: error });
}

export async function downloadFile(o: DownloadFileOptions): Promise<DownloadFileResult> {
  const part = `${o.target}${PART_SUFFIX}`;
  const write = o.writeChunk ?? defaultWriteChunk;
  const wait = o.sleep ?? defaultSleep;
  const size = o.expected.size;
  let downloaded = 0;
  let restartedAfterBadHash = false;
  await fsp.mkdir(path.dirname(o.target), { recursive: true });

  for (;;) {
    let offset = await sizeOf(part);
    if (offset > size) {
      await fsp.rm(part, { force: true });
      offset = 0;
    }
    const resumedFrom = offset;
    let digest = new FileDigest(o.expected);
    if (offset > 0) {
      o.onPhase?.('resuming');
      try {
        await hashFilePrefix(part, offset, digest, o.signal, () => o.onFileBytes?.(digest.bytesHashed));
      } catch (error) {
        if (o.signal?.aborted) throw cancelledError();
        throw new ModelStoreError('io', `Cannot read ${part}: ${(error as Error).message}.`, { cause: error });
      }
    }
    o.onPhase?.('downloading');
    o.onFileBytes?.(offset);

    /** Forget what is there and download the whole file again; removes the .part unless it will be overwritten. */
    const startOver = async (removePart: boolean): Promise<void> => {
      if (removePart) await fsp.rm(part, { force: true });
      offset = 0;
      digest = new FileDigest(o.expected);
      o.onFileBytes?.(0);
    };

    let attempt = 0;
    while (offset < size) {
      let progressed = false;
      try {
        const headers = { ...o.requestOptions.headers, ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) };
        const response = await o.request(o.url, { ...o.requestOptions, headers, ...(o.signal ? { signal: o.signal } : {}) });
        let append = offset > 0;
        if (response.status === 206) {
          const start = contentRangeStart(header(response, 'content-range'));
          if (start !== offset) {
            // Not the range asked for (416 handled below): start the file again rather than guess.
            response.body.resume();
            await startOver(true);
            continue;
          }
        } else if (response.status === 200) {
          if (offset > 0) {
            // The server ignored the Range header: the whole file comes again.
            await startOver(false);
            append = false;
          }
        } else if (response.status === 416 && offset > 0) {
          // The .part is not a prefix of this file (the file changed): start again.
          response.body.resume();
          await startOver(true);
          continue;
        } else {
          throw await o.failure(response);
        }

        const host = new URL(response.url).host;
        let handle: FileHandle;
        try {
          handle = await fsp.open(part, append ? 'a' : 'w');
        } catch (error) {
          response.body.resume();
          throw writeFailure(error, o.target, o.label);
        }
        try {
          try {
            for await (const chunk of response.body as AsyncIterable<Buffer>) {
              if (offset + chunk.length > size) {
                throw new ModelStoreError('integrity', `${o.label}: ${host} sent more than the ${size} bytes the Hub listed.`);
              }
              try {
                await write(handle, chunk);
              } catch (error) {
                throw writeFailure(error, o.target, o.label);
              }
              digest.update(chunk);
              offset += chunk.length;
              downloaded += chunk.length;
              progressed = true;
              o.onNetworkBytes?.(chunk.length);
              o.onFileBytes?.(offset);
            }
          } catch (error) {
            response.body.destroy();
            throw error instanceof ModelStoreError ? error : toNetworkError(error, new URL(response.url));
          }
          if (offset < size) {
            throw new ModelStoreError('network', `${host} closed the connection after ${offset} of ${size} bytes of ${o.label}.`, { retryable: true });
          }
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        if (o.signal?.aborted) throw cancelledError();
        const e = error instanceof ModelStoreError ? error : toNetworkError(error, new URL(o.url));
        if (!e.retryable) throw e;
        attempt = progressed ? 1 : attempt + 1;
        if (attempt > o.retry.maxAttempts) {
          const kept = offset > 0 ? ` (${offset} of ${size} bytes are kept)` : '';
          throw new ModelStoreError(e.code, `${e.message} Gave up after ${o.retry.maxAttempts} retries; download again to resume${kept}.`, {
            cause: e,
          });
        }
        const delay = Math.max(retryDelayMs(attempt, o.retry, o.random), e.retryAfterMs ?? 0);
        o.onRetry?.(attempt, delay, e);
        await wait(delay, o.signal);
      }
    }

    const { hex, matches } = digest.finish();
    if (matches) {
      await fsp.rename(part, o.target);
      return { downloadedBytes: downloaded, resumedFrom };
    }
    await fsp.rm(part, { force: true });
    o.onFileBytes?.(0);
    if (restartedAfterBadHash) {
      const want = o.expected.sha256 ?? o.expected.gitOid ?? '';
      throw new ModelStoreError(
        'integrity',
        `${o.label} failed verification twice: its ${digest.algorithm === 'sha256' ? 'sha256' : 'git blob id'} is ${hex}, the Hub lists ${want}. The file was deleted and the model not installed.`,
      );
    }
    restartedAfterBadHash = true;
  }
}

/**
 * Puts a file found in the Hugging Face cache at `target`, verified like a download: a hard link when the cache
 * is on the same file system (no extra space; blobs are never modified in place), else a copy. Resolves false
 * when the cached file does not match (the caller downloads instead).
 */
export async function reuseCachedFile(
  source: string,
  target: string,
  expected: ExpectedContent,
  options: { signal?: AbortSignal; writeChunk?: WriteChunk; onFileBytes?: (bytes: number) => void; label: string },
): Promise<boolean> {
  const part = `${target}${PART_SUFFIX}`;
  await fsp.mkdir(path.dirname(target), { recursive: true });
  await fsp.rm(part, { force: true });
  const digest = new FileDigest(expected);
  let linked = false;
  try {
    await fsp.link(await fsp.realpath(source), part);
    linked = true;
  } catch {
    // another file system, or no link support: copy
  }
  try {
    if (linked) {
      await hashFilePrefix(part, expected.size, digest, options.signal, () => options.onFileBytes?.(digest.bytesHashed));
    } else {
      await copyAndHash(source, part, digest, options);
    }
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError();
    if (error instanceof ModelStoreError) throw error;
    await fsp.rm(part, { force: true });
    options.onFileBytes?.(0);
    return false;
  }
  if (digest.finish().matches) {
    await fsp.rename(part, target);
    return true;
  }
  await fsp.rm(part, { force: true });
  options.onFileBytes?.(0);
  return false;
}

async function copyAndHash(
  source: string,
  part: string,
  digest: FileDigest,
  options: { signal?: AbortSignal; writeChunk?: WriteChunk; onFileBytes?: (bytes: number) => void; label: string },
): Promise<void> {
  const write = options.writeChunk ?? defaultWriteChunk;
  let handle: FileHandle;
  try {
    handle = await fsp.open(part, 'w');
  } catch (error) {
    throw writeFailure(error, part, options.label);
  }
  try {
    for await (const chunk of createReadStream(source, options.signal ? { signal: options.signal } : {}) as AsyncIterable<Buffer>) {
      try {
        await write(handle, chunk);
      } catch (error) {
        throw writeFailure(error, part, options.label);
      }
      digest.update(chunk);
      options.onFileBytes?.(digest.bytesHashed);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}
