// Images as code in VS Code: the *Image Assets* view, CodeLens on spec files, the build commands (Build All, Build
// Stale, Build, Open, Refresh) and the `local-diffusion` task type. Builds run on the engine process
// (assetBuildRunner.ts); the CLI's per-entry logic is shared through src/node/assets/.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { locateAssetEntries } from '../../common/assets/locateAssetEntries';
import type { Catalog } from '../../node/modelStore/catalog';
import { Commands } from '../constants';
import type { GenerationService } from '../jobs/generationService';
import type { LocalDiffusionSettings } from '../settings';
import { registerFailableCommand } from '../util/failableCommand';
import type { Log } from '../util/log';
import { AssetCodeLensProvider } from './assetCodeLensProvider';
import { describeAssetBuild, runAssetBuild, type AssetBuildTarget } from './assetBuildRunner';
import { ASSET_TASK_TYPE, AssetTaskProvider } from './assetTaskProvider';
import { AssetTreeProvider, type AssetTreeNode } from './assetTreeProvider';
import { AssetWorkspace, type AssetEntryView, type AssetSpecView } from './assetWorkspace';
import { registerGenerateImageTool } from './generateImageTool';
import { registerSaveAsAssetCommand } from './saveAsAssetCommand';
import type { SelectedModel } from '../../node/assets/saveImageAsAsset';

export const IMAGE_ASSETS_VIEW_ID = 'localDiffusion.imageAssets';

export interface ImageAssetsDeps {
  extensionPath: string;
  generation: GenerationService;
  log: Log;
  settings: () => LocalDiffusionSettings;
  modelsFolder: () => string;
  catalog: () => Catalog | undefined;
  /** The selected model (Save as Asset and the tool name it in the entry), or why none is usable. */
  selectedModel: () => SelectedModel | { problem: string };
  /** The extension-host tests: the tool asks no confirmation. */
  skipToolConfirmation: boolean;
}

export interface ImageAssets extends vscode.Disposable {
  readonly workspace: AssetWorkspace;
}

/** (specFile, index) from a CodeLens, or a node of the view. */
async function entryOf(workspace: AssetWorkspace, target: unknown, index: unknown): Promise<{ spec: AssetSpecView; entry: AssetEntryView }> {
  let specFile: string | undefined;
  let entryIndex: number | undefined;
  if (typeof target === 'string' && typeof index === 'number') {
    specFile = target;
    entryIndex = index;
  } else if (target instanceof vscode.Uri && typeof index === 'number') {
    specFile = target.fsPath;
    entryIndex = index;
  } else if (isNode(target) && target.kind === 'entry') {
    specFile = target.specFile;
    entryIndex = target.entry.state.entry.index;
  }
  if (specFile === undefined || entryIndex === undefined) throw new Error('Choose an entry in the Image Assets view or a spec file.');
  const spec = await workspace.refresh(specFile);
  if (spec.error !== undefined) throw new Error(`${specFile}: ${spec.error}`);
  const entry = spec.entries[entryIndex];
  if (!entry) throw new Error(`${specFile} has no entry ${entryIndex} any more.`);
  return { spec, entry };
}

function isNode(value: unknown): value is AssetTreeNode {
  return typeof value === 'object' && value !== null && 'kind' in value && ((value as AssetTreeNode).kind === 'spec' || (value as AssetTreeNode).kind === 'entry');
}

