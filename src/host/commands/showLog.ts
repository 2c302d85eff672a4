import type * as vscode from 'vscode';
import { Commands } from '../constants';
import { registerFailableCommand } from '../util/failableCommand';
import type { Log } from '../util/log';

/** "Local Diffusion: Show Log": the engine's output, job history and (at Trace level) the protocol trace. */
export function registerShowLogCommand(log: Log): vscode.Disposable {
  return registerFailableCommand(Commands.showLog, log, () => log.show());
}
