import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { crc32 } from '../../src/common/crc32';
import { IMAGE_QUALITY, decodeImage, encodeImage, readImageParameters, resizeImage, type ImageFormat } from '../../src/node/image/imageCodec';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';
import { buildExifUserComment, readExifUserComment } from '../../src/node/image/exifUserComment';
import type { RasterImage } from '../../src/common/image/imageTypes';

function pattern(width: number, height: number, channels: 3 | 4): RasterImage {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 53 + 11) & 0xff;
  return { width, height, channels, data };
}

/** A smooth image, so lossy codecs stay close to it. */
function gradient(width: number, height: number, channels: 3 | 4): RasterImage {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      data[o] = Math.round((x / (width - 1)) * 255);
      data[o + 1] = Math.round((y / (height - 1)) * 255);
      data[o + 2] = 128;
      if (channels === 4) data[o + 3] = 200;
    }
  }
  return { width, height, channels, data };
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A hand-made 16-bit RGB PNG (colour type 2, bit depth 16), since sharp's raw input is 8-bit only. */
function png16(samples: number[], width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16;
  ihdr[9] = 2;
  const rowBytes = width * 3 * 2;
  const raw = Buffer.alloc(height * (1 + rowBytes));
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * 3; i++) raw.writeUInt16BE(samples[y * width * 3 + i], y * (1 + rowBytes) + 1 + 2 * i);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const PARAMS = 'a café with a cat 😀, (masterpiece:1.2)\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 64x48';

