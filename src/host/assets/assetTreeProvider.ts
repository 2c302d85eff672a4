// The *Image Assets* view: each spec of the workspace, and under it each entry with its status (fresh / stale /
// missing / failed) and, once built, the image itself as its icon (a thumbnail).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { displayPath } from '../output/outputFolder';
import type { AssetEntryStatus, AssetEntryView, AssetSpecView, AssetWorkspace } from './assetWorkspace';

export type AssetTreeNode = { kind: 'spec'; view: AssetSpecView } | { kind: 'entry'; specFile: string; entry: AssetEntryView };

const STATUS_ICONS: Readonly<Record<AssetEntryStatus, vscode.ThemeIcon>> = {
  fresh: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  stale: new vscode.ThemeIcon('history', new vscode.ThemeColor('list.warningForeground')),
  missing: new vscode.ThemeIcon('circle-large-outline'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
};

const STATUS_DESCRIPTIONS: Readonly<Record<AssetEntryStatus, string>> = {
  fresh: 'fresh',
  stale: 'stale: the entry, its defaults or its model changed since it was built',
  missing: 'missing: not built yet',
  failed: 'failed',
};

export class AssetTreeProvider implements vscode.TreeDataProvider<AssetTreeNode> {
  readonly onDidChangeTreeData: vscode.Event<void>;

  constructor(private readonly workspace: AssetWorkspace) {
    this.onDidChangeTreeData = workspace.onDidChange;
  }

  async getChildren(node?: AssetTreeNode): Promise<AssetTreeNode[]> {
    if (!node) return (await this.workspace.all()).map((view) => ({ kind: 'spec', view }));
    if (node.kind === 'spec') return (node.view.entries ?? []).map((entry) => ({ kind: 'entry', specFile: node.view.file, entry }));
    return [];
  }

  getTreeItem(node: AssetTreeNode): vscode.TreeItem {
    return node.kind === 'spec' ? specItem(node.view) : entryItem(node.specFile, node.entry);
  }
}

function specItem(view: AssetSpecView): vscode.TreeItem {
  const uri = vscode.Uri.file(view.file);
  const item = new vscode.TreeItem(displayPath(uri) || path.basename(view.file), vscode.TreeItemCollapsibleState.Expanded);
  item.id = `spec:${view.file}`;
  item.resourceUri = uri;
  item.contextValue = 'localDiffusion.assetSpec';
  if (view.error !== undefined) {
    item.collapsibleState = vscode.TreeItemCollapsibleState.None;
    item.iconPath = STATUS_ICONS.failed;
    item.description = view.error;
    item.tooltip = `${view.file}${view.position ? `:${view.position.line}:${view.position.column}` : ''}\n${view.error}`;
    const selection = view.position ? new vscode.Range(view.position.line - 1, view.position.column - 1, view.position.line - 1, view.position.column - 1) : undefined;
    item.command = { title: 'Open', command: 'vscode.open', arguments: [uri, selection ? { selection } : {}] };
    return item;
  }
  const counts = new Map<AssetEntryStatus, number>();
  for (const entry of view.entries) counts.set(entry.status, (counts.get(entry.status) ?? 0) + 1);
  item.description = (['fresh', 'stale', 'missing', 'failed'] as const)
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(', ');
  item.iconPath = new vscode.ThemeIcon('json');
  item.tooltip = view.file;
  return item;
}

function entryItem(specFile: string, entry: AssetEntryView): vscode.TreeItem {
  const { state, status } = entry;
  const item = new vscode.TreeItem(state.entry.output, vscode.TreeItemCollapsibleState.None);
  item.id = `entry:${specFile}#${state.entry.index}`;
  item.description = status;
  const exists = status === 'fresh' || status === 'stale' || (status === 'failed' && fs.existsSync(state.file));
  // The image as its own icon: VS Code shows an image file given as iconPath scaled to the row.
  item.iconPath = exists ? vscode.Uri.file(state.file) : STATUS_ICONS[status];
  if (exists) item.resourceUri = vscode.Uri.file(state.file);
  item.contextValue = `localDiffusion.asset.${status}`;
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escapeMarkdown(state.entry.output)}**: ${escapeMarkdown(STATUS_DESCRIPTIONS[status])}\n\n`);
  if (entry.error !== undefined) tooltip.appendMarkdown(`${escapeMarkdown(entry.error)}\n\n`);
  tooltip.appendText(`${state.entry.prompt}\n`);
  tooltip.appendMarkdown(`\n\nSeed ${state.entry.seed.toString()}, model ${escapeMarkdown(state.entry.model)}`);
  item.tooltip = tooltip;
  // A click opens the image, or, before it exists, the entry in its spec.
  item.command = exists
    ? { title: 'Open', command: 'vscode.open', arguments: [vscode.Uri.file(state.file)] }
    : { title: 'Show Entry', command: Commands.revealAssetEntry, arguments: [specFile, state.entry.index] };
  return item;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
