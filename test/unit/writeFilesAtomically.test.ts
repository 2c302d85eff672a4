import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFilesAtomically } from '../../src/node/output/writeFilesAtomically';
import { OutputWriteError } from '../../src/node/output/outputWriteError';

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
      { code: 'EEXIST' },
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

describe('writeFilesAtomically failures name the output, not the temporary', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-write-'));
  });
  afterEach(() => {
    fs.chmodSync(dir, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a folder path through a file says which output and why', async () => {
    fs.writeFileSync(path.join(dir, 'notAFolder'), 'x');
    const target = path.join(dir, 'notAFolder', 'out.png');
    await assert.rejects(writeFilesAtomically([{ path: target, bytes: new Uint8Array([1]) }], { overwrite: true }), (error: Error) => {
      assert.ok(error instanceof OutputWriteError);
      assert.ok(error.message.startsWith(`Could not write ${target}: `), error.message);
      assert.doesNotMatch(error.message, /\.tmp|ENOTDIR|EEXIST/);
      return true;
    });
  });

  it('an existing file without overwrite keeps the code and names the target', async () => {
    fs.writeFileSync(path.join(dir, 'b.png'), 'keep');
    await assert.rejects(writeFilesAtomically([{ path: path.join(dir, 'b.png'), bytes: new Uint8Array([2]) }], { overwrite: false }), (error: OutputWriteError) => {
      assert.equal(error.code, 'EEXIST');
      assert.equal(error.message, `Could not write ${path.join(dir, 'b.png')}: a file with that name already exists.`);
      return true;
    });
  });

  it('permission denied (EACCES from the system, with the temporary name) reads as the output and the folder', () => {
    const target = path.join(dir, 'x.png');
    const raw = Object.assign(new Error(`EACCES: permission denied, open '${dir}/.x.png.31384.90928106.tmp'`), { code: 'EACCES' });
    const error = new OutputWriteError(target, raw);
    assert.equal(error.message, `Could not write ${target}: no permission to write in ${dir}.`);
  });

  it('a read-only folder, for a user the system checks permissions for', async function () {
    if (process.getuid?.() === 0) this.skip(); // root ignores permissions; the case above covers the mapping
    fs.chmodSync(dir, 0o500);
    const target = path.join(dir, 'x.png');
    await assert.rejects(writeFilesAtomically([{ path: target, bytes: new Uint8Array([1]) }], { overwrite: true }), {
      message: `Could not write ${target}: no permission to write in ${dir}.`,
    });
  });
});
