import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { imageFileName, MAX_SLUG_LENGTH, numberedFileName, promptSlug } from '../../src/host/output/fileNaming';
import { nodeFileWriter, saveImageFile } from '../../src/host/output/saveImageFile';

describe('file naming', () => {
  it('slugs a prompt into lower-case ASCII words', () => {
    assert.equal(promptSlug('A red fox'), 'a-red-fox');
    assert.equal(promptSlug('  (masterpiece:1.2), a Café  at   NIGHT!! '), 'masterpiece-1-2-a-cafe-at-night');
    assert.equal(promptSlug('Ünïcödé façade, naïve'), 'unicode-facade-naive');
    assert.equal(promptSlug('../../etc/passwd'), 'etc-passwd');
    assert.equal(promptSlug('C:\\Windows\\system32'), 'c-windows-system32');
  });

  it('falls back to "image" when nothing usable is left', () => {
    assert.equal(promptSlug(''), 'image');
    assert.equal(promptSlug('!!! ??? ...'), 'image');
    assert.equal(promptSlug('日本の風景'), 'image');
  });

  it('cuts long prompts at a word boundary', () => {
    const slug = promptSlug('a very long prompt about a castle on a hill under a starry sky with dragons and knights');
    assert.equal(slug, 'a-very-long-prompt-about-a-castle-on-a-hill'); // '-under' would make 49
    assert.ok(slug.length <= MAX_SLUG_LENGTH);
    assert.equal(promptSlug('x'.repeat(100)), 'x'.repeat(MAX_SLUG_LENGTH), 'a single over-long word is cut');
  });

  it('names files <slug>-<seed>[-suffix].<ext>', () => {
    assert.equal(imageFileName('A red fox', 1234, 'png'), 'a-red-fox-1234.png');
    assert.equal(imageFileName('A red fox', 0, '.webp'), 'a-red-fox-0.webp');
    assert.equal(imageFileName('icon', 4294967295, 'png', '32x32'), 'icon-4294967295-32x32.png');
  });

  it('numbers candidates -2, -3, … before the extension', () => {
    assert.equal(numberedFileName('a-red-fox-1234.png', 1), 'a-red-fox-1234.png');
    assert.equal(numberedFileName('a-red-fox-1234.png', 2), 'a-red-fox-1234-2.png');
    assert.equal(numberedFileName('a-red-fox-1234.png', 13), 'a-red-fox-1234-13.png');
    assert.equal(numberedFileName('noext', 3), 'noext-3');
  });
});

describe('saveImageFile (node writer)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-save-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const bytes = (n: number) => Uint8Array.from({ length: 16 }, (_, i) => (i * n) & 0xff);

  it('never overwrites: the second and third saves get -2 and -3', async () => {
    const writer = nodeFileWriter(dir);
    assert.equal(await saveImageFile(writer, 'fox-1.png', bytes(1)), 'fox-1.png');
    assert.equal(await saveImageFile(writer, 'fox-1.png', bytes(2)), 'fox-1-2.png');
    assert.equal(await saveImageFile(writer, 'fox-1.png', bytes(3)), 'fox-1-3.png');
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, 'fox-1.png'))), bytes(1));
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, 'fox-1-2.png'))), bytes(2));
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, 'fox-1-3.png'))), bytes(3));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['fox-1-2.png', 'fox-1-3.png', 'fox-1.png'], 'no temp files left');
  });

  it('keeps a file that exists before the first save', async () => {
    fs.writeFileSync(path.join(dir, 'keep-7.png'), 'precious');
    const name = await saveImageFile(nodeFileWriter(dir), 'keep-7.png', bytes(5));
    assert.equal(name, 'keep-7-2.png');
    assert.equal(fs.readFileSync(path.join(dir, 'keep-7.png'), 'utf8'), 'precious');
  });

  it('gives concurrent saves of one name distinct files', async () => {
    const writer = nodeFileWriter(dir);
    const names = await Promise.all([1, 2, 3, 4, 5].map((n) => saveImageFile(writer, 'same-1.png', bytes(n))));
    assert.equal(new Set(names).size, 5);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['same-1-2.png', 'same-1-3.png', 'same-1-4.png', 'same-1-5.png', 'same-1.png']);
    const contents = names.map((n) => fs.readFileSync(path.join(dir, n))[1]);
    assert.deepEqual([...contents].sort((a, b) => a! - b!), [1, 2, 3, 4, 5]);
  });

  it('creates the output folder and refuses names with path separators', async () => {
    const nested = path.join(dir, 'generated', 'icons');
    assert.equal(await saveImageFile(nodeFileWriter(nested), 'a-1.png', bytes(1)), 'a-1.png');
    assert.ok(fs.existsSync(path.join(nested, 'a-1.png')));
    await assert.rejects(nodeFileWriter(dir).writeIfAbsent('../escape.png', bytes(1)), /Not a plain file name/);
    assert.ok(!fs.existsSync(path.join(dir, '..', 'escape.png')));
  });
});
