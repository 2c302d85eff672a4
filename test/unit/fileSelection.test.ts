import * as assert from 'node:assert/strict';
import { globToRegExp, isNeededFile, selectModelFiles, summariseSkipped } from '../../src/node/modelStore/fileSelection';
import { formatBytes } from '../../src/node/modelStore/formatBytes';
import type { HubFile } from '../../src/node/modelStore/hubClient';
import { ModelStoreError } from '../../src/node/modelStore/modelStoreError';

const sha = (c: string): string => c.repeat(64);
function file(path: string, size = 10, lfs = false): HubFile {
  return { path, size, oid: 'f'.repeat(40), ...(lfs ? { lfs: { sha256: sha('a'), size } } : {}) };
}

/** The onnx revision of runwayml/stable-diffusion-v1-5 as facts.md §1.7 lists it. */
const SD15_ONNX: HubFile[] = [
  file('.gitattributes'),
  file('README.md'),
  file('model_index.json'),
  file('feature_extractor/preprocessor_config.json'),
  file('safety_checker/model.onnx', 1_200_000_000, true),
  file('scheduler/scheduler_config.json'),
  file('text_encoder/model.onnx', 492_000_000, true),
  file('tokenizer/merges.txt'),
  file('tokenizer/special_tokens_map.json'),
  file('tokenizer/tokenizer_config.json'),
  file('tokenizer/vocab.json'),
  file('unet/model.onnx', 900_000, true),
  file('unet/weights.pb', 3_438_000_000, true),
  file('vae_decoder/model.onnx', 198_000_000, true),
  file('vae_encoder/model.onnx', 137_000_000, true),
];

function incomplete(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ModelStoreError && error.code === 'incomplete', String(error));
    return error.message;
  }
  assert.fail('expected "incomplete"');
}

