import type { GenerateProgress } from '../common/protocol/engineProtocol';

/** A one-line progress bar on a TTY (stderr), redrawn in place. */
export class ProgressBar {
  private lastLength = 0;
  private readonly started = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(progress: GenerateProgress): void {
    let text: string;
    switch (progress.stage) {
      case 'loading':
        text = `loading ${progress.component} (${progress.index + 1}/${progress.total})`;
        break;
      case 'encodingPrompt':
        text = 'encoding prompt';
        break;
      case 'encodingImage':
        text = 'encoding image';
        break;
      case 'denoising': {
        const width = 24;
        const filled = Math.round((progress.step / progress.steps) * width);
        const batch = progress.images > 1 ? ` image ${progress.image}/${progress.images}` : '';
        text = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] step ${progress.step}/${progress.steps}${batch}`;
        break;
      }
      case 'decoding':
        text = 'decoding';
        break;
    }
    text += `  ${((Date.now() - this.started) / 1000).toFixed(1)} s`;
    this.stream.write(`\r${text}${' '.repeat(Math.max(0, this.lastLength - text.length))}`);
    this.lastLength = text.length;
  }

  clear(): void {
    if (this.lastLength > 0) this.stream.write(`\r${' '.repeat(this.lastLength)}\r`);
    this.lastLength = 0;
  }
}
