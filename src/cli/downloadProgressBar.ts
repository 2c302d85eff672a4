// The download progress of `local-diffusion models pull` on stderr: one line redrawn in place on a terminal
// ("[#####-----] 48% file 3/9 unet/model.onnx · 1.2 GB of 2.5 GB · 11.8 MB/s · 2 min left"); elsewhere (logs,
// CI, pipes) one line per file.
import { describeDownloadProgress, type DownloadProgress } from '../node/modelStore/downloadProgress';
import { formatBytes } from '../node/modelStore/formatBytes';

const BAR_WIDTH = 20;

export class DownloadProgressBar {
  private lastLength = 0;
  private lastFile = -1;

  constructor(
    private readonly stream: NodeJS.WritableStream & { columns?: number },
    private readonly tty: boolean,
  ) {}

  update(p: DownloadProgress): void {
    if (!this.tty) {
      if (p.phase === 'listing' || p.fileIndex === this.lastFile) return;
      this.lastFile = p.fileIndex;
      if (p.phase === 'installing') this.stream.write(`${describeDownloadProgress(p)}\n`);
      else this.stream.write(`file ${p.fileIndex}/${p.fileCount} ${p.file ?? ''} (${formatBytes(p.fileSize)})${p.phase === 'reusing' ? ' from the Hugging Face cache' : ''}\n`);
      return;
    }
    const fraction = p.totalBytes > 0 ? Math.min(1, p.bytes / p.totalBytes) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    let text = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${describeDownloadProgress(p)}`;
    const columns = this.stream.columns ?? 120;
    if (text.length > columns - 1) text = `${text.slice(0, columns - 2)}…`;
    this.stream.write(`\r${text}${' '.repeat(Math.max(0, this.lastLength - text.length))}`);
    this.lastLength = text.length;
  }

  /** A message between redraws. */
  log(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
  }

  clear(): void {
    if (this.lastLength > 0) this.stream.write(`\r${' '.repeat(this.lastLength)}\r`);
    this.lastLength = 0;
  }
}
