import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ClipTokenizer } from '../../src/engine/tokenizer/clipTokenizer';
import { BYTE_TO_UNICODE } from '../../src/engine/tokenizer/bytesToUnicode';

const SHARED_DATA = process.env.LOCAL_DIFFUSION_SHARED_DATA ?? path.resolve(__dirname, '../../../../shared/data');
const BPE_GZ = path.join(SHARED_DATA, 'clip', 'bpe_simple_vocab_16e6.txt.gz');

/** The HF vocab.json / merges.txt pair, rebuilt from OpenAI's merge list as data/clip/README.md describes. */
function loadRealVocab(): { vocab: Map<string, number>; merges: string[] } {
  const lines = zlib.gunzipSync(fs.readFileSync(BPE_GZ)).toString('utf8').split('\n');
  const merges = lines.slice(1, 49152 - 256 - 2 + 1);
  // bytes_to_unicode() order: printable bytes first (they map to themselves), then chr(256 + k): code-point order.
  const bytes = [...BYTE_TO_UNICODE].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const tokens = [...bytes, ...bytes.map((s) => s + '</w>'), ...merges.map((m) => m.split(' ').join(''))];
  tokens.push('<|startoftext|>', '<|endoftext|>');
  return { vocab: new Map(tokens.map((t, i) => [t, i])), merges };
}

function unpadded(ids: number[], eos = 49407): number[] {
  return ids.slice(0, ids.indexOf(eos) + 1);
}

describe('ClipTokenizer (real CLIP vocabulary, facts §3)', function () {
  let sd1: ClipTokenizer;
  let sd2: ClipTokenizer;

  before(function () {
    if (!fs.existsSync(BPE_GZ)) this.skip();
    const { vocab, merges } = loadRealVocab();
    assert.equal(merges.length, 48894);
    sd1 = new ClipTokenizer(vocab, merges, { padToken: '<|endoftext|>', maxLength: 77 });
    sd2 = new ClipTokenizer(vocab, merges, { padToken: '!', maxLength: 77 });
  });

  it('has the 49,408-entry vocabulary and the right special ids', function () {
    assert.equal(sd1.vocabSize, 49408);
    assert.equal(sd1.bosTokenId, 49406);
    assert.equal(sd1.eosTokenId, 49407);
    assert.equal(sd1.padTokenId, 49407);
    assert.equal(sd2.padTokenId, 0);
    assert.equal(sd1.maxLength, 77);
  });

  const cases: Array<[string, number[]]> = [
    ['a photo of a cat', [49406, 320, 1125, 539, 320, 2368, 49407]],
    ['A photo of an astronaut riding a horse on mars', [49406, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, 49407]],
    ['Hello, World!', [49406, 3306, 267, 1002, 256, 49407]],
    ['masterpiece, best quality, 1girl', [49406, 12066, 267, 949, 3027, 267, 272, 1611, 49407]],
    ["a cat's toy", [49406, 320, 2368, 568, 5988, 49407]],
    ['(masterpiece:1.2)', [49406, 263, 12066, 281, 272, 269, 273, 264, 49407]],
    ['  multiple   spaces\tand\nnewlines ', [49406, 6470, 9006, 537, 1218, 3418, 49407]],
    ['café', [49406, 15304, 49407]],
    ['cafe\u0301', [49406, 15304, 49407]], // decomposed é: NFC makes it the same as 'café'
    ['emoji 😀', [49406, 16327, 7334, 49407]],
  ];
  for (const [prompt, expected] of cases) {
    it(`encodes ${JSON.stringify(prompt)}`, function () {
      const result = sd1.encode(prompt);
      assert.equal(result.ids.length, 77);
      assert.deepEqual(unpadded(result.ids), expected);
      assert.equal(result.truncated, false);
      assert.equal(result.tokenCount, expected.length - 2);
      assert.equal(result.droppedText, undefined);
    });
  }

  it('splits a word into sub-tokens with </w> only on the last one', function () {
    assert.deepEqual(sd1.tokenize('photorealistic'), ['photo', 'realistic</w>']);
    assert.deepEqual(sd1.encode('photorealistic').ids.slice(0, 4), [49406, 1153, 16157, 49407]);
  });

  it('pads SD1 with <|endoftext|> (49407) and SD2 with "!" (0)', function () {
    const head = [49406, 320, 1125, 539, 320, 2368, 49407];
    assert.deepEqual(sd1.encode('a photo of a cat').ids, [...head, ...new Array(70).fill(49407)]);
    assert.deepEqual(sd2.encode('a photo of a cat').ids, [...head, ...new Array(70).fill(0)]);
  });

  it('encodes the empty prompt as bos, eos and padding', function () {
    assert.deepEqual(sd2.encode('').ids, [49406, 49407, ...new Array(75).fill(0)]);
    assert.equal(sd2.encode('   ').tokenCount, 0);
  });

  it('maps the special token text to its id', function () {
    assert.deepEqual(unpadded(sd1.encode('a <|endoftext|>').ids).slice(0, 3), [49406, 320, 49407]);
  });

  it('fromFolder reads the real vocab.json / merges.txt pair (SD2 config pads with "!")', async function () {
    const { vocab, merges } = loadRealVocab();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clip-real-'));
    try {
      fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(Object.fromEntries(vocab)));
      fs.writeFileSync(path.join(dir, 'merges.txt'), `#version: 0.2\n${merges.join('\n')}\n`);
      fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '!', model_max_length: 77 }));
      const tok = await ClipTokenizer.fromFolder(dir);
      assert.equal(tok.vocabSize, 49408);
      assert.deepEqual(tok.encode('Hello, World!').ids.slice(0, 8), [49406, 3306, 267, 1002, 256, 49407, 0, 0]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('truncates a prompt longer than 75 tokens and reports the dropped text', function () {
    const words = Array.from({ length: 80 }, (_, i) => (i < 75 ? 'cat' : 'dog'));
    const result = sd2.encode(words.join(' '));
    assert.equal(result.ids.length, 77);
    assert.equal(result.truncated, true);
    assert.equal(result.tokenCount, 80);
    assert.equal(result.ids[0], 49406);
    assert.deepEqual(result.ids.slice(1, 76), new Array(75).fill(2368));
    assert.equal(result.ids[76], 49407);
    assert.equal(result.droppedText, 'dog dog dog dog dog');
  });

  it('re-assembles dropped sub-word and non-ASCII tokens', function () {
    const prompt = `${'a '.repeat(74)}photorealistic café 😀`;
    const result = sd1.encode(prompt);
    assert.equal(result.truncated, true);
    assert.equal(result.ids[75], 1153); // "photo" kept, "realistic</w>" dropped
    assert.equal(result.droppedText, 'realistic café 😀');
  });
});

