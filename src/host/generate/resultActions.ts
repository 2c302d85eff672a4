// What the Generate panel's result buttons do on the host: save to the workspace (never overwriting), Save As…,
// open, copy a Markdown link, open in the inpaint editor, Save as Asset (src/host/assets/saveAsAssetCommand.ts).
// Saved PNGs are the engine's bytes, so they keep the A1111 `parameters` chunk.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { decodeImage, encodeImage } from '../../node/image/imageCodec';
import { Commands, ViewTypes } from '../constants';
import { imageFileName } from '../output/fileNaming';
import { markdownImage, markdownImageLink } from '../output/markdownLink';
import { displayPath, outputFolderUri } from '../output/outputFolder';
import { writeImageNoOverwrite } from '../output/workspaceFileWriter';
import type { Log } from '../util/log';

export interface StoredResult {
  readonly resultId: string;
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Decimal digits (../../common/seed.ts). */
  readonly seed: string;
  readonly prompt: string;
  readonly parameters: string;
  /** The saved PNG (the exact bytes), which Save / Copy Markdown / Inpaint reuse. */
  savedUri?: vscode.Uri;
  /** Every file it was saved to (PNG, JPEG, WebP), oldest first. */
  readonly savedTo: vscode.Uri[];
}

export const SAVE_AS_FILTERS: Record<string, string[]> = { PNG: ['png'], WebP: ['webp'], JPEG: ['jpg', 'jpeg'] };

export class ResultActions {
  constructor(private readonly log: Log) {}

  /** Saves into the output folder under a fresh name; without a workspace folder, asks where (Save As…). */
  async saveToWorkspace(result: StoredResult): Promise<vscode.Uri | undefined> {
    if (result.savedUri) return result.savedUri;
    const folder = outputFolderUri();
    if (!folder) return this.saveAs(result);
    const uri = await writeImageNoOverwrite(folder, imageFileName(result.prompt, result.seed, 'png'), result.png);
    result.savedUri = uri;
    this.log.info(`Saved ${uri.toString(true)}`);
    vscode.window.setStatusBarMessage(`$(check) Saved ${displayPath(uri)}`, 4000);
    return uri;
  }

  /** Asks for a file (the dialog confirms overwriting); .webp/.jpg are converted with their parameters, .png keeps the bytes as they are. */
  async saveAs(result: StoredResult): Promise<vscode.Uri | undefined> {
    const folder = result.savedUri ? vscode.Uri.joinPath(result.savedUri, '..') : outputFolderUri();
    const name = imageFileName(result.prompt, result.seed, 'png');
    const uri = await vscode.window.showSaveDialog({
      title: 'Save Generated Image',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: SAVE_AS_FILTERS,
    });
    if (!uri) return undefined;
    const ext = path.extname(uri.path).toLowerCase();
    const format = ext === '.webp' ? 'webp' : ext === '.jpg' || ext === '.jpeg' ? 'jpeg' : undefined;
    // .webp / .jpg are encoded by the one image encoder, which writes the parameters as EXIF UserComment.
    const bytes = format ? await encodeImage(await decodeImage(result.png), format, { parameters: result.parameters }) : result.png;
    await vscode.workspace.fs.writeFile(uri, bytes);
    this.log.info(`Saved ${uri.toString(true)}`);
    vscode.window.setStatusBarMessage(`$(check) Saved ${displayPath(uri)}${format ? ' (with its parameters)' : ''}`, 4000);
    if (ext === '.png' || ext === '') result.savedUri = uri;
    return uri;
  }

  /** Opens the saved file, or a temporary copy when the result is not saved yet. */
  async open(result: StoredResult): Promise<void> {
    const uri = result.savedUri ?? (await this.temporaryCopy(result));
    await vscode.commands.executeCommand('vscode.open', uri, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  /** Saves (if needed) and copies `![prompt](relative/path.png)`, relative to the active Markdown file if any. */
  async copyMarkdownLink(result: StoredResult): Promise<vscode.Uri | undefined> {
    const uri = await this.saveToWorkspace(result);
    if (!uri) return undefined;
    const relative = relativeLinkPath(uri);
    const link = relative === undefined ? markdownImage(result.prompt, uri.toString()) : markdownImageLink(result.prompt, relative);
    await vscode.env.clipboard.writeText(link);
    vscode.window.setStatusBarMessage(`$(clippy) Copied ${link}`, 4000);
    return uri;
  }

  /** Saves (if needed) and opens the file in the inpaint editor. */
  async openInInpaintEditor(result: StoredResult): Promise<vscode.Uri | undefined> {
    const uri = await this.saveToWorkspace(result);
    if (!uri) return undefined;
    await vscode.commands.executeCommand('vscode.openWith', uri, ViewTypes.inpaintEditor);
    return uri;
  }

  /** Saves (if needed) and adds the file to the nearest local-diffusion.json (the Save as Asset command). */
  async saveAsAsset(result: StoredResult): Promise<vscode.Uri | undefined> {
    const uri = await this.saveToWorkspace(result);
    if (!uri) return undefined;
    await vscode.commands.executeCommand(Commands.saveAsAsset, uri);
    return uri;
  }

  private async temporaryCopy(result: StoredResult): Promise<vscode.Uri> {
    const folder = path.join(os.tmpdir(), 'local-diffusion', result.resultId);
    await fs.mkdir(folder, { recursive: true });
    const file = path.join(folder, imageFileName(result.prompt, result.seed, 'png'));
    await fs.writeFile(file, result.png);
    return vscode.Uri.file(file);
  }
}

/** The link target: relative to the active Markdown document, else to the workspace folder; undefined outside both. */
function relativeLinkPath(target: vscode.Uri): string | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (
    document &&
    (document.languageId === 'markdown' || document.languageId === 'mdx') &&
    document.uri.scheme === target.scheme &&
    document.uri.authority === target.authority
  ) {
    return path.posix.relative(path.posix.dirname(document.uri.path), target.path);
  }
  const folder = vscode.workspace.getWorkspaceFolder(target);
  return folder ? path.posix.relative(folder.uri.path, target.path) : undefined;
}
