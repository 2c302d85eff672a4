import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { readPngTextChunks, setPngTextChunk } from '../../src/node/image/pngTextChunks';
import { crc32 } from '../../src/common/crc32';

interface Chunk {
  type: string;
  data: Buffer;
}

function listChunks(png: Uint8Array): Chunk[] {
  const buf = Buffer.from(png);
  const chunks: Chunk[] = [];
  for (let offset = 8; offset < buf.length; ) {
    const length = buf.readUInt32BE(offset);
    chunks.push({ type: buf.toString('latin1', offset + 4, offset + 8), data: buf.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
  }
  return chunks;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Inserts raw chunks right after IHDR (signature 8 bytes + IHDR 25 bytes). */
function withChunksAfterIhdr(png: Uint8Array, ...extra: Buffer[]): Uint8Array {
  const buf = Buffer.from(png);
  return Buffer.concat([buf.subarray(0, 33), ...extra, buf.subarray(33)]);
}

describe('crc32', function () {
  it('matches the standard check value and zlib', function () {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
    const zlibCrc = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
    if (zlibCrc) assert.equal(crc32(Buffer.from('IEND')), zlibCrc(Buffer.from('IEND')));
    // incremental == one-shot
    assert.equal(crc32(Buffer.from('6789'), crc32(Buffer.from('12345'))), 0xcbf43926);
  });
});

describe('PNG text chunks', function () {
  let png: Uint8Array;
  let pixels: Buffer;

  before(async function () {
    pixels = Buffer.alloc(5 * 3 * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) & 0xff;
    png = new Uint8Array(await sharp(pixels, { raw: { width: 5, height: 3, channels: 3 } }).png().toBuffer());
  });

  it('round-trips a Latin-1 text as tEXt before the first IDAT, and sharp still decodes the pixels', async function () {
    const text = 'a photo of a café\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 5x3';
    const out = setPngTextChunk(png, 'parameters', text);
    assert.deepEqual(readPngTextChunks(out), [{ keyword: 'parameters', text }]);
    const types = listChunks(out).map((c) => c.type);
    assert.equal(types[0], 'IHDR');
    assert.equal(types.indexOf('tEXt'), types.indexOf('IDAT') - 1);
    const tEXt = listChunks(out).find((c) => c.type === 'tEXt')!;
    assert.deepEqual(tEXt.data, Buffer.concat([Buffer.from('parameters\0', 'latin1'), Buffer.from(text, 'latin1')]));
    const decoded = await sharp(out).raw().toBuffer();
    assert.deepEqual(decoded, pixels);
  });

  it('writes non-Latin-1 text (emoji) as uncompressed iTXt with UTF-8', async function () {
    const text = 'a cat 😀 猫';
    const out = setPngTextChunk(png, 'parameters', text);
    const itxt = listChunks(out).filter((c) => c.type === 'iTXt');
    assert.equal(itxt.length, 1);
    assert.equal(listChunks(out).filter((c) => c.type === 'tEXt').length, 0);
    assert.deepEqual(itxt[0].data, Buffer.concat([Buffer.from('parameters\0\0\0\0\0', 'latin1'), Buffer.from(text, 'utf8')]));
    assert.deepEqual(readPngTextChunks(out), [{ keyword: 'parameters', text }]);
    assert.deepEqual(await sharp(out).raw().toBuffer(), pixels);
  });

  it('replaces an existing chunk with the same keyword (tEXt → iTXt → tEXt), keeping others', function () {
    let out = setPngTextChunk(png, 'parameters', 'first');
    out = setPngTextChunk(out, 'workflow', '{}');
    out = setPngTextChunk(out, 'parameters', 'second 😀');
    out = setPngTextChunk(out, 'parameters', 'third');
    const texts = readPngTextChunks(out);
    assert.deepEqual(texts.filter((t) => t.keyword === 'parameters'), [{ keyword: 'parameters', text: 'third' }]);
    assert.deepEqual(texts.filter((t) => t.keyword === 'workflow'), [{ keyword: 'workflow', text: '{}' }]);
    assert.equal(texts.length, 2);
    assert.equal(listChunks(out).filter((c) => c.type === 'iTXt').length, 0);
  });

  it('reads zTXt and compressed iTXt chunks, and replaces them too', function () {
    const zTXt = chunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), zlib.deflateSync(Buffer.from('zipped text ü', 'latin1'))]));
    const iTXt = chunk(
      'iTXt',
      Buffer.concat([Buffer.from('parameters\0\x01\x00en\0Parameter\0', 'latin1'), zlib.deflateSync(Buffer.from('ünïcode 😀', 'utf8'))]),
    );
    const out = withChunksAfterIhdr(png, zTXt, iTXt);
    assert.deepEqual(readPngTextChunks(out), [
      { keyword: 'Comment', text: 'zipped text ü' },
      { keyword: 'parameters', text: 'ünïcode 😀' },
    ]);
    const replaced = setPngTextChunk(out, 'Comment', 'plain');
    assert.deepEqual(readPngTextChunks(replaced), [
      { keyword: 'parameters', text: 'ünïcode 😀' },
      { keyword: 'Comment', text: 'plain' },
    ]);
    assert.equal(listChunks(replaced).filter((c) => c.type === 'zTXt').length, 0);
  });

  it('skips a text chunk whose CRC is wrong', function () {
    const bad = chunk('tEXt', Buffer.from('k\0v', 'latin1'));
    bad[bad.length - 1] ^= 0xff;
    assert.deepEqual(readPngTextChunks(withChunksAfterIhdr(png, bad)), []);
  });

  it('rejects a non-PNG and invalid keywords', function () {
    assert.throws(() => readPngTextChunks(Buffer.from('GIF89a..........')), /not a PNG/);
    assert.throws(() => setPngTextChunk(Buffer.from('nope'), 'k', 'v'), /not a PNG/);
    assert.throws(() => setPngTextChunk(png, '', 'v'), /keyword/);
    assert.throws(() => setPngTextChunk(png, 'x'.repeat(80), 'v'), /keyword/);
    assert.throws(() => setPngTextChunk(png, 'kéy😀', 'v'), /keyword/);
    assert.throws(() => readPngTextChunks(png.subarray(0, png.length - 6)), /truncated/);
  });
});
