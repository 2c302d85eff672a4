// The CLI's one Ctrl+C handler: the first Ctrl+C cancels (between steps or tiles; a download resumes next time), a
// second quits at once with 130.
import { CancellationSource } from '../common/protocol/rpc';

export function cancelOnCtrlC(): { cancel: CancellationSource; dispose: () => void } {
  const cancel = new CancellationSource();
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\ncancelling… (Ctrl+C again to quit now)\n');
    cancel.cancel();
  };
  process.on('SIGINT', onSigint);
  return { cancel, dispose: () => void process.off('SIGINT', onSigint) };
}
