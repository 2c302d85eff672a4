// Wires the inpaint editor into the extension: the custom editor provider (offered by "Open With…", never
// the default for images: priority "option" in package.json) and the "Inpaint Image" command, which opens
// the Explorer's selection or the active editor's image in it.
import * as vscode from 'vscode';
import { Commands, ViewTypes } from '../constants';
import type { GenerationService } from '../jobs/generationService';
import { registerFailableCommand } from '../util/failableCommand';
import type { Log } from '../util/log';
import { imageFormatFromPath } from './imageFormat';
import { InpaintEditorProvider } from './inpaintEditorProvider';
import { InpaintSettingsStore } from './inpaintSettingsStore';

const IMAGE_FILTERS = { Images: ['png', 'jpg', 'jpeg', 'webp'] };

export function registerInpaintEditor(context: vscode.ExtensionContext, generation: GenerationService, log: Log): vscode.Disposable {
  const provider = new InpaintEditorProvider({
    extensionUri: context.extensionUri,
    generation,
    log,
    settings: new InpaintSettingsStore(context.globalState),
  });
  const registration = vscode.window.registerCustomEditorProvider(ViewTypes.inpaintEditor, provider, {
    // Pages keep their state with getState/setState and get the rest from the host again on `ready`.
    webviewOptions: { retainContextWhenHidden: false },
    supportsMultipleEditorsPerDocument: true,
  });
  const command = registerFailableCommand(Commands.inpaintImage, log, async (...args: unknown[]) => {
    const targets = await inpaintTargets(args);
    for (const uri of targets) await vscode.commands.executeCommand('vscode.openWith', uri, ViewTypes.inpaintEditor);
  });
  return vscode.Disposable.from(registration, command, provider);
}

function isImageUri(value: unknown): value is vscode.Uri {
  return value instanceof vscode.Uri && imageFormatFromPath(value.path) !== undefined;
}

/**
 * The images to open: the Explorer selection (uri, uris) or the editor-title resource; else the active
 * tab's file (the built-in image preview is a custom editor tab); else ask.
 */
async function inpaintTargets(args: unknown[]): Promise<vscode.Uri[]> {
  const [first, selection] = args;
  if (Array.isArray(selection) && selection.some(isImageUri)) return selection.filter(isImageUri);
  if (isImageUri(first)) return [first];
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const active =
    input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
  if (isImageUri(active)) return [active];
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: IMAGE_FILTERS,
    openLabel: 'Inpaint',
    title: 'Inpaint Image',
  });
  return picked ?? [];
}
