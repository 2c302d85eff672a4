// "Local Diffusion: Remove Background" (Explorer context menu on an image): a background-segmentation model
// (downloaded, from the catalog, or a file), then the engine's removeBackground; the cut-out keeps its alpha, so it
// is written as PNG (WebP stays WebP) next to the image as NAME-nobg.ext, never overwriting.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { cutoutFileName, cutoutFormatForInput } from '../imageTools/imageToolFileNames';
import { pickImageToolModel } from '../imageTools/pickImageToolModel';
import { announceResults, runImageTool, selectedImages } from '../imageTools/runImageTool';
import { registerFailableCommand } from '../util/failableCommand';
import { isToolImage, type ImageToolDeps } from './upscaleImage';

const TITLE = 'Remove Background';

export function registerRemoveBackgroundCommand(deps: ImageToolDeps): vscode.Disposable {
  return registerFailableCommand(Commands.removeBackground, deps.log, (clicked, selection) => removeBackgrounds(deps, selectedImages(clicked, selection, isToolImage)));
}

async function removeBackgrounds(deps: ImageToolDeps, images: vscode.Uri[]): Promise<void> {
  if (images.length === 0) {
    void vscode.window.showWarningMessage('Remove Background works on PNG, JPEG and WebP files: right-click one in the Explorer.');
    return;
  }
  const model = await pickImageToolModel({ tool: 'background', title: `${TITLE}: model`, library: deps.library, state: deps.state });
  if (!model || model.kind !== 'model') return;
  const settings = deps.settings();
  const saved: vscode.Uri[] = [];
  for (const image of images) {
    const name = image.path.split('/').pop() ?? 'image.png';
    const format = cutoutFormatForInput(name);
    saved.push(
      await runImageTool(
        image,
        {
          title: `Removing the background of ${name}`,
          outputName: cutoutFileName(name, format),
          run: (input, token, report) => {
            report('Loading the model…');
            return deps.engine.request(
              'removeBackground',
              { image: input, model: model.path, format, executionProvider: settings.executionProvider, ...(model.preset ? { preset: model.preset } : {}) },
              { token },
            );
          },
        },
        deps.log,
      ),
    );
  }
  await announceResults(saved, images.length === 1 ? 'Background removed' : 'Backgrounds removed');
}
