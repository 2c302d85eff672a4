import * as assert from 'node:assert/strict';
import { JobNotification, type ProgressLike, type ShowProgress } from '../../src/host/jobs/jobNotification';

/** Records each notification VS Code would show: its reports, whether it is still open, and a way to cancel it. */
function recorder() {
  const shown: { reports: { message?: string; increment?: number }[]; open: boolean; cancel: () => void }[] = [];
  const show: ShowProgress = (_title, task) => {
    const listeners: (() => void)[] = [];
    const record = { reports: [] as { message?: string; increment?: number }[], open: true, cancel: () => listeners.forEach((l) => l()) };
    shown.push(record);
    const progress: ProgressLike = { report: (value) => record.reports.push(value) };
    void task(progress, (listener) => {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    }).then(() => (record.open = false));
  };
  return { shown, show };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('job progress notification', () => {
  it('is shown throughout when it is always wanted, and closes when the job ends', async () => {
    const { shown, show } = recorder();
    const n = new JobNotification('Generating', () => undefined, show);
    n.update(true, 'Starting…');
    n.update(true, 'step 1/4', 25);
    n.update(true, 'step 2/4', 50);
    assert.equal(shown.length, 1);
    assert.deepEqual(shown[0]!.reports, [{ message: 'Starting…' }, { message: 'step 1/4', increment: 25 }, { message: 'step 2/4', increment: 25 }]);
    n.close();
    await tick();
    assert.equal(shown[0]!.open, false);
  });

  it('is not shown while the panel is visible, comes up with the progress so far when it is hidden, and goes when it is shown again', async () => {
    const { shown, show } = recorder();
    const n = new JobNotification('Generating', () => undefined, show);
    n.update(false, 'Starting…');
    n.update(false, 'step 1/4', 25);
    assert.equal(shown.length, 0, 'no notification over the visible panel');
    n.update(true, 'step 2/4', 50);
    assert.equal(shown.length, 1);
    assert.deepEqual(shown[0]!.reports, [{ message: 'step 2/4', increment: 50 }], 'picks up the percentage so far');
    n.update(false, 'step 3/4', 75);
    await tick();
    assert.equal(shown[0]!.open, false, 'closed when the panel is visible again');
    n.close();
    n.update(true, 'late', 100);
    assert.equal(shown.length, 1, 'nothing after the job ended');
  });

  it('cancels the job from the notification', () => {
    const { shown, show } = recorder();
    let cancelled = 0;
    const n = new JobNotification('Generating', () => cancelled++, show);
    n.update(true, 'Starting…');
    shown[0]!.cancel();
    assert.equal(cancelled, 1);
  });
});
