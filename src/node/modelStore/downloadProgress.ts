// Download progress as the CLI bar and the VS Code notification show it: file i/n, bytes, speed, time left.
import { formatBytes, formatDuration } from './formatBytes';

export type DownloadPhase =
  /** Asking the Hub which commit and files. */
  | 'listing'
  /** Re-reading a .part file to resume its hash. */
  | 'resuming'
  /** Copying a file found in the Hugging Face cache. */
  | 'reusing'
  | 'downloading'
  /** Moving the verified folder into place. */
  | 'installing';

export interface DownloadProgress {
  phase: DownloadPhase;
  /** 1-based index of the current file; 0 while listing. */
  fileIndex: number;
  fileCount: number;
  /** The current file (path in the model folder). */
  file?: string;
  fileBytes: number;
  fileSize: number;
  /** Bytes of all files that are done or partly done (resumed and reused bytes included). */
  bytes: number;
  totalBytes: number;
  /** Network speed over the last few seconds. */
  bytesPerSecond: number;
  /** undefined until the speed is known. */
  secondsLeft?: number;
}

/** Speed over a sliding window of samples: steady enough to read, quick to follow a change of link. */
export class SpeedMeter {
  private readonly samples: { time: number; bytes: number }[] = [];
  private total = 0;

  constructor(
    private readonly windowMs = 5_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts bytes that came over the network (not resumed or reused ones). */
  add(bytes: number): void {
    this.total += bytes;
    const time = this.now();
    this.samples.push({ time, bytes: this.total });
    while (this.samples.length > 2 && time - this.samples[1]!.time >= this.windowMs) this.samples.shift();
  }

  get transferred(): number {
    return this.total;
  }

  bytesPerSecond(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const seconds = (last.time - first.time) / 1000;
    return seconds > 0 ? (last.bytes - first.bytes) / seconds : 0;
  }

  secondsLeft(remainingBytes: number): number | undefined {
    const speed = this.bytesPerSecond();
    return speed > 0 ? remainingBytes / speed : undefined;
  }
}

/** "file 3/9 unet/model.onnx · 1.2 GB of 3.4 GB · 12.3 MB/s · 3 min left". */
export function describeDownloadProgress(p: DownloadProgress): string {
  if (p.phase === 'listing') return 'listing files on the Hub…';
  if (p.phase === 'installing') return `verified ${p.fileCount} files (${formatBytes(p.totalBytes)}), installing…`;
  const parts = [`file ${p.fileIndex}/${p.fileCount} ${p.file ?? ''}`.trim()];
  if (p.phase === 'resuming') parts.push('checking the part downloaded before');
  if (p.phase === 'reusing') parts.push('from the Hugging Face cache');
  parts.push(`${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}`);
  if (p.phase === 'downloading' && p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.secondsLeft !== undefined) parts.push(`${formatDuration(p.secondsLeft)} left`);
  return parts.join(' · ');
}
