// "Local Diffusion: Select Model": the built-in sample model, recently used folders, or "Add Model Folder…"
// (checked with the engine's `info`; a folder that is not usable gets a readable report of what was found).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, Settings } from '../constants';
import type { EngineClient } from '../engineClient/engineClient';
import { checkModel } from '../models/modelReport';
import { BUILT_IN_MODEL_NAME, type ModelResolver } from '../models/modelResolver';
import { RpcFailure } from '../protocol/rpc';
import { readSettings } from '../settings';
import { isCancellation, registerFailableCommand } from '../util/failableCommand';
import type { Log } from '../util/log';

export interface SelectModelDeps {
  engine: EngineClient;
  models: ModelResolver;
  log: Log;
  /** Global state, for the recently used model folders. */
  state: vscode.Memento;
}

const RECENT_KEY = 'localDiffusion.recentModelFolders';
const MAX_RECENT = 8;

type Choice = vscode.QuickPickItem &
  ({ action: 'builtIn' } | { action: 'folder'; dir: string } | { action: 'add' } | { action: 'separator' });

export function registerSelectModelCommand(deps: SelectModelDeps): vscode.Disposable {
  return registerFailableCommand(Commands.selectModel, deps.log, () => selectModel(deps));
}

async function selectModel(deps: SelectModelDeps): Promise<void> {
  const current = readSettings(vscode.workspace.getConfiguration(Settings.section)).model;
  const recent = recentFolders(deps.state, current);
  const items: Choice[] = [
    {
      action: 'builtIn',
      label: '$(package) Built-in sample model',
      description: current === '' ? `${BUILT_IN_MODEL_NAME} · current` : BUILT_IN_MODEL_NAME,
      detail: 'Shipped with the extension: simple shapes and colours named in the prompt. No download.',
    },
  ];
  if (recent.length > 0) items.push({ action: 'separator', label: 'Model folders', kind: vscode.QuickPickItemKind.Separator });
  for (const dir of recent) {
    items.push({
      action: 'folder',
      dir,
      label: `$(folder) ${path.basename(dir)}`,
      description: dir === current ? 'current' : undefined,
      detail: dir,
    });
  }
  items.push({ action: 'separator', label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({
    action: 'add',
    label: '$(folder-opened) Add Model Folder…',
    detail: 'A diffusers ONNX export: model_index.json, text_encoder/, unet/, vae_decoder/, tokenizer/, scheduler/',
  });

  const choice = await vscode.window.showQuickPick(items, {
    title: 'Local Diffusion: Select Model',
    placeHolder: 'The model used by Generate Image, Inpaint and Generate Image Here',
    matchOnDetail: true,
  });
  if (!choice) return;
  switch (choice.action) {
    case 'separator':
      return;
    case 'builtIn':
      await updateModelSetting('');
      void vscode.window.showInformationMessage(`Local Diffusion now uses the built-in sample model (${BUILT_IN_MODEL_NAME}).`);
      return;
    case 'folder':
      await useFolder(deps, choice.dir);
      return;
    case 'add': {
      const picked = await vscode.window.showOpenDialog({
        title: 'Select a Diffusers ONNX Model Folder',
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: false,
        openLabel: 'Use This Model',
      });
      const uri = picked?.[0];
      if (!uri) return;
      if (uri.scheme !== 'file') {
        throw new Error('A model folder must be on the file system of the machine that runs the extension.');
      }
      await useFolder(deps, uri.fsPath);
      return;
    }
  }
}

/** Checks the folder (trust, existence, then the engine's report) and selects it when usable. */
async function useFolder(deps: SelectModelDeps, folder: string): Promise<void> {
  const dir = deps.models.checkFolder(folder);
  let info;
  try {
    info = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking the model in ${path.basename(dir)}…`, cancellable: true },
      (_progress, token) => deps.engine.request('info', { model: { dir } }, { token }),
    );
  } catch (error) {
    if (isCancellation(error)) return;
    const message = error instanceof Error ? error.message : String(error);
    deps.log.error(`Select Model: ${dir}: ${message}`);
    const detail = error instanceof RpcFailure && error.detail ? `${message}\n\n${error.detail}` : message;
    const choice = await vscode.window.showErrorMessage(`${dir} cannot be used as a model.`, { modal: true, detail }, 'Show Log');
    if (choice === 'Show Log') deps.log.show();
    return;
  }
  const check = checkModel(info);
  deps.log.info(`Select Model: ${dir}: ${check.summary}\n  ${check.lines.join('\n  ')}`);
  if (!check.usable) {
    const choice = await vscode.window.showErrorMessage(
      `"${info.name}" is missing required parts of a Stable Diffusion model.`,
      { modal: true, detail: `${check.summary}\n\n${check.lines.join('\n')}` },
      'Show Log',
    );
    if (choice === 'Show Log') deps.log.show();
    return;
  }
  await updateModelSetting(dir);
  await rememberFolder(deps.state, dir);
  const warnings = info.warnings.length > 0 ? ` (${info.warnings.length} warning(s), see the log)` : '';
  void vscode.window.showInformationMessage(`Local Diffusion now uses ${check.summary}${warnings}.`);
}

/** Writes where the effective value comes from: the workspace when it sets the model (and is trusted), else the user settings. */
async function updateModelSetting(value: string): Promise<void> {
  const config = vscode.workspace.getConfiguration(Settings.section);
  const inspected = config.inspect<string>(Settings.model);
  const target =
    vscode.workspace.isTrusted && inspected?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await config.update(Settings.model, value, target);
}

function recentFolders(state: vscode.Memento, current: string): string[] {
  const stored = state.get<unknown>(RECENT_KEY);
  const list = Array.isArray(stored) ? stored.filter((v): v is string => typeof v === 'string') : [];
  if (current !== '' && !list.includes(current)) list.unshift(current);
  return list.slice(0, MAX_RECENT);
}

async function rememberFolder(state: vscode.Memento, dir: string): Promise<void> {
  const list = recentFolders(state, '').filter((d) => d !== dir);
  await state.update(RECENT_KEY, [dir, ...list].slice(0, MAX_RECENT));
}
