// The run's workspace folder (a fresh copy per run, made by the e2e harness) and plain file-system checks on it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder && folder.uri.scheme === 'file', 'the tests need a local workspace folder');
  return folder.uri.fsPath;
}

/** An empty folder for one test under the workspace (created; it must not exist yet). */
export function freshFolder(name: string): string {
  const dir = path.join(workspaceRoot(), name);
  assert.equal(fs.existsSync(dir), false, `${dir} already exists`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** File names in a folder, sorted (hidden temp files included: nothing may be left behind). */
export function listFolder(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}
