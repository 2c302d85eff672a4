import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFilesAtomically } from '../../src/node/output/writeFilesAtomically';

describe('writeFilesAtomically', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-write-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes every file and leaves no temporary behind', async () => {
    await writeFilesAtomically(
      [
        { path: path.join(dir, 'a.png'), bytes: new Uint8Array([1, 2]) },
        { path: path.join(dir, 'sub', 'b.png'), bytes: new Uint8Array([3]) },
      ],
      { overwrite: false },
    );
    assert.deepEqual([...fs.readFileSync(path.join(dir, 'a.png'))], [1, 2]);
    assert.deepEqual([...fs.readFileSync(path.join(dir, 'sub', 'b.png'))], [3]);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a.png', 'sub']);
  });

  it('without overwrite, an existing file fails the whole call and nothing new remains', async () => {
    fs.writeFileSync(path.join(dir, 'b.png'), 'keep');
    await assert.rejects(
      writeFilesAtomically(
        [
          { path: path.join(dir, 'a.png'), bytes: new Uint8Array([1]) },
          { path: path.join(dir, 'b.png'), bytes: new Uint8Array([2]) },
        ],
        { overwrite: false },
      ),
      /EEXIST/,
    );
    assert.deepEqual(fs.readdirSync(dir), ['b.png']);
    assert.equal(fs.readFileSync(path.join(dir, 'b.png'), 'utf8'), 'keep');
  });

  it('with overwrite, replaces the file atomically', async () => {
    fs.writeFileSync(path.join(dir, 'a.png'), 'old');
    await writeFilesAtomically([{ path: path.join(dir, 'a.png'), bytes: new Uint8Array([9]) }], { overwrite: true });
    assert.deepEqual([...fs.readFileSync(path.join(dir, 'a.png'))], [9]);
    assert.deepEqual(fs.readdirSync(dir), ['a.png']);
  });
});