describe('ClipTokenizer (tiny hand-made vocabulary)', function () {
  // Byte symbols we need, their </w> forms, a few merges and the two specials.
  const merges = ['c a', 'ca t</w>', 'd o', 'do g</w>'];
  const vocabList = ['!', 'a', 'c', 'd', 'g', 'o', 't', ',', '!</w>', 'a</w>', 'c</w>', 'g</w>', 't</w>', ',</w>', 'ca', 'cat</w>', 'do', 'dog</w>', '<|startoftext|>', '<|endoftext|>'];
  const vocab = Object.fromEntries(vocabList.map((t, i) => [t, i]));
  const BOS = vocabList.indexOf('<|startoftext|>');
  const EOS = vocabList.indexOf('<|endoftext|>');
  let dir: string;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clip-tok-'));
    fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(vocab));
    fs.writeFileSync(path.join(dir, 'merges.txt'), `#version: 0.2\n${merges.join('\n')}\n`);
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies merges in rank order and maps unknown symbols to eos', function () {
    const tok = new ClipTokenizer(vocab, merges, { padToken: '!', maxLength: 8 });
    assert.deepEqual(tok.tokenize('Cat, DOG cad'), ['cat</w>', ',</w>', 'dog</w>', 'ca', 'd</w>']);
    // 'd</w>' is not in the vocabulary → unk = eos
    assert.deepEqual(tok.encode('cat, dog cad').ids, [BOS, 15, 13, 17, 14, EOS, EOS, 0]);
  });

  it('fromFolder: SD2-style config (pad "!", AddedToken objects, model_max_length)', async function () {
    fs.writeFileSync(
      path.join(dir, 'tokenizer_config.json'),
      JSON.stringify({
        model_max_length: 6,
        bos_token: { content: '<|startoftext|>', lstrip: false },
        eos_token: { content: '<|endoftext|>' },
        pad_token: '!',
      }),
    );
    const tok = await ClipTokenizer.fromFolder(dir);
    assert.equal(tok.maxLength, 6);
    assert.equal(tok.padTokenId, 0);
    assert.equal(tok.padToken, '!');
    assert.equal(tok.vocabSize, vocabList.length);
    assert.deepEqual(tok.encode('cat').ids, [BOS, 15, EOS, 0, 0, 0]);
    const long = tok.encode('cat dog cat dog cat');
    assert.deepEqual(long.ids, [BOS, 15, 17, 15, 17, EOS]);
    assert.equal(long.truncated, true);
    assert.equal(long.tokenCount, 5);
    assert.equal(long.droppedText, 'cat');
  });

  it('fromFolder: SD1-style config pads with <|endoftext|>; special_tokens_map.json wins; absurd max length → 77', async function () {
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 1e30, pad_token: '!' }));
    fs.writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify({ pad_token: { content: '<|endoftext|>' } }));
    const tok = await ClipTokenizer.fromFolder(dir);
    assert.equal(tok.maxLength, 77);
    assert.equal(tok.padTokenId, EOS);
    const ids = tok.encode('dog').ids;
    assert.equal(ids.length, 77);
    assert.deepEqual(ids.slice(0, 4), [BOS, 17, EOS, EOS]);
    assert.ok(ids.slice(3).every((id) => id === EOS));
  });

  it('fromFolder: no config at all → pad <|endoftext|>, 77', async function () {
    const tok = await ClipTokenizer.fromFolder(dir);
    assert.equal(tok.padTokenId, EOS);
    assert.equal(tok.maxLength, 77);
  });

  it('fromFolder: clear errors naming the bad file', async function () {
    fs.rmSync(path.join(dir, 'merges.txt'));
    await assert.rejects(ClipTokenizer.fromFolder(dir), /merges\.txt/);
    fs.writeFileSync(path.join(dir, 'merges.txt'), '#version: 0.2\nc a\n');
    fs.writeFileSync(path.join(dir, 'vocab.json'), '{not json');
    await assert.rejects(ClipTokenizer.fromFolder(dir), /vocab\.json is not valid JSON/);
    fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(vocab));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: 42 }));
    await assert.rejects(ClipTokenizer.fromFolder(dir), /tokenizer_config\.json: pad_token/);
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<pad>' }));
    await assert.rejects(ClipTokenizer.fromFolder(dir), /pad token "<pad>".*vocab\.json/);
  });
});
