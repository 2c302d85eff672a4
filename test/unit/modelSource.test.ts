import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { installDir, installFolderName, localFile, repoPathToLocal, stagingDir } from '../../src/node/modelStore/installLayout';
import { looksLikePath } from '../../src/node/modelStore/modelReference';
import { formatModelSpec, isRepoId, modelSource, parseModelSpec } from '../../src/node/modelStore/modelSource';
import { ModelStoreError } from '../../src/node/modelStore/modelStoreError';

describe('model sources and specs', () => {
  it('validates repo ids as huggingface_hub does', () => {
    for (const ok of ['stabilityai/sd-turbo', 'TheyCallMeHex/LCM-Dreamshaper-V7-ONNX', 'a/b', 'user_1/model.v2']) assert.ok(isRepoId(ok), ok);
    for (const bad of ['sd-turbo', 'a/b/c', '/a', 'a/', 'a--b/c', 'a/b..c', '-a/b', 'a/b-', 'a b/c', 'a/b:c', `a/${'x'.repeat(97)}`]) {
      assert.ok(!isRepoId(bad), bad);
    }
  });

  it('parses and formats owner/name[@revision][:subfolder]', () => {
    assert.deepEqual(parseModelSpec('stabilityai/sd-turbo'), { repoId: 'stabilityai/sd-turbo', revision: 'main', subfolder: '' });
    assert.deepEqual(parseModelSpec(' aislamov/lcm-dreamshaper-v7-onnx@fp32 '), { repoId: 'aislamov/lcm-dreamshaper-v7-onnx', revision: 'fp32', subfolder: '' });
    assert.deepEqual(parseModelSpec('o/n@refs/pr/3:onnx/fp16'), { repoId: 'o/n', revision: 'refs/pr/3', subfolder: 'onnx/fp16' });
    assert.deepEqual(parseModelSpec('o/n:onnx'), { repoId: 'o/n', revision: 'main', subfolder: 'onnx' });
    for (const bad of ['sd-turbo', 'o/n@', 'o/n:../x', 'o/n@a..b', 'o/n:/abs', 'C:\\models\\sd']) assert.equal(parseModelSpec(bad), undefined, bad);
    for (const spec of ['o/n', 'o/n@fp32', 'o/n:onnx', 'o/n@refs/pr/3:onnx/fp16']) assert.equal(formatModelSpec(parseModelSpec(spec)!), spec);
  });

  it('modelSource normalises and explains bad input', () => {
    assert.deepEqual(modelSource(' o/n ', '', '/onnx/'), { repoId: 'o/n', revision: 'main', subfolder: 'onnx' });
    assert.throws(() => modelSource('sd-turbo'), (e: unknown) => e instanceof ModelStoreError && e.code === 'invalid' && /expected owner\/name/.test(e.message));
    assert.throws(() => modelSource('o/n', 'a b'), /not a valid revision/);
    assert.throws(() => modelSource('o/n', 'main', '../up'), /not a valid subfolder/);
  });

  it('maps a source to one reversible folder name, safe on every file system', () => {
    assert.equal(installFolderName(modelSource('stabilityai/sd-turbo')), 'stabilityai--sd-turbo');
    assert.equal(installFolderName(modelSource('o/n', 'fp32')), 'o--n@fp32');
    assert.equal(installFolderName(modelSource('o/n', 'refs/pr/3', 'onnx/fp16')), 'o--n@refs%2Fpr%2F3+onnx%2Ffp16');
    assert.equal(installFolderName(modelSource('o/n', 'main', 'a*b?')), 'o--n+a%2Ab%3F');
    assert.doesNotMatch(installFolderName(modelSource('o/n', 'refs/pr/3', 'x/y')), /[\\/:*?"<>|]/);
    assert.notEqual(installFolderName(modelSource('o/n', 'main', 'a')), installFolderName(modelSource('o/n', 'a')));
    assert.equal(installDir('/m', modelSource('o/n')), path.join('/m', 'o--n'));
    assert.equal(stagingDir('/m', modelSource('o/n')), path.join('/m', 'o--n.partial'));
  });

  it('maps repo paths into the model folder and refuses unsafe ones', () => {
    assert.equal(repoPathToLocal('', 'unet/model.onnx'), 'unet/model.onnx');
    assert.equal(repoPathToLocal('onnx', 'onnx/unet/model.onnx'), 'unet/model.onnx');
    assert.equal(repoPathToLocal('onnx', 'onnx2/unet/model.onnx'), undefined);
    assert.equal(repoPathToLocal('onnx', 'unet/model.onnx'), undefined);
    for (const unsafe of ['../x', 'a/../../x', '/etc/passwd', 'a\\b', 'a//b', './a']) assert.equal(repoPathToLocal('', unsafe), undefined, unsafe);
    assert.equal(localFile('/m/o--n', 'unet/model.onnx'), path.join('/m/o--n', 'unet', 'model.onnx'));
  });

  it('tells folders from model ids', () => {
    for (const p of ['/abs', '~', '~/models', './rel', '../rel', 'C:\\models', 'D:/models', 'a\\b']) assert.ok(looksLikePath(p), p);
    for (const id of ['sd-turbo', 'owner/name', 'owner/name@rev:sub']) assert.ok(!looksLikePath(id), id);
  });
});
