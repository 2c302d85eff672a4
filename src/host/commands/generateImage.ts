import type * as vscode from 'vscode';
import { Commands } from '../constants';
import { GeneratePanel, type GeneratePanelDeps } from '../generate/generatePanel';
import { registerFailableCommand } from '../util/failableCommand';

/** "Local Diffusion: Generate Image": opens (or reveals) the Generate Image panel. */
export function registerGenerateImageCommand(deps: GeneratePanelDeps): vscode.Disposable {
  return registerFailableCommand(Commands.generateImage, deps.log, () => {
    GeneratePanel.createOrShow(deps);
  });
}