describe('file selection', () => {
  it('takes what the engine loads and skips the safety checker, feature extractor and git files', () => {
    const s = selectModelFiles(SD15_ONNX, '');
    assert.deepEqual(s.skipped.map((f) => f.path), ['.gitattributes', 'feature_extractor/preprocessor_config.json', 'safety_checker/model.onnx']);
    assert.ok(s.files.some((f) => f.path === 'unet/weights.pb' && f.sha256 === sha('a')));
    assert.equal(s.files.length, SD15_ONNX.length - 3);
    assert.equal(s.totalBytes, SD15_ONNX.reduce((n, f) => n + f.size, 0) - s.skippedBytes);
    assert.equal(s.files.at(-1)?.path, 'unet/weights.pb', 'smallest first, the big weights last');
    assert.equal(summariseSkipped(s.skipped, formatBytes), '.gitattributes (10 B), feature_extractor/ (10 B), safety_checker/ (1.1 GB)');
    assert.deepEqual(s.warnings, []);
  });

  it('skips other precisions and PyTorch weights beside model.onnx; keeps every exporter\'s external-data name', () => {
    const listing = [
      ...SD15_ONNX.filter((f) => f.path !== 'unet/weights.pb'),
      file('unet/model.onnx_data', 100, true),
      file('unet/model_fp16.onnx', 100, true),
      file('unet/model_q4.onnx', 100, true),
      file('unet/diffusion_pytorch_model.safetensors', 100, true),
      file('text_encoder/model.onnx.data', 100, true),
      file('unet/config.json'),
      file('vae_decoder/model.onnx_data_1', 100, true),
    ];
    const paths = selectModelFiles(listing, '').files.map((f) => f.path);
    for (const p of ['unet/model.onnx_data', 'text_encoder/model.onnx.data', 'unet/config.json']) assert.ok(paths.includes(p), p);
    for (const p of ['unet/model_fp16.onnx', 'unet/model_q4.onnx', 'unet/diffusion_pytorch_model.safetensors', 'vae_decoder/model.onnx_data_1']) {
      assert.ok(!paths.includes(p), p);
    }
  });

  it('applies catalog include/exclude rules', () => {
    const listing = [...SD15_ONNX, file('extra/notes.json')];
    const s = selectModelFiles(listing, '', { include: ['extra/*.json'], exclude: ['vae_encoder/**', 'README.md'] });
    const paths = s.files.map((f) => f.path);
    assert.ok(paths.includes('extra/notes.json'));
    assert.ok(!paths.includes('vae_encoder/model.onnx') && !paths.includes('README.md'));
    assert.match(incomplete(() => selectModelFiles(listing, '', { exclude: ['unet/**'] })), /missing unet\/model\.onnx/);
  });

  it('selects inside a subfolder and maps paths to the model folder', () => {
    const nested = SD15_ONNX.map((f) => ({ ...f, path: `onnx/${f.path}` }));
    const s = selectModelFiles(nested, 'onnx');
    assert.ok(s.files.some((f) => f.path === 'unet/model.onnx' && f.repoPath === 'onnx/unet/model.onnx'));
  });

  it('explains an incomplete repo: which files, where model_index.json is, PyTorch weights, other .onnx names', () => {
    const nested = SD15_ONNX.map((f) => ({ ...f, path: `onnx/${f.path}` }));
    assert.match(incomplete(() => selectModelFiles(nested, '', {}, 'o/n@main')), /^o\/n@main is not a complete diffusers ONNX model: missing model_index\.json, text_encoder\/model\.onnx, .*model_index\.json is in "onnx\/": use that subfolder\./);
    const pytorch = [file('model_index.json'), file('unet/diffusion_pytorch_model.safetensors', 100, true), file('text_encoder/model.safetensors', 100, true)];
    const message = incomplete(() => selectModelFiles(pytorch, ''));
    assert.match(message, /unet\/ holds PyTorch weights: this is a diffusers PyTorch model, not an ONNX export\./);
    const renamed = SD15_ONNX.map((f) => (f.path === 'unet/model.onnx' ? { ...f, path: 'unet/model_optimized.onnx' } : f));
    assert.match(incomplete(() => selectModelFiles(renamed, '')), /unet\/ has model_optimized\.onnx but no model\.onnx/);
    assert.match(incomplete(() => selectModelFiles(SD15_ONNX, 'fp16')), /\(subfolder "fp16"\).*model_index\.json is in the repo root/);
  });

  it('takes SDXL layouts whole: text_encoder_2/ with its external weights, tokenizer_2/ (required with it), taesdxl_decoder/', () => {
    const sdxl = [...SD15_ONNX, file('text_encoder_2/model.onnx', 100, true), file('text_encoder_2/model.onnx_data', 1000, true), file('text_encoder_2/config.json'), file('tokenizer_2/vocab.json'), file('tokenizer_2/merges.txt'), file('taesdxl_decoder/model.onnx', 10, true), file('text_encoder_2/model.safetensors', 5000, true)];
    const selection = selectModelFiles(sdxl, '');
    assert.deepEqual(selection.warnings, []);
    for (const p of ['text_encoder_2/model.onnx', 'text_encoder_2/model.onnx_data', 'text_encoder_2/config.json', 'tokenizer_2/vocab.json', 'tokenizer_2/merges.txt', 'taesdxl_decoder/model.onnx']) {
      assert.ok(selection.files.some((f) => f.path === p), p);
    }
    assert.ok(selection.skipped.some((f) => f.path === 'text_encoder_2/model.safetensors'));
    const noTokenizer2 = sdxl.filter((f) => !f.path.startsWith('tokenizer_2/'));
    assert.match(incomplete(() => selectModelFiles(noTokenizer2, '')), /tokenizer_2\/vocab\.json/);
  });

  it('globs: * within a segment, ** across, ? one character', () => {
    assert.ok(globToRegExp('unet/*.onnx').test('unet/model.onnx'));
    assert.ok(!globToRegExp('*.onnx').test('unet/model.onnx'));
    assert.ok(globToRegExp('**/*.json').test('a/b/c.json') && globToRegExp('**/*.json').test('c.json'));
    assert.ok(globToRegExp('vae_encoder/**').test('vae_encoder/model.onnx'));
    assert.ok(globToRegExp('model.onnx?data').test('model.onnx_data') && !globToRegExp('model.onnx?data').test('model.onnx/data'));
    assert.ok(!globToRegExp('a.b').test('axb'), 'dots are literal');
    assert.ok(isNeededFile('LICENSE.md') && isNeededFile('tokenizer/tokenizer.json') && !isNeededFile('unet/sub/model.onnx'));
  });
});
