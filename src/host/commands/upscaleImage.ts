// "Local Diffusion: Upscale Image…" (Explorer context menu on an image): a super-resolution model (downloaded, from
// the catalog, a file, or the hires-fix upscaler setting's) or Lanczos, a scale, then the engine's upscaleImage in
// tiles with per-tile progress and cancel; the result is written next to the image as NAME-xS.ext, never overwriting.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { EngineClient } from '../engineClient/engineClient';
import { formatForInput, IMAGE_TOOL_INPUT_EXTENSIONS, upscaledFileName } from '../imageTools/imageToolFileNames';
import { pickImageToolModel } from '../imageTools/pickImageToolModel';
import { announceResults, runImageTool, selectedImages } from '../imageTools/runImageTool';
import { LANCZOS_DEFAULT_SCALE, parseScale, upscaleScaleChoices } from '../imageTools/upscaleScaleChoices';
import type { ModelLibrary } from '../models/modelLibrary';
import type { LocalDiffusionSettings } from '../settings';
import { registerFailableCommand } from '../util/failableCommand';
import type { Log } from '../util/log';

export interface ImageToolDeps {
  engine: EngineClient;
  library: ModelLibrary;
  log: Log;
  settings: () => LocalDiffusionSettings;
  /** Remembers the last model per tool. */
  state: vscode.Memento;
}

const TITLE = 'Upscale Image';

export function isToolImage(uri: vscode.Uri): boolean {
  const name = uri.path.toLowerCase();
  return IMAGE_TOOL_INPUT_EXTENSIONS.some((ext) => name.endsWith(ext));
}

export function registerUpscaleImageCommand(deps: ImageToolDeps): vscode.Disposable {
  return registerFailableCommand(Commands.upscaleImage, deps.log, (clicked, selection) => upscaleImages(deps, selectedImages(clicked, selection, isToolImage)));
}

async function pickScale(withModel: boolean): Promise<{ scale?: number } | undefined> {
  const picked = await vscode.window.showQuickPick(upscaleScaleChoices(withModel), { title: `${TITLE}: scale`, ignoreFocusOut: true });
  if (!picked) return undefined;
  if (!picked.other) return picked.scale === undefined ? {} : { scale: picked.scale };
  const text = await vscode.window.showInputBox({
    title: `${TITLE}: scale`,
    prompt: 'Output size over input size',
    ignoreFocusOut: true,
    validateInput: (value) => {
      const parsed = parseScale(value);
      return 'error' in parsed ? parsed.error : undefined;
    },
  });
  if (text === undefined) return undefined;
  const parsed = parseScale(text);
  return 'scale' in parsed ? { scale: parsed.scale } : undefined;
}

async function upscaleImages(deps: ImageToolDeps, images: vscode.Uri[]): Promise<void> {
  if (images.length === 0) {
    void vscode.window.showWarningMessage('Upscale Image works on PNG, JPEG and WebP files: right-click one in the Explorer.');
    return;
  }
  const settings = deps.settings();
  const model = await pickImageToolModel({ tool: 'upscaler', title: `${TITLE}: model`, library: deps.library, state: deps.state, settingModel: settings.hiresUpscaler });
  if (!model) return;
  const scaleChoice = await pickScale(model.kind === 'model');
  if (!scaleChoice) return;
  const saved: vscode.Uri[] = [];
  for (const image of images) {
    const name = image.path.split('/').pop() ?? 'image.png';
    const format = formatForInput(name);
    // The model's own scale is only known once the engine has read the graph: the name then says what came out.
    const scaleForName = scaleChoice.scale ?? (model.kind === 'lanczos' ? LANCZOS_DEFAULT_SCALE : undefined);
    let outputName = scaleForName !== undefined ? upscaledFileName(name, scaleForName, format) : '';
    saved.push(
      await runImageTool(
        image,
        {
          title: `Upscaling ${name}`,
          get outputName() {
            return outputName;
          },
          run: async (input, token, report) => {
            report(model.kind === 'lanczos' ? 'Lanczos…' : 'Loading the upscaler…');
            const result = await deps.engine.request(
              'upscaleImage',
              {
                image: input,
                format,
                executionProvider: settings.executionProvider,
                ...(model.kind === 'model' ? { model: model.path } : {}),
                ...(scaleChoice.scale !== undefined ? { scale: scaleChoice.scale } : {}),
              },
              { token, onProgress: (p) => report(`tile ${p.tile} of ${p.tiles}`, (100 * p.tile) / p.tiles) },
            );
            if (!outputName) outputName = upscaledFileName(name, result.scale ?? LANCZOS_DEFAULT_SCALE, format);
            return result;
          },
        },
        deps.log,
      ),
    );
  }
  await announceResults(saved, images.length === 1 ? 'Upscaled' : 'Upscaled images');
}
