// The VSIX reader (tools/vsix/vsixContents.ts) on zips written by test/fixtures/writeZip.ts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VsixContents } from '../../tools/vsix/vsixContents';
import { writeZip, type ZipEntryInput } from '../fixtures/writeZip';

describe('VsixContents', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-contents-test-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  let counter = 0;
  function zipFile(entries: readonly ZipEntryInput[], comment?: string): string {
    const file = path.join(dir, `t${counter++}.vsix`);
    fs.writeFileSync(file, writeZip(entries, comment));
    return file;
  }

  const text = (s: string): Buffer => Buffer.from(s, 'utf8');
  // Compressible and long enough that deflate really shrinks it.
  const big = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 7));

  it('lists the entries in order with their sizes and methods', () => {
    const file = zipFile([
      { name: 'extension.vsixmanifest', data: text('<xml/>'), method: 'store' },
      { name: 'extension/dist/extension.js', data: big },
      { name: 'extension/media/', data: Buffer.alloc(0), method: 'store' },
    ]);
    const contents = VsixContents.open(file);
    assert.deepEqual(contents.names(), ['extension.vsixmanifest', 'extension/dist/extension.js', 'extension/media/']);
    const [manifest, bundle] = contents.entries;
    assert.equal(manifest!.method, 0);
    assert.equal(manifest!.size, 6);
    assert.equal(bundle!.method, 8);
    assert.equal(bundle!.size, 5000);
    assert.ok(bundle!.compressedSize < 5000, `deflated to ${bundle!.compressedSize}`);
  });

  it('reads stored and deflated entries byte for byte', () => {
    const file = zipFile([
      { name: 'a.txt', data: text('stored ünïcode'), method: 'store' },
      { name: 'b.bin', data: big },
    ]);
    const contents = VsixContents.open(file);
    assert.equal(contents.read('a.txt').toString('utf8'), 'stored ünïcode');
    assert.deepEqual(contents.read('b.bin'), big);
    assert.throws(() => contents.read('c.txt'), /no entry c\.txt/);
  });

  it('gives the extension files without the extension/ prefix, and the native ones with their sizes', () => {
    const file = zipFile([
      { name: '[Content_Types].xml', data: text('x') },
      { name: 'extension/package.json', data: text('{"name":"x"}') },
      { name: 'extension/node_modules/', data: Buffer.alloc(0), method: 'store' },
      { name: 'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1', data: big },
      { name: 'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node', data: text('node') },
      { name: 'extension/node_modules/@img/sharp-win32-x64/lib/libvips-42.dll', data: text('dll') },
      { name: 'extension/node_modules/x/lib/libfoo.1.dylib', data: text('dylib') },
      { name: 'extension/node_modules/x/README.so.md', data: text('not native') },
    ]);
    const contents = VsixContents.open(file);
    assert.deepEqual(contents.extensionFiles(), [
      'package.json',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'node_modules/@img/sharp-win32-x64/lib/libvips-42.dll',
      'node_modules/x/lib/libfoo.1.dylib',
      'node_modules/x/README.so.md',
    ]);
    assert.deepEqual(contents.nativeFiles(), [
      { path: 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1', size: 5000 },
      { path: 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node', size: 4 },
      { path: 'node_modules/@img/sharp-win32-x64/lib/libvips-42.dll', size: 3 },
      { path: 'node_modules/x/lib/libfoo.1.dylib', size: 5 },
    ]);
    assert.deepEqual(contents.manifest(), { name: 'x' });
    assert.ok(contents.has('extension/package.json'));
    assert.ok(!contents.has('package.json'));
  });

  it('finds the end record behind an archive comment', () => {
    const file = zipFile([{ name: 'a.txt', data: text('hello') }], 'a comment that ends the file');
    assert.equal(VsixContents.open(file).read('a.txt').toString(), 'hello');
  });

  it('refuses an entry whose CRC-32 does not match', () => {
    const file = zipFile([{ name: 'a.txt', data: text('hello'), crc32Override: 0x12345678 }]);
    assert.throws(() => VsixContents.open(file).read('a.txt'), /fails its CRC-32/);
  });

  it('refuses a file that is not a zip', () => {
    const file = path.join(dir, 'not-a-zip.vsix');
    fs.writeFileSync(file, Buffer.alloc(100, 1));
    assert.throws(() => VsixContents.open(file), /not a zip file/);
  });
});
