import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { webviewDocument } from './webviewDocument';

export interface WebviewPage {
  /** Bundle name under dist/webview/ (e.g. 'generate' → dist/webview/generate.js). */
  script: string;
  /** Stylesheets under media/. */
  styles: string[];
  title: string;
}

/** The folders a webview may load from: the bundles and the static media, nothing else. */
export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/**
 * The one place webview HTML is built: a crypto nonce, a strict CSP, resources through asWebviewUri.
 * Set it once per webview; after that the page is driven by messages only.
 */
export function renderWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  return webviewDocument({
    cspSource: webview.cspSource,
    nonce: crypto.randomBytes(16).toString('base64'),
    styleHrefs: page.styles.map((s) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', s)).toString()),
    scriptSrc: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${page.script}.js`)).toString(),
    title: page.title,
  });
}
