// Runs one image tool on each selected image: reads it (any file system VS Code reaches), asks the engine under a
// cancellable progress notification (per-tile progress for upscaling), writes the result next to the input under a
// name that never overwrites, and offers to open it.
import * as vscode from 'vscode';
import type { ImageToolResult } from '../../common/protocol/imageToolMessages';
import { displayPath } from '../output/outputFolder';
import { writeImageNoOverwrite } from '../output/workspaceFileWriter';
import type { Log } from '../util/log';

export interface ImageToolJob {
  /** Notification title, e.g. 'Upscaling fox.png'. */
  title: string;
  /** The result's file name (a free variant is taken when it exists). */
  outputName: string;
  run(input: Uint8Array, token: vscode.CancellationToken, report: (message: string, percent?: number) => void): Promise<ImageToolResult>;
}

export async function runImageTool(input: vscode.Uri, job: ImageToolJob, log: Log): Promise<vscode.Uri> {
  const bytes = await vscode.workspace.fs.readFile(input);
  const started = Date.now();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: job.title, cancellable: true },
    (progress, token) => {
      let reported = 0;
      return job.run(bytes, token, (message, percent) => {
        const increment = percent === undefined ? undefined : Math.max(0, percent - reported);
        if (percent !== undefined) reported = Math.max(reported, percent);
        progress.report(increment === undefined ? { message } : { message, increment });
      });
    },
  );
  const folder = vscode.Uri.joinPath(input, '..');
  const saved = await writeImageNoOverwrite(folder, job.outputName, result.image);
  log.info(`${job.title}: ${result.width}×${result.height}, ${result.description}, ${((Date.now() - started) / 1000).toFixed(1)} s → ${saved.toString(true)}`);
  return saved;
}

/** After the last image: says where the results are and offers to open the first. */
export async function announceResults(saved: readonly vscode.Uri[], what: string): Promise<void> {
  if (saved.length === 0) return;
  const where = saved.length === 1 ? displayPath(saved[0]!) || saved[0]!.path : `${saved.length} images`;
  const choice = await vscode.window.showInformationMessage(`${what}: ${where}`, 'Open', 'Reveal in Explorer');
  if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', saved[0]);
  else if (choice === 'Reveal in Explorer') await vscode.commands.executeCommand('revealInExplorer', saved[0]);
}

/** The images a command was invoked on: the Explorer's selection, the clicked file, or the active editor's file. */
export function selectedImages(clicked: unknown, selection: unknown, isImage: (uri: vscode.Uri) => boolean): vscode.Uri[] {
  const many = Array.isArray(selection) ? selection.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  const uris = many.length > 0 ? many : clicked instanceof vscode.Uri ? [clicked] : [];
  const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (uris.length === 0 && active instanceof vscode.TabInputCustom && isImage(active.uri)) return [active.uri];
  return uris.filter(isImage);
}
