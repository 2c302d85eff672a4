// What the packaging script takes from models/ (tools/vsix/stageExtension.ts), on a fake repository.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtInModels, runtimeModelDataFiles } from '../../tools/vsix/stageExtension';

describe('stageExtension: models/', () => {
  let repo: string;
  before(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-extension-test-'));
    const write = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
      fs.writeFileSync(path.join(repo, rel), text);
    };
    write('models/analytic-shapes/model_index.json', '{}');
    write('models/tiny-shapes/model_index.json', '{}');
    write('models/half-trained/unet/model.onnx', 'no model_index.json: not a model folder');
    write('models/catalog.json', '{"models":[]}');
    write('models/notes.json', '{}');
    write('dist/extension.js', 'const CATALOG_FILE = ["models", "catalog.json"];');
    write('dist/engine.js', '');
  });
  after(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('ships the built-in model the extension names (tiny-shapes), not the analytic test models', () => {
    assert.deepEqual(builtInModels(repo), ['tiny-shapes']);
    assert.deepEqual(builtInModels(repo, ['analytic-shapes', 'tiny-shapes']), ['analytic-shapes', 'tiny-shapes']);
    assert.deepEqual(builtInModels(repo, ['half-trained']), [], 'a folder without model_index.json is not a model');
  });

  it('takes the files directly under models/ that a bundle names, and no others', () => {
    assert.deepEqual(runtimeModelDataFiles(repo), ['catalog.json']);
    assert.deepEqual(runtimeModelDataFiles(repo, ['dist/engine.js']), []);
  });

  it('finds nothing in a repository without models/', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-extension-empty-'));
    try {
      assert.deepEqual(builtInModels(empty), []);
      assert.deepEqual(runtimeModelDataFiles(empty), []);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
