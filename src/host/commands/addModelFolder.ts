import type * as vscode from 'vscode';
import { Commands } from '../constants';
import { registerFailableCommand } from '../util/failableCommand';
import { addModelFolder, type SelectModelDeps } from './selectModel';

/** "Local Diffusion: Add Model Folder…": a diffusers ONNX folder on disk, checked with the engine's `info`, then selected. */
export function registerAddModelFolderCommand(deps: SelectModelDeps): vscode.Disposable {
  return registerFailableCommand(Commands.addModelFolder, deps.log, () => addModelFolder(deps));
}
