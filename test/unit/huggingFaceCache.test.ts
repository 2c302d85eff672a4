import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findCachedFile, huggingFaceHubCacheDir, repoCacheFolderName } from '../../src/node/modelStore/huggingFaceCache';
import { huggingFaceTokenFromEnvironment } from '../../src/node/modelStore/huggingFaceToken';

describe('Hugging Face cache and token', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-hfcache-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds the cache where huggingface_hub puts it', () => {
    const home = '/home/u';
    assert.equal(huggingFaceHubCacheDir({}, home), path.join(home, '.cache', 'huggingface', 'hub'));
    assert.equal(huggingFaceHubCacheDir({ XDG_CACHE_HOME: '/xdg' }, home), path.join('/xdg', 'huggingface', 'hub'));
    assert.equal(huggingFaceHubCacheDir({ HF_HOME: '/hf', XDG_CACHE_HOME: '/xdg' }, home), path.join('/hf', 'hub'));
    assert.equal(huggingFaceHubCacheDir({ HUGGINGFACE_HUB_CACHE: '/old', HF_HOME: '/hf' }, home), '/old');
    assert.equal(huggingFaceHubCacheDir({ HF_HUB_CACHE: '/new', HUGGINGFACE_HUB_CACHE: '/old' }, home), '/new');
    assert.equal(repoCacheFolderName('stabilityai/sd-turbo'), 'models--stabilityai--sd-turbo');
  });

  it('looks up blobs by sha256 or git oid, then the snapshot of the commit, then other snapshots; sizes must match', async () => {
    const repo = path.join(root, 'models--o--n');
    const sha = 'ab'.repeat(32);
    const oid = 'cd'.repeat(20);
    fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'blobs', sha), 'x'.repeat(10));
    fs.writeFileSync(path.join(repo, 'blobs', oid), '{}');
    fs.mkdirSync(path.join(repo, 'snapshots', 'c1', 'scheduler'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'snapshots', 'c0', 'tokenizer'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'snapshots', 'c1', 'scheduler', 'scheduler_config.json'), 'abc');
    fs.writeFileSync(path.join(repo, 'snapshots', 'c0', 'tokenizer', 'vocab.json'), 'vocab');
    const lookup = (repoPath: string, size: number, extra: object = {}): Promise<string | undefined> =>
      findCachedFile(root, { repoId: 'o/n', repoPath, size, oid: 'ee'.repeat(20), commit: 'c1', ...extra });
    assert.equal(await lookup('unet/model.onnx', 10, { sha256: sha }), path.join(repo, 'blobs', sha));
    assert.equal(await lookup('unet/model.onnx', 11, { sha256: sha }), undefined, 'wrong size');
    assert.equal(await lookup('model_index.json', 2, { oid }), path.join(repo, 'blobs', oid));
    assert.equal(await lookup('scheduler/scheduler_config.json', 3), path.join(repo, 'snapshots', 'c1', 'scheduler', 'scheduler_config.json'));
    assert.equal(await lookup('tokenizer/vocab.json', 5), path.join(repo, 'snapshots', 'c0', 'tokenizer', 'vocab.json'));
    assert.equal(await findCachedFile(root, { repoId: 'o/other', repoPath: 'x', size: 1, oid }), undefined);
  });

  it('takes the token from HF_TOKEN, the legacy variable, or the login file', () => {
    const files: Record<string, string> = { [path.join('/hf', 'token')]: 'hf_file\n', '/custom/token': 'hf_custom' };
    const read = (file: string): string => {
      if (files[file] === undefined) throw new Error('ENOENT');
      return files[file]!;
    };
    assert.deepEqual(huggingFaceTokenFromEnvironment({ HF_TOKEN: ' hf_env ', HF_HOME: '/hf' }, '/home/u', read), { token: 'hf_env', source: 'HF_TOKEN' });
    assert.deepEqual(huggingFaceTokenFromEnvironment({ HUGGING_FACE_HUB_TOKEN: 'hf_old' }, '/home/u', read), { token: 'hf_old', source: 'HUGGING_FACE_HUB_TOKEN' });
    assert.deepEqual(huggingFaceTokenFromEnvironment({ HF_HOME: '/hf' }, '/home/u', read), { token: 'hf_file', source: path.join('/hf', 'token') });
    assert.deepEqual(huggingFaceTokenFromEnvironment({ HF_TOKEN_PATH: '/custom/token' }, '/home/u', read)?.token, 'hf_custom');
    assert.equal(huggingFaceTokenFromEnvironment({}, '/home/u', read), undefined);
  });
});
