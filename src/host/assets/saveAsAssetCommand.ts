// "Local Diffusion: Save as Asset" (Explorer context menu on a PNG / JPEG / WebP; the Generate panel's result
// calls it with the saved file): appends the image's entry, with its exact parameters and seed, to the nearest
// local-diffusion.json (src/node/assets/saveImageAsAsset.ts), creating one in the workspace folder if needed.
// Signature: (uri?: vscode.Uri); without one, the active image editor's file or a file picker.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assetModelFor, saveImageAsAsset, type SelectedModel } from '../../node/assets/saveImageAsAsset';
import { Commands } from '../constants';
import { registerFailableCommand } from '../util/failableCommand';
import type { Log } from '../util/log';
import type { AssetWorkspace } from './assetWorkspace';

const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp'];

export interface SaveAsAssetDeps {
  workspace: AssetWorkspace;
  log: Log;
  selectedModel: () => SelectedModel | undefined;
}

function activeImage(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
  return uri && IMAGE_EXTENSIONS.includes(path.extname(uri.fsPath).slice(1).toLowerCase()) ? uri : undefined;
}

export function registerSaveAsAssetCommand(deps: SaveAsAssetDeps): vscode.Disposable {
  return registerFailableCommand(Commands.saveAsAsset, deps.log, async (resource) => {
    let uri = resource instanceof vscode.Uri ? resource : activeImage();
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Save as Asset: choose a generated image',
        canSelectMany: false,
        filters: { Images: IMAGE_EXTENSIONS },
        ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
      });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    if (uri.scheme !== 'file') throw new Error(`Save as Asset needs a file on disk, not ${uri.toString()}.`);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) throw new Error(`${uri.fsPath} is not in an open workspace folder: save the image into the workspace first (the spec and its outputs live there).`);
    const selected = deps.selectedModel();
    const saved = await saveImageAsAsset({
      image: uri.fsPath,
      root: folder.uri.fsPath,
      model: (infotextModel, specDir) => assetModelFor(infotextModel, selected, specDir, folder.uri.fsPath),
    });
    deps.log.info(`Save as Asset: ${saved.entry.output} added to ${saved.specFile} (images[${saved.index}])${saved.created ? ', a new spec' : ''}.`);
    await deps.workspace.refresh(saved.specFile);
    const specName = vscode.workspace.asRelativePath(saved.specFile);
    void vscode.window
      .showInformationMessage(
        `Added ${saved.entry.output} to ${specName}${saved.created ? ' (new spec)' : ''}. It shows as stale until it is built: a build writes the entry's hash into the image.`,
        'Show Entry',
        'Build',
      )
      .then((choice) => {
        if (choice === 'Show Entry') void vscode.commands.executeCommand(Commands.revealAssetEntry, saved.specFile, saved.index);
        if (choice === 'Build') void vscode.commands.executeCommand(Commands.buildAsset, saved.specFile, saved.index);
      });
    return { specFile: saved.specFile, index: saved.index };
  });
}
