// Builds the entries that need it: each one generated (by whoever holds an engine: the CLI in-process, the
// extension through its engine client), rendered to its format with the hash, and written atomically. One failure
// does not stop the others.
import { performance } from 'node:perf_hooks';
import type { ResolvedAssetEntry } from '../../common/assets/resolveAssetEntries';
import { writeFilesAtomically } from '../output/writeFilesAtomically';
import type { AssetState } from './inspectAssets';
import { renderAssetFile } from './renderAssetFile';
import type { ResolvedAssetModel } from './resolveAssetModel';

/** One generation: the engine's PNG and its A1111 infotext. */
export type AssetGenerator = (entry: ResolvedAssetEntry, model: ResolvedAssetModel) => Promise<{ png: Uint8Array; parameters: string }>;

export interface AssetBuildResult {
  entry: ResolvedAssetEntry;
  file: string;
  status: 'built' | 'fresh' | 'failed';
  hash?: string;
  seconds: number;
  error?: string;
}

export interface BuildAssetsOptions {
  generate: AssetGenerator;
  /** Rebuild fresh outputs too. */
  force: boolean;
  onStart?: (state: AssetState, position: number, total: number) => void;
  onDone?: (result: AssetBuildResult) => void;
  /** Checked before each entry: true stops the build (the entries left are not reported). */
  cancelled?: () => boolean;
}

export function needsBuild(state: AssetState, force: boolean): boolean {
  return state.error !== undefined || force || state.status !== 'fresh';
}

export async function buildAssets(states: readonly AssetState[], options: BuildAssetsOptions): Promise<AssetBuildResult[]> {
  const results: AssetBuildResult[] = [];
  const todo = states.filter((s) => s.error === undefined && needsBuild(s, options.force)).length;
  let position = 0;
  for (const state of states) {
    if (options.cancelled?.()) break;
    const started = performance.now();
    const seconds = (): number => Math.round(performance.now() - started) / 1000;
    let result: AssetBuildResult;
    if (!needsBuild(state, options.force)) {
      result = { entry: state.entry, file: state.file, status: 'fresh', hash: state.hash as string, seconds: 0 };
    } else if (state.error !== undefined) {
      result = { entry: state.entry, file: state.file, status: 'failed', seconds: 0, error: state.error };
    } else {
      options.onStart?.(state, ++position, todo);
      try {
        const generated = await options.generate(state.entry, state.model);
        const bytes = await renderAssetFile(generated.png, generated.parameters, state.entry, state.hash);
        await writeFilesAtomically([{ path: state.file, bytes }], { overwrite: true });
        result = { entry: state.entry, file: state.file, status: 'built', hash: state.hash, seconds: seconds() };
      } catch (e) {
        result = { entry: state.entry, file: state.file, status: 'failed', hash: state.hash, seconds: seconds(), error: (e as Error).message.split('\n')[0] };
      }
    }
    results.push(result);
    options.onDone?.(result);
  }
  return results;
}
