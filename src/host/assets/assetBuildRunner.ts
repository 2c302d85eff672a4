// Builds image assets from VS Code: the same per-entry build as `local-diffusion build` (src/node/assets/
// buildAssets.ts: generate, render with the entry hash, write atomically, one failure does not stop the others),
// with each generation run on the engine process through the GenerationService. One cancellable notification for
// the whole build ("Building assets 2/5: media/hero.png"); cancelling it cancels the running generation and skips
// the rest, keeping what was built.
import * as vscode from 'vscode';
import { assetGenerateParams } from '../../node/assets/assetGenerateParams';
import { buildAssets, needsBuild, type AssetBuildResult, type AssetGenerator } from '../../node/assets/buildAssets';
import type { AssetState } from '../../node/assets/inspectAssets';
import type { HistorySource } from '../../common/history/historyIndex';
import type { GenerationService } from '../jobs/generationService';
import type { LocalDiffusionSettings } from '../settings';
import type { Log } from '../util/log';
import type { AssetWorkspace } from './assetWorkspace';

export interface AssetBuildDeps {
  generation: GenerationService;
  workspace: AssetWorkspace;
  settings: () => LocalDiffusionSettings;
  log: Log;
}

export interface AssetBuildSummary {
  built: number;
  fresh: number;
  failed: AssetBuildResult[];
  cancelled: boolean;
}

/** A group of entries of one spec to build. */
export interface AssetBuildTarget {
  specFile: string;
  states: readonly AssetState[];
}

/** Entries generated on the engine process, with the job's own progress notification. */
export function engineAssetGenerator(
  deps: Pick<AssetBuildDeps, 'generation' | 'settings'>,
  token: vscode.CancellationToken,
  /** Where the generation history says the image came from. */
  historySource: HistorySource = 'asset',
): AssetGenerator {
  return async (entry, model) => {
    // Emphasis and clip skip come from the entry (the engine's defaults when unset), as in `local-diffusion build`, so
    // a build from VS Code gives the CLI's bytes whatever the extension's settings are.
    const params = assetGenerateParams(entry, model, deps.settings().executionProvider);
    const result = await deps.generation.generate({ title: `Building ${entry.output}`, params, token, history: { source: historySource } });
    const image = result.images[0];
    if (!image) throw new Error('the engine returned no image');
    return { png: image.png, parameters: image.parameters };
  };
}

export async function runAssetBuild(deps: AssetBuildDeps, targets: readonly AssetBuildTarget[], force: boolean): Promise<AssetBuildSummary> {
  const summary: AssetBuildSummary = { built: 0, fresh: 0, failed: [], cancelled: false };
  if (!vscode.workspace.isTrusted) {
    throw new Error('Image assets are not built in an untrusted workspace (a spec may name a model inside it). Trust the workspace to build.');
  }
  const total = targets.reduce((n, t) => n + t.states.filter((s) => needsBuild(s, force)).length, 0);
  if (total === 0) {
    summary.fresh = targets.reduce((n, t) => n + t.states.length, 0);
    return summary;
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Building image assets', cancellable: true },
    async (progress, token) => {
      let done = 0;
      for (const target of targets) {
        if (token.isCancellationRequested) break;
        await buildAssets(target.states, {
          force,
          cancelled: () => token.isCancellationRequested,
          onStart: (state) => progress.report({ message: `${done + 1}/${total}: ${state.entry.output}` }),
          generate: engineAssetGenerator(deps, token),
          onDone: (result) => {
            if (result.status === 'fresh') {
              summary.fresh++;
              return;
            }
            done++;
            progress.report({ increment: 100 / total });
            // A generation cancelled by the user is not a failure of the entry.
            if (result.status === 'failed' && token.isCancellationRequested) return;
            deps.workspace.recordResult(result.file, result);
            if (result.status === 'built') {
              summary.built++;
              deps.log.info(`Image assets: built ${result.file} in ${result.seconds.toFixed(1)} s.`);
            } else {
              summary.failed.push(result);
              deps.log.error(`Image assets: ${result.file}: ${result.error ?? 'failed'}`);
            }
          },
        });
        await deps.workspace.refresh(target.specFile);
      }
      summary.cancelled = token.isCancellationRequested;
    },
  );
  return summary;
}

/** One line for the user: what was built, what failed. */
export function describeAssetBuild(summary: AssetBuildSummary): string {
  const parts: string[] = [];
  if (summary.built > 0) parts.push(`${summary.built} built`);
  if (summary.failed.length > 0) parts.push(`${summary.failed.length} failed (${summary.failed.map((f) => f.entry.output).join(', ')})`);
  if (summary.fresh > 0) parts.push(`${summary.fresh} already fresh`);
  const text = parts.length > 0 ? parts.join(', ') : 'nothing to build';
  return summary.cancelled ? `Build cancelled: ${text}; the images built so far are kept.` : `Image assets: ${text}.`;
}
