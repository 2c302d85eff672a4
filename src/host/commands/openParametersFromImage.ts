// "Local Diffusion: Open Parameters from Image…": reads the A1111 infotext of any PNG / JPEG / WebP (PNG
// `parameters` chunk, JPEG/WebP EXIF UserComment: ours, A1111's, Forge's) into the Generate panel, as A1111's
// "PNG Info → Send to txt2img". Also on an image's Explorer context menu (the Uri argument).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { infotextFormParameters } from '../../common/metadata/infotextFormParameters';
import { readImageParameters } from '../../node/image/imageCodec';
import { Commands } from '../constants';
import { GeneratePanel, type GeneratePanelDeps } from '../generate/generatePanel';
import { registerFailableCommand } from '../util/failableCommand';

export function registerOpenParametersFromImageCommand(deps: GeneratePanelDeps): vscode.Disposable {
  return registerFailableCommand(Commands.openParametersFromImage, deps.log, async (arg) => {
    let uri = arg instanceof vscode.Uri ? arg : undefined;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Open Parameters from Image',
        canSelectMany: false,
        filters: { Images: ['png', 'jpg', 'jpeg', 'webp'] },
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      uri = picked?.[0];
    }
    if (!uri) return;
    const name = path.posix.basename(uri.path);
    const text = await readImageParameters(await vscode.workspace.fs.readFile(uri));
    const read = infotextFormParameters(text, name);
    if ('error' in read) {
      void vscode.window.showWarningMessage(read.error);
      return;
    }
    const from = read.notes.length > 0 ? `${name} (${read.notes.join('; ')})` : name;
    GeneratePanel.createOrShow(deps).applyParameters({ ...read.parameters, from });
  });
}
