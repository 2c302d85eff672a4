// The "Generation History" view (Explorer): every kept generation, newest first, with its thumbnail, prompt, seed,
// model and time; actions *Reuse parameters* (fills the Generate panel), *Copy as asset entry* (a
// local-diffusion.json entry with the exact parameters and seed), *Reveal file*, *Open*, *Remove from History*;
// *Clear History* in the title.
import * as vscode from 'vscode';
import type { HistoryEntry } from '../../common/history/historyIndex';
import { infotextFormParameters } from '../../common/metadata/infotextFormParameters';
import { Commands, Views } from '../constants';
import { GeneratePanel, type GeneratePanelDeps } from '../generate/generatePanel';
import { registerFailableCommand } from '../util/failableCommand';
import { historyAssetEntryJson } from './historyAssetEntry';
import { historyDescription, historyLabel, historyTooltipLines } from './historyLabels';
import type { HistoryStore } from './historyStore';

/** contextValue of an entry's tree item (package.json view/item/context menus). */
export const HISTORY_ENTRY_CONTEXT = 'historyEntry';

class HistoryTreeProvider implements vscode.TreeDataProvider<HistoryEntry> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: HistoryStore) {}

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  getChildren(element?: HistoryEntry): Promise<HistoryEntry[]> | HistoryEntry[] {
    return element ? [] : this.store.list();
  }

  getTreeItem(entry: HistoryEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(historyLabel(entry), vscode.TreeItemCollapsibleState.None);
    item.id = entry.id;
    item.description = historyDescription(entry, Date.now());
    item.iconPath = vscode.Uri.file(this.store.thumbnailPath(entry));
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`![](${vscode.Uri.file(this.store.thumbnailPath(entry)).toString()})\n\n`);
    for (const line of historyTooltipLines(entry)) tooltip.appendText(line).appendMarkdown('\n\n');
    item.tooltip = tooltip;
    item.contextValue = HISTORY_ENTRY_CONTEXT;
    item.command = { command: Commands.historyOpenImage, title: 'Open Image', arguments: [entry] };
    return item;
  }
}

export interface HistoryViewDeps {
  history: HistoryStore;
  panel: GeneratePanelDeps;
}

export function registerHistoryView(deps: HistoryViewDeps): vscode.Disposable {
  const { history, panel } = deps;
  const log = panel.log;
  const provider = new HistoryTreeProvider(history);
  const view = vscode.window.createTreeView(Views.history, { treeDataProvider: provider, showCollapseAll: false });
  const onChange = history.onDidChange(() => provider.refresh());

  /** The entry a command was invoked on: the item's (menus pass it), else the view's selection. */
  const target = async (arg: unknown): Promise<HistoryEntry | undefined> => {
    const id = typeof arg === 'object' && arg !== null && typeof (arg as { id?: unknown }).id === 'string' ? (arg as { id: string }).id : view.selection[0]?.id;
    const entry = id === undefined ? undefined : await history.get(id);
    if (!entry) void vscode.window.showInformationMessage('Choose a generation in the Generation History view first.');
    return entry;
  };

  return vscode.Disposable.from(
    view,
    provider,
    onChange,
    registerFailableCommand(Commands.historyReuseParameters, log, async (arg) => {
      const entry = await target(arg);
      if (!entry) return;
      const read = infotextFormParameters(entry.parameters, 'the history');
      const parameters =
        'parameters' in read
          ? read.parameters
          : // An image without an infotext (an older entry): what the history itself knows.
            { prompt: entry.prompt, negativePrompt: entry.negativePrompt ?? '', seed: entry.seed, width: entry.width, height: entry.height, from: 'the history' };
      GeneratePanel.createOrShow(panel).applyParameters({ ...parameters, from: `the history (seed ${entry.seed})` });
    }),
    registerFailableCommand(Commands.historyCopyAsAssetEntry, log, async (arg) => {
      const entry = await target(arg);
      if (!entry) return;
      await vscode.env.clipboard.writeText(historyAssetEntryJson(entry));
      vscode.window.setStatusBarMessage('$(clippy) Copied an asset entry: paste it into the "images" list of local-diffusion.json', 5000);
    }),
    registerFailableCommand(Commands.historyRevealFile, log, async (arg) => {
      const entry = await target(arg);
      if (!entry) return;
      // A copy saved in the workspace is shown in the Explorer; otherwise the kept file in the OS's file manager.
      const inWorkspace = (entry.savedTo ?? [])
        .map((text) => vscode.Uri.parse(text, true))
        .reverse()
        .find((uri) => vscode.workspace.getWorkspaceFolder(uri) !== undefined);
      if (inWorkspace) await vscode.commands.executeCommand('revealInExplorer', inWorkspace);
      else await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(history.filePath(entry)));
    }),
    registerFailableCommand(Commands.historyOpenImage, log, async (arg) => {
      const entry = await target(arg);
      if (!entry) return;
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(history.filePath(entry)), { preview: true });
    }),
    registerFailableCommand(Commands.historyRemove, log, async (arg) => {
      const entry = await target(arg);
      if (entry) await history.remove([entry.id]);
    }),
    registerFailableCommand(Commands.historyRefresh, log, () => provider.refresh()),
    registerFailableCommand(Commands.historyClear, log, async () => {
      const entries = await history.list();
      if (entries.length === 0) return;
      const clear = 'Clear History';
      const answer = await vscode.window.showWarningMessage(
        `Remove all ${entries.length} generations from the history? Files you saved elsewhere stay.`,
        { modal: true },
        clear,
      );
      if (answer === clear) await history.clear();
    }),
  );
}
