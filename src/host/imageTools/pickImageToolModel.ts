// The model picker of the image tools (choices from imageToolChoices.ts): a downloaded model, a catalog one
// (downloaded first, with its licence confirmation), a file chosen from disk, or Lanczos for upscaling. The choice
// is remembered per tool.
import * as vscode from 'vscode';
import type { ModelLibrary } from '../models/modelLibrary';
import { choiceQuickPickItem } from '../util/choiceQuickPickItem';
import { imageToolChoices, type ImageTool } from './imageToolChoices';

export type PickedModel = { kind: 'lanczos' } | { kind: 'model'; path: string; preset?: string };

const lastKey = (tool: ImageTool): string => `localDiffusion.imageTools.${tool}.lastModel`;

export async function pickImageToolModel(options: {
  tool: ImageTool;
  title: string;
  library: ModelLibrary;
  state: vscode.Memento;
  settingModel?: string;
}): Promise<PickedModel | undefined> {
  const { installed } = await options.library.listInstalled();
  const lastModel = options.state.get<string>(lastKey(options.tool));
  const choices = imageToolChoices({
    tool: options.tool,
    installed,
    ...(options.library.catalog ? { catalog: options.library.catalog } : {}),
    ...(options.settingModel ? { settingModel: options.settingModel } : {}),
    ...(lastModel !== undefined ? { lastModel } : {}),
    downloading: (source) => options.library.isDownloading(source),
  });
  const picked = await vscode.window.showQuickPick(choices.map(choiceQuickPickItem), {
    title: options.title,
    placeHolder: options.tool === 'upscaler' ? 'Upscale with…' : 'Cut the background out with…',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  const choice = picked.choice;
  let result: PickedModel | undefined;
  switch (choice.kind) {
    case 'separator':
      return undefined;
    case 'lanczos':
      result = { kind: 'lanczos' };
      break;
    case 'model':
      result = { kind: 'model', path: choice.path, ...(choice.preset ? { preset: choice.preset } : {}) };
      break;
    case 'download': {
      const model = await options.library.download(choice.source);
      if (!model) return undefined;
      result = { kind: 'model', path: model.dir, ...(choice.entry.preset ? { preset: choice.entry.preset } : {}) };
      break;
    }
    case 'browse': {
      const files = await vscode.window.showOpenDialog({
        title: options.title,
        canSelectMany: false,
        openLabel: 'Use This Model',
        filters: { 'ONNX model': ['onnx'] },
      });
      if (!files?.[0]) return undefined;
      result = { kind: 'model', path: files[0].fsPath };
      break;
    }
  }
  await options.state.update(lastKey(options.tool), result.kind === 'lanczos' ? '' : result.path);
  return result;
}
