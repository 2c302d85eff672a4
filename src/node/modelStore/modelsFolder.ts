// The command line's default models folder (the extension uses its global storage or localDiffusion.modelsFolder):
//   LOCAL_DIFFUSION_MODELS_DIR when set;
//   Linux and others: $XDG_DATA_HOME/local-diffusion/models, else ~/.local/share/local-diffusion/models;
//   macOS: ~/Library/Application Support/local-diffusion/models;
//   Windows: %LOCALAPPDATA%\local-diffusion\models.
import * as path from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

export const MODELS_DIR_ENV = 'LOCAL_DIFFUSION_MODELS_DIR';
const APP_FOLDER = 'local-diffusion';
const MODELS_FOLDER = 'models';

export function defaultModelsDir(env: Env, platform: NodeJS.Platform, homedir: string): string {
  if (env[MODELS_DIR_ENV]) return env[MODELS_DIR_ENV]!;
  if (platform === 'win32') {
    return path.win32.join(env.LOCALAPPDATA || path.win32.join(homedir, 'AppData', 'Local'), APP_FOLDER, MODELS_FOLDER);
  }
  if (platform === 'darwin') return path.posix.join(homedir, 'Library', 'Application Support', APP_FOLDER, MODELS_FOLDER);
  return path.posix.join(env.XDG_DATA_HOME || path.posix.join(homedir, '.local', 'share'), APP_FOLDER, MODELS_FOLDER);
}
