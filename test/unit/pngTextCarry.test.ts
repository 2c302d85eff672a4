import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { carryPngTextChunks, chunkKeyword, readPngChunks, type PngChunk } from '../../src/node/image/pngTextChunks';

const pngChunks = readPngChunks;
const textChunkKeyword = (c: PngChunk): string | undefined => (['tEXt', 'zTXt', 'iTXt'].includes(c.type) ? chunkKeyword(c.data) : undefined);
import { imageFormatFromPath, imageMimeType, isLosslessWebp, isLossyFile, sniffImageFormat } from '../../src/host/inpaint/imageFormat';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, zlib.crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function tEXt(keyword: string, text: string): Uint8Array {
  return chunk('tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1'));
}

function zTXt(keyword: string, text: string): Uint8Array {
  return chunk('zTXt', Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), zlib.deflateSync(Buffer.from(text, 'latin1'))]));
}

/** Inserts chunks before the first IDAT. */
function withChunks(png: Uint8Array, ...extra: Uint8Array[]): Uint8Array {
  const idat = pngChunks(png)!.find((c) => c.type === 'IDAT')!;
  return Buffer.concat([png.subarray(0, idat.start), ...extra, png.subarray(idat.start)]);
}

async function plainPng(color: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width: 4, height: 3, channels: 3, background: color } }).png().toBuffer());
}

function keywords(png: Uint8Array): string[] {
  return pngChunks(png)!.map(textChunkKeyword).filter((k): k is string => k !== undefined);
}

describe('carryPngTextChunks', () => {
  it('copies the source text chunks the target lacks, byte for byte, before IDAT; the target keeps its own', async () => {
    const source = withChunks(await plainPng('#00f'), tEXt('parameters', 'old'), tEXt('Comment', 'hello'), zTXt('workflow', '{"a":1}'));
    const target = withChunks(await plainPng('#f00'), tEXt('parameters', 'new'));
    const out = carryPngTextChunks(target, source);
    assert.deepEqual(keywords(out), ['parameters', 'Comment', 'workflow']);
    const chunks = pngChunks(out)!;
    assert.equal(Buffer.from(chunks.find((c) => textChunkKeyword(c) === 'parameters')!.data).toString('latin1'), 'parameters\0new');
    const types = chunks.map((c) => c.type);
    assert.ok(types.indexOf('zTXt') < types.indexOf('IDAT'));
    assert.equal(types.at(-1), 'IEND');
    // The result is a valid PNG with the target's pixels.
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([...data.subarray(0, 3)], [255, 0, 0]);
    const comment = (await sharp(out).metadata()).comments?.find((c) => c.keyword === 'Comment');
    assert.equal(comment?.text, 'hello');
  });

  it('returns the target unchanged when nothing is missing or either side is not a PNG', async () => {
    const target = withChunks(await plainPng('#f00'), tEXt('parameters', 'new'));
    const source = withChunks(await plainPng('#00f'), tEXt('parameters', 'old'));
    assert.equal(carryPngTextChunks(target, source), target);
    assert.equal(carryPngTextChunks(target, Uint8Array.from([0xff, 0xd8, 0xff, 0xe0])), target);
    assert.equal(carryPngTextChunks(new Uint8Array(3), source).length, 3);
  });
});

describe('imageFormat', () => {
  it('knows formats by extension and by signature', async () => {
    assert.equal(imageFormatFromPath('/a/b/photo.JPG'), 'jpeg');
    assert.equal(imageFormatFromPath('c:\\x\\y.webp'), 'webp');
    assert.equal(imageFormatFromPath('/a.b/noext'), undefined);
    assert.equal(imageFormatFromPath('/a/.png'), undefined);
    assert.equal(imageFormatFromPath('/a/b.gif'), undefined);
    const png = await plainPng('#fff');
    const jpeg = new Uint8Array(await sharp(png).jpeg().toBuffer());
    const lossy = new Uint8Array(await sharp(png).webp({ quality: 80 }).toBuffer());
    const lossless = new Uint8Array(await sharp(png).webp({ lossless: true }).toBuffer());
    assert.equal(sniffImageFormat(png), 'png');
    assert.equal(sniffImageFormat(jpeg), 'jpeg');
    assert.equal(sniffImageFormat(lossy), 'webp');
    assert.equal(sniffImageFormat(Uint8Array.from([1, 2, 3])), undefined);
    assert.equal(isLosslessWebp(lossless), true);
    assert.equal(isLosslessWebp(lossy), false);
    assert.equal(isLossyFile('webp', lossless), false);
    assert.equal(isLossyFile('webp', lossy), true);
    assert.equal(isLossyFile('jpeg', jpeg), true);
    assert.equal(isLossyFile('png', png), false);
    assert.equal(imageMimeType('jpeg'), 'image/jpeg');
  });
});
