// "Local Diffusion: Select Model": the built-in sample model, downloaded models (size, licence, status), stopped
// downloads (resume), catalog models (download, then select), recently used folders, "Add Model Folder…" and
// "Download from Hugging Face…". Every model is checked with the engine's `info` before it is selected; a model
// that is not usable gets a readable report of what was found and what is missing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, Settings } from '../constants';
import type { EngineClient } from '../engineClient/engineClient';
import { catalogSource, findCatalogEntry } from '../../node/modelStore/catalog';
import type { InstalledModel } from '../../node/modelStore/installedModels';
import { modelSettingValue } from '../../node/modelStore/modelReference';
import { parseModelSpec, type ModelSource } from '../../node/modelStore/modelSource';
import { buildModelChoices } from '../models/modelChoices';
import type { ModelLibrary } from '../models/modelLibrary';
import { checkModel } from '../models/modelReport';
import { BUILT_IN_MODEL_NAME, type ModelResolver } from '../models/modelResolver';
import { readSettings } from '../settings';
import { choiceQuickPickItem } from '../util/choiceQuickPickItem';
import { isCancellation, registerFailableCommand } from '../util/failableCommand';
import { logError } from '../util/logError';
import type { Log } from '../util/log';

export interface SelectModelDeps {
  engine: EngineClient;
  models: ModelResolver;
  library: ModelLibrary;
  log: Log;
  /** Global state, for the recently used model folders. */
  state: vscode.Memento;
}

const RECENT_KEY = 'localDiffusion.recentModelFolders';
const MAX_RECENT = 8;

export function registerSelectModelCommand(deps: SelectModelDeps): vscode.Disposable {
  return registerFailableCommand(Commands.selectModel, deps.log, () => selectModel(deps));
}

async function selectModel(deps: SelectModelDeps): Promise<void> {
  const current = readSettings(vscode.workspace).model;
  let currentDir: string | undefined;
  try {
    currentDir = deps.models.resolve().ref.dir;
  } catch {
    // the current setting does not resolve: nothing is marked current
  }
  const { installed, incomplete } = await deps.library.listInstalled();
  const choices = buildModelChoices({
    current,
    ...(currentDir ? { currentDir } : {}),
    builtInName: BUILT_IN_MODEL_NAME,
    ...(deps.library.catalog ? { catalog: deps.library.catalog } : {}),
    installed,
    incomplete,
    recentFolders: recentFolders(deps.state, current),
    downloading: (source) => deps.library.isDownloading(source),
  });
  const picked = await vscode.window.showQuickPick(choices.map(choiceQuickPickItem), {
    title: 'Local Diffusion: Select Model',
    placeHolder: 'The model all commands use',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return;
  const choice = picked.choice;
  switch (choice.kind) {
    case 'separator':
      return;
    case 'builtIn':
      await updateModelSetting('');
      // Short: a toast without buttons shows one line, and must not be cut off in a half-width window.
      void vscode.window.showInformationMessage(`Now using the built-in sample model (${BUILT_IN_MODEL_NAME}).`);
      return;
    case 'installed':
      await useModel(deps, choice.model.dir, choice.settingValue);
      return;
    case 'download':
      await downloadAndUse(deps, choice.source);
      return;
    case 'folder':
      await useModel(deps, choice.dir, choice.dir, { rememberFolder: true });
      return;
    case 'addFolder':
      await addModelFolder(deps);
      return;
    case 'downloadOther': {
      const source = await askForRepo();
      if (source) await downloadAndUse(deps, source);
      return;
    }
  }
}

/** Downloads a model (with confirmation), then checks and selects it. */
export async function downloadAndUse(deps: SelectModelDeps, source: ModelSource): Promise<InstalledModel | undefined> {
  const model = await deps.library.download(source);
  if (model) await useModel(deps, model.dir, modelSettingValue(model.source, deps.library.catalog));
  return model;
}

/** Asks for "owner/name[@revision][:subfolder]" (or a catalog id). */
export async function askForRepo(catalogIds: readonly string[] = []): Promise<ModelSource | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Download a Model from Hugging Face',
    prompt: 'A repo with a diffusers ONNX export: owner/name, optionally @revision (branch, tag, commit) and :subfolder (where model_index.json is).',
    placeHolder: 'e.g. aislamov/lcm-dreamshaper-v7-onnx@fp32 or someone/model:onnx',
    ignoreFocusOut: true,
    validateInput: (text) =>
      text.trim() === '' || parseModelSpec(text) || catalogIds.includes(text.trim())
        ? undefined
        : 'Expected owner/name[@revision][:subfolder], e.g. "stabilityai/sd-turbo" (letters, digits, "-", "_", ".").',
  });
  if (!value?.trim()) return undefined;
  return parseModelSpec(value);
}

