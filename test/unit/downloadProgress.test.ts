import * as assert from 'node:assert/strict';
import { DownloadProgressBar } from '../../src/cli/downloadProgressBar';
import { describeDownloadProgress, SpeedMeter, type DownloadProgress } from '../../src/node/modelStore/downloadProgress';
import { formatBytes, formatDuration } from '../../src/node/modelStore/formatBytes';

const MB = 1024 * 1024;

function progress(overrides: Partial<DownloadProgress>): DownloadProgress {
  return { phase: 'downloading', fileIndex: 3, fileCount: 9, file: 'unet/model.onnx', fileBytes: 0, fileSize: 0, bytes: 0, totalBytes: 0, bytesPerSecond: 0, ...overrides };
}

describe('download progress', () => {
  it('measures speed over a sliding window and estimates the time left', () => {
    let now = 0;
    const meter = new SpeedMeter(5_000, () => now);
    assert.equal(meter.bytesPerSecond(), 0);
    assert.equal(meter.secondsLeft(100), undefined, 'unknown until measured');
    for (let t = 0; t <= 4_000; t += 1_000) {
      now = t;
      meter.add(10 * MB);
    }
    assert.equal(meter.bytesPerSecond(), 10 * MB);
    assert.equal(meter.secondsLeft(100 * MB), 10);
    // The link slows down: the old samples leave the window.
    for (let t = 5_000; t <= 12_000; t += 1_000) {
      now = t;
      meter.add(1 * MB);
    }
    assert.ok(Math.abs(meter.bytesPerSecond() - MB) < 1, String(meter.bytesPerSecond()));
    assert.equal(meter.transferred, 58 * MB);
  });

  it('describes progress as file i/n, bytes, speed and time left', () => {
    assert.equal(
      describeDownloadProgress(progress({ bytes: 1.2 * 1024 * MB, totalBytes: 3.4 * 1024 * MB, bytesPerSecond: 12.3 * MB, secondsLeft: 190 })),
      'file 3/9 unet/model.onnx · 1.2 GB of 3.4 GB · 12.3 MB/s · 3 min left',
    );
    assert.equal(describeDownloadProgress(progress({ phase: 'reusing', bytes: 10, totalBytes: 20 })), 'file 3/9 unet/model.onnx · from the Hugging Face cache · 10 B of 20 B');
    assert.equal(describeDownloadProgress(progress({ phase: 'resuming', bytes: 0, totalBytes: 20 })), 'file 3/9 unet/model.onnx · checking the part downloaded before · 0 B of 20 B');
    assert.equal(describeDownloadProgress(progress({ phase: 'listing' })), 'listing files on the Hub…');
    assert.equal(describeDownloadProgress(progress({ phase: 'installing', fileCount: 9, totalBytes: 2048 })), 'verified 9 files (2.0 KB), installing…');
  });

  it('formats sizes and durations', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatDuration(45.4), '45 s');
    assert.equal(formatDuration(190), '3 min');
    assert.equal(formatDuration(3_900), '1 h 05 min');
  });

  it('the CLI bar redraws one line on a terminal and prints a line per file elsewhere', () => {
    const written: string[] = [];
    const stream = { write: (s: string) => written.push(s), columns: 200 } as unknown as NodeJS.WritableStream;
    const tty = new DownloadProgressBar(stream, true);
    tty.update(progress({ bytes: 50, totalBytes: 100 }));
    assert.match(written[0]!, /^\r\[##########----------\]  50% file 3\/9 unet\/model\.onnx · 50 B of 100 B$/);
    tty.log('a message');
    assert.match(written.join(''), /\r +\ra message\n$/);

    written.length = 0;
    const plain = new DownloadProgressBar(stream, false);
    plain.update(progress({ phase: 'listing' }));
    plain.update(progress({ fileIndex: 1, fileSize: 2048 }));
    plain.update(progress({ fileIndex: 1, fileSize: 2048, fileBytes: 100 }));
    plain.update(progress({ fileIndex: 2, fileSize: 10, phase: 'reusing' }));
    assert.deepEqual(written, ['file 1/9 unet/model.onnx (2.0 KB)\n', 'file 2/9 unet/model.onnx (10 B) from the Hugging Face cache\n']);
  });
});
