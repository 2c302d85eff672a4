// Where the engine caches edited graphs (sessionSource.ts): graph-only protos of a few megabytes that refer to
// the original model's weights, one per model file + edit set, so toggling an edit (seamless tiling) reloads fast.
//   LOCAL_DIFFUSION_CACHE_DIR when set, then its graphs/ folder;
//   Linux and others: $XDG_CACHE_HOME/local-diffusion/graphs, else ~/.cache/local-diffusion/graphs;
//   macOS: ~/Library/Caches/local-diffusion/graphs; Windows: %LOCALAPPDATA%\local-diffusion\cache\graphs.
import * as path from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

export const CACHE_DIR_ENV = 'LOCAL_DIFFUSION_CACHE_DIR';
const APP_FOLDER = 'local-diffusion';
const GRAPHS_FOLDER = 'graphs';

export function defaultGraphCacheDir(env: Env, platform: NodeJS.Platform, homedir: string): string {
  if (env[CACHE_DIR_ENV]) return path.join(env[CACHE_DIR_ENV]!, GRAPHS_FOLDER);
  if (platform === 'win32') {
    return path.win32.join(env.LOCALAPPDATA || path.win32.join(homedir, 'AppData', 'Local'), APP_FOLDER, 'cache', GRAPHS_FOLDER);
  }
  if (platform === 'darwin') return path.posix.join(homedir, 'Library', 'Caches', APP_FOLDER, GRAPHS_FOLDER);
  return path.posix.join(env.XDG_CACHE_HOME || path.posix.join(homedir, '.cache'), APP_FOLDER, GRAPHS_FOLDER);
}
