// Where "Save to workspace" writes: `localDiffusion.outputFolder` (default `generated`) below the workspace folder
// of the active editor (or the first one), or that setting itself when it is an absolute path.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readResourceSettings } from '../settings';

/** undefined when no folder is open and the setting is relative (callers fall back to "Save As…"). */
export function outputFolderUri(): vscode.Uri | undefined {
  const workspaceFolder = preferredWorkspaceFolder();
  // Resource-scoped: read for the folder it is relative to (null without one: the user / workspace value).
  const setting = readResourceSettings(vscode.workspace, workspaceFolder ?? null).outputFolder;
  if (path.isAbsolute(setting) && (!workspaceFolder || workspaceFolder.uri.scheme === 'file')) return vscode.Uri.file(setting);
  if (!workspaceFolder) return undefined;
  const segments = setting.split(/[\\/]+/).filter((s) => s.length > 0 && s !== '.');
  return vscode.Uri.joinPath(workspaceFolder.uri, ...segments);
}

export function preferredWorkspaceFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
}

/** A short label for messages: workspace-relative when inside the workspace, else the file-system path. */
export function displayPath(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}
