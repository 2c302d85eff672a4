// Checks a file against the Hub's listing while it streams: LFS files by their sha256 (the LFS oid), the other
// files by their git blob id (sha1 of "blob <size>\0" + content, what the listing's `oid` is for them).
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface ExpectedContent {
  size: number;
  /** The LFS oid (sha256, hex) of LFS files. */
  sha256?: string;
  /** The git blob id (sha1, hex); used when there is no sha256. */
  gitOid?: string;
}

export class FileDigest {
  private readonly hash: Hash;
  private bytes = 0;

  constructor(readonly expected: ExpectedContent) {
    if (expected.sha256) {
      this.hash = createHash('sha256');
    } else {
      this.hash = createHash('sha1');
      // git's object header (git hash-object): "blob <size>\0"
      this.hash.update(`blob ${expected.size}\0`);
    }
  }

  get algorithm(): 'sha256' | 'git-sha1' {
    return this.expected.sha256 ? 'sha256' : 'git-sha1';
  }

  get bytesHashed(): number {
    return this.bytes;
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  /** Finishes the hash: the hex digest, and whether size and digest match what was expected. */
  finish(): { hex: string; matches: boolean } {
    const hex = this.hash.digest('hex');
    const want = (this.expected.sha256 ?? this.expected.gitOid ?? '').toLowerCase();
    return { hex, matches: this.bytes === this.expected.size && (want === '' || hex === want) };
  }
}

/** Feeds the first `length` bytes of a file into a digest (to resume a .part file). */
export async function hashFilePrefix(
  file: string,
  length: number,
  digest: FileDigest,
  signal?: AbortSignal,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  if (length <= 0) return;
  const stream = createReadStream(file, { start: 0, end: length - 1, ...(signal ? { signal } : {}) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    digest.update(chunk);
    onBytes?.(chunk.length);
  }
}