describe('imageCodec', function () {
  it('writes the parameters into PNG, JPEG and WebP alike, non-ASCII prompts included, and reads them back', async function () {
    const formats: ImageFormat[] = ['png', 'jpeg', 'webp'];
    for (const format of formats) {
      for (const channels of [3, 4] as const) {
        const bytes = await encodeImage(gradient(32, 24, channels), format, { parameters: PARAMS });
        assert.equal((await sharp(bytes).metadata()).format, format);
        assert.equal(await readImageParameters(bytes), PARAMS, `${format} ${channels} channels`);
      }
      assert.equal(await readImageParameters(await encodeImage(gradient(8, 8, 3), format)), undefined, `${format}: none given, none written`);
    }
  });

  it('JPEG / WebP use one quality and JPEG flattens alpha onto white', async function () {
    assert.equal(IMAGE_QUALITY, 95);
    const transparent: RasterImage = { width: 8, height: 8, channels: 4, data: new Uint8Array(8 * 8 * 4) };
    const jpeg = await decodeImage(await encodeImage(transparent, 'jpeg'));
    assert.ok(jpeg.data.every((v) => v >= 250), 'transparent → white');
    assert.equal((await sharp(await encodeImage(gradient(16, 16, 3), 'jpeg')).metadata()).chromaSubsampling, '4:4:4');
  });

  it('PNG round trip is lossless for RGB and RGBA, with the parameters chunk', async function () {
    for (const channels of [3, 4] as const) {
      const image = pattern(7, 5, channels);
      const png = await encodeImage(image, 'png', { parameters: PARAMS });
      const decoded = await decodeImage(png);
      assert.equal(decoded.width, 7);
      assert.equal(decoded.height, 5);
      assert.equal(decoded.channels, channels);
      assert.deepEqual(decoded.data, image.data);
      assert.deepEqual(readPngTextChunks(png), [{ keyword: 'parameters', text: PARAMS }]);
    }
  });

  it('libvips reads our text chunks too', async function () {
    // ASCII only: libvips decodes tEXt as UTF-8, not Latin-1.
    const png = await encodeImage(pattern(3, 3, 3), 'png', { parameters: 'Steps: 20, Seed: 1' });
    const metadata = await sharp(png).metadata();
    assert.deepEqual(metadata.comments, [{ keyword: 'parameters', text: 'Steps: 20, Seed: 1' }]);
  });

  it('decodes 16-bit and grey images to 8-bit RGB(A)', async function () {
    const rgb16 = png16([65535, 0, 32896, 257, 514, 771], 2, 1);
    assert.equal((await sharp(rgb16).metadata()).depth, 'ushort');
    const decoded = await decodeImage(rgb16);
    assert.equal(decoded.channels, 3);
    assert.deepEqual([...decoded.data], [255, 0, 128, 1, 2, 3]);
    const grey = await sharp(Buffer.from([0, 100, 200, 255]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    const g = await decodeImage(grey);
    assert.equal(g.channels, 3);
    assert.deepEqual([...g.data], [0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]);
    const greyAlpha = await sharp(Buffer.from([10, 20, 30, 40]), { raw: { width: 2, height: 1, channels: 2 } }).png().toBuffer();
    const ga = await decodeImage(greyAlpha);
    assert.equal(ga.channels, 4);
    assert.deepEqual([...ga.data], [10, 10, 10, 20, 30, 30, 30, 40]);
  });

  it('throws a clear error for undecodable bytes', async function () {
    await assert.rejects(decodeImage(new Uint8Array([1, 2, 3, 4, 5])), /cannot decode image \(5 bytes\)/);
  });

  it('JPEG carries the parameters as EXIF UserComment (UNICODE), readable by libvips', async function () {
    const image = gradient(64, 48, 4);
    const jpeg = await encodeImage(image, 'jpeg', { parameters: PARAMS });
    assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
    const metadata = await sharp(jpeg).metadata();
    assert.equal(metadata.format, 'jpeg');
    assert.ok(metadata.exif, 'libvips sees the EXIF block');
    assert.equal(readExifUserComment(metadata.exif), PARAMS);
    const decoded = await decodeImage(jpeg);
    assert.equal(decoded.channels, 3);
    const rgb = new Uint8Array(64 * 48 * 3);
    // No alpha in JPEG: the source composited onto white.
    for (let p = 0; p < 64 * 48; p++) {
      const a = image.data[p * 4 + 3]! / 255;
      for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(image.data[p * 4 + c]! * a + 255 * (1 - a));
    }
    assert.ok(maxDiff(decoded.data, rgb) <= 12, 'JPEG pixels close to the source on white');
  });

  it('WebP carries the parameters as EXIF and keeps alpha', async function () {
    for (const channels of [3, 4] as const) {
      const image = gradient(64, 48, channels);
      const webp = await encodeImage(image, 'webp', { parameters: PARAMS });
      const metadata = await sharp(webp).metadata();
      assert.equal(metadata.format, 'webp');
      assert.equal(metadata.width, 64);
      assert.equal(metadata.height, 48);
      assert.equal(readExifUserComment(metadata.exif!), PARAMS);
      const decoded = await decodeImage(webp);
      assert.equal(decoded.channels, channels);
      assert.ok(maxDiff(decoded.data, image.data) <= 12, 'WebP pixels close to the source');
    }
  });

  it('encodes JPEG / WebP without metadata when there is no parameters text', async function () {
    const jpeg = await encodeImage(gradient(16, 16, 3), 'jpeg');
    assert.equal((await sharp(jpeg).metadata()).exif, undefined);
  });

  it('EXIF UserComment block has piexif layout (big-endian TIFF, UNICODE + UTF-16BE)', function () {
    const tiff = buildExifUserComment('Aé😀');
    assert.deepEqual([...tiff.subarray(0, 8)], [0x4d, 0x4d, 0, 42, 0, 0, 0, 8]);
    const tail = Buffer.from(tiff.subarray(tiff.length - 16));
    assert.deepEqual(tail, Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), Buffer.from('Aé😀', 'utf16le').swap16()]));
    assert.equal(readExifUserComment(tiff), 'Aé😀');
  });

  it('resizes to an exact size with fill / cover / contain', async function () {
    const image = gradient(40, 20, 3);
    for (const fit of ['fill', 'cover', 'contain'] as const) {
      const out = await resizeImage(image, 30, 30, fit);
      assert.equal(out.width, 30);
      assert.equal(out.height, 30);
      assert.equal(out.channels, 3);
      assert.equal(out.data.length, 30 * 30 * 3);
    }
    // contain pads top and bottom with black
    const contained = await resizeImage(image, 40, 40, 'contain');
    assert.deepEqual([...contained.data.subarray(0, 3)], [0, 0, 0]);
    const centre = (20 * 40 + 20) * 3;
    assert.ok(contained.data[centre + 2] > 100, 'centre is image, not padding');
    const covered = await resizeImage(image, 20, 20, 'cover');
    // cover crops the left and right quarter: red at the left edge is ≈ 255·10/39
    assert.ok(Math.abs(covered.data[0] - Math.round((255 * 10) / 39)) <= 20, `left red ${covered.data[0]}`);
    const rgba = await resizeImage(gradient(40, 20, 4), 40, 40, 'contain');
    assert.equal(rgba.channels, 4);
    assert.equal(rgba.data[3], 0, 'padding is transparent');
    const same = await resizeImage(image, 40, 20, 'fill');
    assert.deepEqual(same.data, image.data);
    assert.notEqual(same.data, image.data);
  });
});
