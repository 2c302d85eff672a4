// The webview page document (src/host/util/webviewDocument.ts): strict CSP, nonce-gated script, escaped title.
import * as assert from 'node:assert/strict';
import { webviewDocument } from '../../src/host/util/webviewDocument';

describe('webviewDocument', () => {
  const html = webviewDocument({
    cspSource: 'https://res.example',
    nonce: 'n0nce',
    styleHrefs: ['https://res.example/media/a.css', 'https://res.example/media/b.css'],
    scriptSrc: 'https://res.example/dist/webview/page.js',
    title: 'Inpaint <a & "b">',
  });

  it('allows nothing by default, resources from the webview origin, scripts by nonce only', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
    assert.equal(
      csp,
      "default-src 'none'; img-src https://res.example blob: data:; style-src https://res.example; font-src https://res.example; script-src 'nonce-n0nce'",
    );
    assert.deepEqual([...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]), [' nonce="n0nce" src="https://res.example/dist/webview/page.js"']);
  });

  it('links every stylesheet and escapes the title', () => {
    assert.equal([...html.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].length, 2);
    assert.match(html, /<title>Inpaint &#60;a &#38; &#34;b&#34;&#62;<\/title>/);
  });
});
