// CodeLens on a spec file: *Build Stale* and *Build All* on its `images` line, and on each entry its status, *Build*
// and *Open*. Entries are located in the document's text (src/common/assets/locateAssetEntries.ts), so the lenses
// follow edits; the status is shown only while the document matches the file on disk (the inspection read that).
import * as vscode from 'vscode';
import { locateAssetEntries, locateImagesKey } from '../../common/assets/locateAssetEntries';
import { Commands } from '../constants';
import type { AssetWorkspace } from './assetWorkspace';

export class AssetCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly workspace: AssetWorkspace) {
    this.onDidChangeCodeLenses = workspace.onDidChange;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (document.uri.scheme !== 'file') return [];
    const locations = locateAssetEntries(document.getText());
    if (locations.length === 0) return [];
    const view = document.isDirty ? undefined : await this.workspace.get(document.uri.fsPath);
    const lenses: vscode.CodeLens[] = [];
    // On the "images" line: the whole spec.
    const images = document.positionAt(locateImagesKey(document.getText()) ?? 0);
    const top = new vscode.Range(images, images);
    const pending = view?.entries?.filter((e) => e.status !== 'fresh').length;
    lenses.push(
      new vscode.CodeLens(top, {
        title: `$(play) Build Stale${pending !== undefined ? ` (${pending})` : ''}`,
        tooltip: 'Build the missing and stale images of this spec',
        command: Commands.buildStaleAssets,
        arguments: [document.uri],
      }),
      new vscode.CodeLens(top, { title: 'Build All', tooltip: 'Rebuild every image of this spec', command: Commands.buildAllAssets, arguments: [document.uri] }),
    );
    for (const location of locations) {
      const start = document.positionAt(location.range.start);
      const range = new vscode.Range(start, start);
      const args = [document.uri.fsPath, location.index];
      const entry = view?.entries?.[location.index];
      if (entry && entry.state.entry.output === location.output) {
        lenses.push(new vscode.CodeLens(range, { title: entry.status, tooltip: entry.error ?? `${entry.state.file}`, command: '' }));
      }
      lenses.push(new vscode.CodeLens(range, { title: '$(play) Build', tooltip: `Build ${location.output ?? 'this entry'}`, command: Commands.buildAsset, arguments: args }));
      lenses.push(new vscode.CodeLens(range, { title: 'Open', tooltip: `Open ${location.output ?? 'the image'}`, command: Commands.openAsset, arguments: args }));
    }
    return lenses;
  }
}
