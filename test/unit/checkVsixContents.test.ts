// The packaging script's content check (tools/vsix/checkVsixContents.ts) on hand-made VSIX zips.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkVsixContents, MAX_VSIX_BYTES, REQUIRED_BUNDLES } from '../../tools/vsix/checkVsixContents';
import { VsixContents } from '../../tools/vsix/vsixContents';
import { findTarget } from '../../tools/vsix/vsixTargets';
import { writeZip } from '../fixtures/writeZip';

const linuxX64 = findTarget('linux-x64');
const SHARP_PINS = { '@img/sharp-linux-x64': '0.35.5', '@img/sharp-libvips-linux-x64': '1.3.4', '@img/sharp-win32-x64': '0.35.5' };

/** The files of a linux-x64 VSIX that passes (relative to extension/). */
const GOOD_FILES: Record<string, string> = {
  'package.json': '{"name":"local-diffusion"}',
  'readme.md': '# x',
  'changelog.md': '# y',
  'LICENSE.txt': 'MIT',
  ...Object.fromEntries(REQUIRED_BUNDLES.map((f) => [f, '//'])),
  'media/icon.png': 'png',
  'models/analytic-shapes/model_index.json': '{}',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node': 'so',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1': 'so',
  'node_modules/sharp/package.json': JSON.stringify({ name: 'sharp', optionalDependencies: SHARP_PINS }),
  'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64-0.35.5.node': 'so',
  'node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.18.7': 'so',
};

describe('checkVsixContents', () => {
  let dir: string;
  let counter = 0;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-vsix-test-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function problems(files: Record<string, string | undefined>, sizeBytes = 1_000_000, models = ['analytic-shapes']): string[] {
    const entries = Object.entries(files)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([name, text]) => ({ name: `extension/${name}`, data: Buffer.from(text) }));
    const file = path.join(dir, `t${counter++}.vsix`);
    fs.writeFileSync(file, writeZip([{ name: 'extension.vsixmanifest', data: Buffer.from('<x/>') }, ...entries]));
    return checkVsixContents(VsixContents.open(file), { target: linuxX64, models, sizeBytes });
  }

  it('passes a VSIX with the bundles, the store files, the model and only linux-x64 binaries', () => {
    assert.deepEqual(problems(GOOD_FILES), []);
  });

  it('reports the size budget', () => {
    assert.deepEqual(problems(GOOD_FILES, MAX_VSIX_BYTES + 1), ['40.0 MB is over the 40 MB budget']);
    assert.deepEqual(problems(GOOD_FILES, MAX_VSIX_BYTES), []);
  });

  it("reports another platform's binaries", () => {
    assert.deepEqual(problems({ ...GOOD_FILES, 'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll': 'dll' }), [
      "win32-x64's ONNX Runtime binaries are inside (node_modules/onnxruntime-node/bin/napi-v6/win32/x64/)",
    ]);
    assert.deepEqual(problems({ ...GOOD_FILES, 'node_modules/@img/sharp-win32-x64/lib/libvips-42.dll': 'dll' }), [
      "another platform's sharp package is inside: node_modules/@img/sharp-win32-x64/lib/libvips-42.dll",
    ]);
  });

  it('reports missing bindings, bundles, store files and models', () => {
    assert.deepEqual(
      problems({
        ...GOOD_FILES,
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node': undefined,
        'node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.18.7': undefined,
        'dist/engine.js': undefined,
        'changelog.md': undefined,
      }, 1_000, ['analytic-shapes', 'tiny-shapes']),
      [
        'dist/engine.js is missing',
        'CHANGELOG is missing',
        'the built-in model tiny-shapes is missing',
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node is missing',
        'node_modules/@img/sharp-libvips-linux-x64/ has no native file',
      ],
    );
  });

  it('reports sources, tests, tools and source maps', () => {
    assert.deepEqual(
      problems({ ...GOOD_FILES, 'src/extension.ts': 'x', 'test/unit/a.test.ts': 'x', 'dist/tools/packageVsix.js': 'x', 'dist/extension.js.map': '{}' }),
      [
        'src/extension.ts should not ship (src/)',
        'test/unit/a.test.ts should not ship (test/)',
        'dist/tools/packageVsix.js should not ship (dist/tools/)',
        'source maps ship: dist/extension.js.map',
      ],
    );
  });
});
