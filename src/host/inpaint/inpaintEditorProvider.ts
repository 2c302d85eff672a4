// The `localDiffusion.inpaintEditor` custom editor provider. Thin: documents own state, save, revert and
// backup (InpaintDocument); each panel gets an InpaintEditorView; document edits become
// onDidChangeCustomDocument events carrying undo/redo, so VS Code's undo stack and dirty state drive them.
import * as vscode from 'vscode';
import type { GenerationService } from '../jobs/generationService';
import type { Log } from '../util/log';
import { readSettings } from '../settings';
import { InpaintDocument } from './inpaintDocument';
import { InpaintEditorView } from './inpaintEditorView';
import type { InpaintSettingsStore } from './inpaintSettingsStore';

export interface InpaintEditorProviderDeps {
  extensionUri: vscode.Uri;
  generation: GenerationService;
  log: Log;
  settings: InpaintSettingsStore;
}

export class InpaintEditorProvider implements vscode.CustomEditorProvider<InpaintDocument>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<InpaintDocument>>();
  readonly onDidChangeCustomDocument = this.changeEmitter.event;

  constructor(private readonly deps: InpaintEditorProviderDeps) {}

  async openCustomDocument(
    uri: vscode.Uri,
    openContext: vscode.CustomDocumentOpenContext,
    _token: vscode.CancellationToken,
  ): Promise<InpaintDocument> {
    const document = await InpaintDocument.create(uri, openContext, { generation: this.deps.generation, log: this.deps.log });
    const subscription = document.onDidEdit((edit) => this.changeEmitter.fire({ document, ...edit }));
    document.onDidDispose(() => subscription.dispose());
    return document;
  }

  async resolveCustomEditor(document: InpaintDocument, panel: vscode.WebviewPanel, _token: vscode.CancellationToken): Promise<void> {
    // The view disposes itself with its panel.
    new InpaintEditorView(panel, document, {
      extensionUri: this.deps.extensionUri,
      log: this.deps.log,
      settings: this.deps.settings,
      countTokens: (texts) => this.deps.generation.countTokens(texts),
      modelInfo: () => this.deps.generation.modelInfo(),
      loraFolders: () => readSettings(vscode.workspace).loraFolders,
    });
  }

  saveCustomDocument(document: InpaintDocument, token: vscode.CancellationToken): Thenable<void> {
    return document.save(token);
  }

  saveCustomDocumentAs(document: InpaintDocument, destination: vscode.Uri, token: vscode.CancellationToken): Thenable<void> {
    return document.saveAs(destination, token);
  }

  revertCustomDocument(document: InpaintDocument, token: vscode.CancellationToken): Thenable<void> {
    return document.revert(token);
  }

  backupCustomDocument(
    document: InpaintDocument,
    context: vscode.CustomDocumentBackupContext,
    token: vscode.CancellationToken,
  ): Thenable<vscode.CustomDocumentBackup> {
    return document.backup(context.destination, token);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
