// The HTML of every webview page: a strict CSP, the page's stylesheets and its one script (nonce-gated). No vscode
// import, so the end-to-end page tests load exactly this document.

export interface WebviewDocumentParts {
  /** webview.cspSource: the origin webview resources are served from. */
  cspSource: string;
  /** A fresh random nonce: the only script that may run is the one carrying it. */
  nonce: string;
  /** Stylesheet URIs (webview.asWebviewUri of media/*.css). */
  styleHrefs: readonly string[];
  /** The page's bundle URI (webview.asWebviewUri of dist/webview/<page>.js). */
  scriptSrc: string;
  title: string;
}

export function webviewDocument(parts: WebviewDocumentParts): string {
  const csp = [
    "default-src 'none'",
    `img-src ${parts.cspSource} blob: data:`,
    `style-src ${parts.cspSource}`,
    `font-src ${parts.cspSource}`,
    `script-src 'nonce-${parts.nonce}'`,
  ].join('; ');
  const styleLinks = parts.styleHrefs.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styleLinks}
    <title>${escapeHtml(parts.title)}</title>
  </head>
  <body>
    <div id="app"></div>
    <script nonce="${parts.nonce}" src="${parts.scriptSrc}"></script>
  </body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
