// A job's progress notification that can come and go while the job runs: the Generate panel shows its own
// progress, so its jobs' notification is open only while the panel is hidden. vscode.window.withProgress cannot be
// hidden and shown again, so each showing is its own notification, picking up the message and percentage so far.
// No vscode import (the host passes withProgress in): unit-tested.

/** vscode.Progress's report. */
export interface ProgressLike {
  report(value: { message?: string; increment?: number }): void;
}

/** Shows a cancellable notification until `task`'s promise settles (vscode.window.withProgress). */
export type ShowProgress = (
  title: string,
  task: (progress: ProgressLike, onCancellationRequested: (listener: () => void) => { dispose(): void }) => Promise<void>,
) => void;

/** One job's notification: update() on every progress with whether it should show; close() when the job ends. */
export class JobNotification {
  private state: 'closed' | 'opening' | 'open' = 'closed';
  private progress: ProgressLike | undefined;
  private resolve: (() => void) | undefined;
  private message = '';
  private percent = 0;
  /** The percentage the open notification has shown. */
  private shown = 0;
  private finished = false;

  constructor(
    private readonly title: string,
    private readonly onCancel: () => void,
    private readonly show: ShowProgress,
  ) {}

  update(show: boolean, message?: string, percent?: number): void {
    if (message !== undefined) this.message = message;
    if (percent !== undefined) this.percent = Math.max(this.percent, percent);
    if (show && this.state === 'closed' && !this.finished) this.open(); // reports the progress so far itself
    else if (!show && this.state !== 'closed') this.hide();
    else this.flush();
  }

  close(): void {
    this.finished = true;
    this.hide();
  }

  private open(): void {
    this.state = 'opening';
    this.show(this.title, (progress, onCancellationRequested) =>
      new Promise<void>((resolve) => {
        const onCancel = onCancellationRequested(() => this.onCancel());
        const done = (): void => {
          onCancel.dispose();
          resolve();
        };
        if (this.state !== 'opening') {
          done(); // hidden (or finished) before VS Code called back
          return;
        }
        this.state = 'open';
        this.progress = progress;
        this.resolve = done;
        this.shown = 0;
        this.flush();
      }),
    );
  }

  private hide(): void {
    const resolve = this.resolve;
    this.state = 'closed';
    this.progress = undefined;
    this.resolve = undefined;
    resolve?.();
  }

  private flush(): void {
    if (this.state !== 'open' || !this.progress) return;
    const increment = Math.max(0, this.percent - this.shown);
    this.shown = Math.max(this.shown, this.percent);
    this.progress.report(increment > 0 ? { message: this.message, increment } : { message: this.message });
  }
}