/** "Add Model Folder…": picks a folder on disk, checks it and selects it. */
export async function addModelFolder(deps: SelectModelDeps): Promise<void> {
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
  const dir = deps.models.checkFolder(uri.fsPath);
  await useModel(deps, dir, dir, { rememberFolder: true });
}

/**
 * Checks a model folder (trust, existence, then the engine's report) and, when usable, sets the setting to
 * `settingValue` (the folder, a catalog id or a repo spec).
 */
export async function useModel(deps: SelectModelDeps, folder: string, settingValue: string, options: { rememberFolder?: boolean } = {}): Promise<boolean> {
  const dir = deps.models.checkFolder(folder);
  let info;
  try {
    info = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking the model in ${path.basename(dir)}…`, cancellable: true },
      (_progress, token) => deps.engine.request('info', { model: { dir } }, { token }),
    );
  } catch (error) {
    if (isCancellation(error)) return false;
    // The plain message in the dialog; the raw engine / ONNX Runtime detail in the log.
    const { message } = logError(deps.log, error, `Select Model: ${dir}`);
    const choice = await vscode.window.showErrorMessage(`${dir} cannot be used as a model.`, { modal: true, detail: message }, 'Show Log');
    if (choice === 'Show Log') deps.log.show();
    return false;
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
    return false;
  }
  await updateModelSetting(settingValue);
  if (options.rememberFolder) await rememberFolder(deps.state, dir);
  const warnings = info.warnings.length > 0 ? ` (${info.warnings.length} warning(s), see the log)` : '';
  const entry = findCatalogEntry(deps.library.catalog, settingValue);
  const hint = entry?.recommended ? ` Recommended: ${entry.recommended.steps} steps, guidance ${entry.recommended.guidanceScale}, ${entry.recommended.scheduler} scheduler.` : '';
  void vscode.window.showInformationMessage(`Local Diffusion now uses ${check.summary}${warnings}.${hint}`);
  return true;
}

/** The catalog entry's source for an id, else a parsed repo spec. */
export function sourceForValue(deps: SelectModelDeps, value: string): ModelSource | undefined {
  const entry = findCatalogEntry(deps.library.catalog, value);
  return entry ? catalogSource(entry) : parseModelSpec(value);
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

/** Recently used folders (absolute paths only: catalog ids and repo specs are listed as downloaded models). */
function recentFolders(state: vscode.Memento, current: string): string[] {
  const stored = state.get<unknown>(RECENT_KEY);
  const list = Array.isArray(stored) ? stored.filter((v): v is string => typeof v === 'string') : [];
  if (current !== '' && path.isAbsolute(current) && !list.includes(current)) list.unshift(current);
  return list.slice(0, MAX_RECENT);
}

async function rememberFolder(state: vscode.Memento, dir: string): Promise<void> {
  const list = recentFolders(state, '').filter((d) => d !== dir);
  await state.update(RECENT_KEY, [dir, ...list].slice(0, MAX_RECENT));
}
