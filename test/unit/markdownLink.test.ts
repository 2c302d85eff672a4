import * as assert from 'node:assert/strict';
import { markdownImage, markdownImageLink } from '../../src/host/output/markdownLink';

describe('markdown image links', () => {
  it('links a workspace-relative path', () => {
    assert.equal(markdownImageLink('a red fox', 'generated/a-red-fox-1234.png'), '![a red fox](generated/a-red-fox-1234.png)');
    assert.equal(markdownImageLink('fox', '../images/fox-1.png'), '![fox](../images/fox-1.png)');
  });

  it('percent-encodes characters that would break the link', () => {
    assert.equal(markdownImageLink('x', 'my images/fox (1).png'), '![x](my%20images/fox%20%281%29.png)');
  });

  it('escapes brackets in the alt text and keeps it on one short line', () => {
    assert.equal(markdownImageLink('a [red] fox\nat night', 'f.png'), '![a \\[red\\] fox at night](f.png)');
    const alt = /^!\[(.*)\]\(f\.png\)$/.exec(markdownImageLink('word '.repeat(40), 'f.png'))?.[1];
    assert.equal(alt?.length, 80);
    assert.ok(alt?.endsWith('…'));
  });

  it('uses an already-encoded destination as it is', () => {
    assert.equal(markdownImage('fox', 'file:///tmp/a%20b.png'), '![fox](file:///tmp/a%20b.png)');
  });
});
