// Where the extension keeps downloaded models: `localDiffusion.modelsFolder` (an absolute folder; "~" is the
// home folder), else "models" in the extension's global storage. No vscode import: unit-tested.
import * as path from 'node:path';

export const GLOBAL_STORAGE_MODELS_FOLDER = 'models';

export interface ModelsFolderChoice {
  dir: string;
  /** Set when the setting could not be used (the default is used instead). */
  problem?: string;
}

export function modelsFolderFor(setting: string, globalStoragePath: string, homedir: string): ModelsFolderChoice {
  const fallback = path.join(globalStoragePath, GLOBAL_STORAGE_MODELS_FOLDER);
  const value = setting.trim();
  if (value === '') return { dir: fallback };
  const expanded = value === '~' || value.startsWith('~/') || value.startsWith('~\\') ? path.join(homedir, value.slice(1)) : value;
  if (!path.isAbsolute(expanded)) {
    return { dir: fallback, problem: `"localDiffusion.modelsFolder" must be an absolute folder, not "${value}"; using ${fallback}.` };
  }
  return { dir: path.resolve(expanded) };
}