export function registerImageAssets(deps: ImageAssetsDeps): ImageAssets {
  const workspace = new AssetWorkspace({ log: deps.log, modelsFolder: deps.modelsFolder, catalog: deps.catalog });
  const disposables: vscode.Disposable[] = [workspace];
  const tree = vscode.window.createTreeView(IMAGE_ASSETS_VIEW_ID, { treeDataProvider: new AssetTreeProvider(workspace), showCollapseAll: true });
  disposables.push(tree);
  disposables.push(
    vscode.languages.registerCodeLensProvider(
      [
        { scheme: 'file', pattern: '**/local-diffusion.json' },
        { scheme: 'file', pattern: '**/*.local-diffusion.json' },
      ],
      new AssetCodeLensProvider(workspace),
    ),
  );
  disposables.push(
    vscode.tasks.registerTaskProvider(
      ASSET_TASK_TYPE,
      new AssetTaskProvider({ extensionPath: deps.extensionPath, settings: deps.settings, modelsFolder: deps.modelsFolder }),
    ),
  );

  const buildDeps = { generation: deps.generation, workspace, settings: deps.settings, log: deps.log };
  const build = async (targets: AssetBuildTarget[], force: boolean): Promise<void> => {
    const summary = await runAssetBuild(buildDeps, targets, force);
    const message = describeAssetBuild(summary);
    if (summary.failed.length > 0) {
      void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
        if (choice === 'Show Log') deps.log.show();
      });
    } else void vscode.window.showInformationMessage(message);
  };
  /** Every valid spec (or the one a view node or a spec Uri names), freshly inspected; bad specs are reported. */
  const targetsOf = async (target: unknown): Promise<AssetBuildTarget[]> => {
    const file = isNode(target) && target.kind === 'spec' ? target.view.file : target instanceof vscode.Uri ? target.fsPath : undefined;
    if (file === undefined) await workspace.scan();
    const views = file !== undefined ? [await workspace.refresh(file)] : await workspace.all();
    const bad = views.filter((v) => v.error !== undefined);
    if (bad.length > 0) {
      void vscode.window.showWarningMessage(`Not built, the spec is invalid: ${bad.map((v) => `${vscode.workspace.asRelativePath(v.file)}: ${v.error}`).join('; ')}`);
    }
    const targets = views.flatMap((v) => (v.entries ? [{ specFile: v.file, states: v.entries.map((e) => e.state) }] : []));
    if (targets.length === 0 && bad.length === 0) {
      throw new Error('No local-diffusion.json in the workspace. Create one (see the README, "Images as code"), or use "Save as Asset" on an image.');
    }
    return targets;
  };

  disposables.push(
    registerFailableCommand(Commands.buildAllAssets, deps.log, async (target) => build(await targetsOf(target), true)),
    registerFailableCommand(Commands.buildStaleAssets, deps.log, async (target) => build(await targetsOf(target), false)),
    registerFailableCommand(Commands.buildAsset, deps.log, async (target, index) => {
      const { spec, entry } = await entryOf(workspace, target, index);
      await build([{ specFile: spec.file, states: [entry.state] }], true);
    }),
    registerFailableCommand(Commands.openAsset, deps.log, async (target, index) => {
      const { spec, entry } = await entryOf(workspace, target, index);
      if (fs.existsSync(entry.state.file)) {
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(entry.state.file));
        return;
      }
      const choice = await vscode.window.showInformationMessage(`${entry.state.entry.output} is not built yet.`, 'Build', 'Show Entry');
      if (choice === 'Build') await build([{ specFile: spec.file, states: [entry.state] }], true);
      else if (choice === 'Show Entry') await vscode.commands.executeCommand(Commands.revealAssetEntry, spec.file, entry.state.entry.index);
    }),
    registerFailableCommand(Commands.revealAssetEntry, deps.log, async (target, index) => {
      const { spec, entry } = await entryOf(workspace, target, index);
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(spec.file));
      const location = locateAssetEntries(document.getText())[entry.state.entry.index];
      const position = document.positionAt(location?.range.start ?? 0);
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position) });
    }),
    registerFailableCommand(Commands.refreshAssets, deps.log, () => workspace.scan()),
    registerSaveAsAssetCommand({
      workspace,
      log: deps.log,
      selectedModel: () => {
        const selected = deps.selectedModel();
        return 'problem' in selected ? undefined : selected;
      },
    }),
    registerGenerateImageTool({
      generation: deps.generation,
      workspace,
      settings: deps.settings,
      log: deps.log,
      modelsFolder: deps.modelsFolder,
      catalog: deps.catalog,
      selectedModel: deps.selectedModel,
      skipConfirmation: deps.skipToolConfirmation,
    }),
  );

  return {
    workspace,
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}
