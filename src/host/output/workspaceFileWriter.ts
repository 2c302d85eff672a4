// No-overwrite image writes into any folder VS Code can reach: node fs (hard-link rename) for file: folders,
// vscode.workspace.fs (write a temp file, rename without overwrite) for other schemes.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { nodeFileWriter, saveImageFile, type ExclusiveFileWriter } from './saveImageFile';

export function exclusiveWriterFor(folder: vscode.Uri): ExclusiveFileWriter {
  if (folder.scheme === 'file') return nodeFileWriter(folder.fsPath);
  return {
    async writeIfAbsent(name, bytes) {
      await vscode.workspace.fs.createDirectory(folder);
      const target = vscode.Uri.joinPath(folder, name);
      const temp = vscode.Uri.joinPath(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
      await vscode.workspace.fs.writeFile(temp, bytes);
      try {
        await vscode.workspace.fs.rename(temp, target, { overwrite: false });
        return true;
      } catch (error) {
        await vscode.workspace.fs.delete(temp).then(undefined, () => undefined);
        if (error instanceof vscode.FileSystemError && error.code === 'FileExists') return false;
        throw error;
      }
    },
  };
}

/** Writes under `fileName` or the first free `-2`, `-3`, … variant; never replaces a file. */
export async function writeImageNoOverwrite(folder: vscode.Uri, fileName: string, bytes: Uint8Array): Promise<vscode.Uri> {
  const name = await saveImageFile(exclusiveWriterFor(folder), fileName, bytes);
  return vscode.Uri.joinPath(folder, name);
}
