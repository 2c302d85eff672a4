import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { UnsupportedImageError, encodeImageForSave, encodeMaskPng, probeImage } from '../../src/host/inpaint/inpaintImageCodec';
import { buildInpaintParams, inpaintJobTitle } from '../../src/host/inpaint/inpaintParams';
import { IMAGE_QUALITY, readImageParameters } from '../../src/node/image/imageCodec';
import { readPngChunks } from '../../src/node/image/pngTextChunks';
import { DEFAULT_INPAINT_SETTINGS } from '../../src/common/protocol/inpaintEditorProtocol';

const W = 24;
const H = 16;

async function noisePng(seed: number): Promise<Uint8Array> {
  const raw = Buffer.alloc(W * H * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 31 + seed * 7) & 255;
  return new Uint8Array(await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
}

async function pixels(bytes: Uint8Array): Promise<Buffer> {
  return sharp(bytes).removeAlpha().raw().toBuffer();
}

describe('inpaintImageCodec', () => {
  it('encodes the mask as an 8-bit grey (R = G = B) PNG of exactly the image size, every value kept', async () => {
    const mask = new Uint8Array(W * H).map((_, i) => (i * 37) & 255);
    const png = await encodeMaskPng(mask, W, H);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels, meta.depth], ['png', W, H, 3, 'uchar']);
    for (const channel of [0, 1, 2] as const) {
      const back = await sharp(png).extractChannel(channel).raw().toBuffer();
      assert.deepEqual(new Uint8Array(back), mask, `channel ${channel}`);
    }
    await assert.rejects(encodeMaskPng(mask, W + 1, H), RangeError);
  });

  it('probes the upright size (EXIF orientation applied, as the engine and the browser see it)', async () => {
    const jpeg = new Uint8Array(await sharp(await noisePng(1)).jpeg().withMetadata({ orientation: 6 }).toBuffer());
    const probe = await probeImage(jpeg);
    assert.deepEqual(probe, { format: 'jpeg', width: H, height: W, orientation: 6 });
    assert.deepEqual(await probeImage(await noisePng(1)), { format: 'png', width: W, height: H, orientation: 1 });
    await assert.rejects(probeImage(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])), UnsupportedImageError);
  });

  it('saves an unchanged image as its own bytes, and an engine PNG as it is', async () => {
    const original = await noisePng(1);
    const unchanged = await encodeImageForSave({ image: original, imageIsBase: true, original, target: 'png' });
    assert.equal(unchanged, original);
    const engine = await noisePng(2);
    const saved = await encodeImageForSave({ image: engine, imageIsBase: false, original, target: 'png' });
    assert.deepEqual(await pixels(saved), await pixels(engine));
    assert.deepEqual(saved, engine, 'no text chunks to carry: the engine bytes unchanged');
  });

  it('re-encodes a changed JPEG at high quality without chroma subsampling, with the parameters (non-ASCII too) in EXIF', async () => {
    const original = new Uint8Array(await sharp(await noisePng(1)).jpeg({ quality: 80 }).toBuffer());
    const engine = await noisePng(3);
    const parameters = 'un renard roux, café 狐 😀\nSteps: 20, Seed: 1';
    const saved = await encodeImageForSave({ image: engine, imageIsBase: false, original, target: 'jpeg', parameters });
    const meta = await sharp(saved).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.chromaSubsampling, '4:4:4');
    assert.equal(await readImageParameters(saved), parameters, 'UTF-16 UserComment, not dropped for non-ASCII text');
    // Lossy, but close: quality 95.
    const a = await pixels(saved);
    const b = await pixels(engine);
    let err = 0;
    for (let i = 0; i < a.length; i++) err += Math.abs(a[i]! - b[i]!);
    assert.ok(err / a.length < 12, `mean error ${err / a.length}`);
    assert.equal(IMAGE_QUALITY, 95);
  });

  it('keeps WebP lossless when the source was lossless, and converts formats on Save As', async () => {
    const lossless = new Uint8Array(await sharp(await noisePng(1)).webp({ lossless: true }).toBuffer());
    const engine = await noisePng(4);
    const saved = await encodeImageForSave({ image: engine, imageIsBase: false, original: lossless, target: 'webp', parameters: 'ein Fuchs, Größe 😀' });
    assert.deepEqual(await pixels(saved), await pixels(engine), 'lossless WebP: every pixel exact');
    assert.equal(await readImageParameters(saved), 'ein Fuchs, Größe 😀');
    const png = await encodeImageForSave({ image: lossless, imageIsBase: true, original: lossless, target: 'png' });
    assert.equal((await sharp(png).metadata()).format, 'png');
    assert.deepEqual(await pixels(png), await pixels(lossless));
  });

  it('carries a PNG original\'s other text chunks into the saved engine PNG; the engine\'s parameters win', async () => {
    const original = withTextChunks(await noisePng(1), ['parameters', 'old'], ['Software', 'paint'], ['Comment', 'keep']);
    const engine = withTextChunks(await noisePng(5), ['parameters', 'new']);
    const saved = await encodeImageForSave({ image: engine, imageIsBase: false, original, target: 'png' });
    const texts = new Map((await sharp(saved).metadata()).comments?.map((c) => [c.keyword, c.text]));
    assert.deepEqual([...texts.entries()], [['parameters', 'new'], ['Software', 'paint'], ['Comment', 'keep']]);
    assert.deepEqual(await pixels(saved), await pixels(engine));
  });
});

/** A PNG with tEXt chunks inserted before its first IDAT. */
function withTextChunks(png: Uint8Array, ...texts: [string, string][]): Uint8Array {
  const idat = readPngChunks(png).find((c) => c.type === 'IDAT')!;
  const chunks = texts.map(([k, t]) => {
    const data = Buffer.from(`${k}\0${t}`, 'latin1');
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write('tEXt', 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  });
  return new Uint8Array(Buffer.concat([png.subarray(0, idat.start), ...chunks, png.subarray(idat.start)]));
}

describe('inpaintParams', () => {
  it('maps the prompt bar to the engine parameters (no size: the engine sizes inpaint jobs)', () => {
    const image = Uint8Array.from([1]);
    const mask = Uint8Array.from([2]);
    const p = buildInpaintParams({ ...DEFAULT_INPAINT_SETTINGS, prompt: 'a fox', negativePrompt: '  ', seed: '9', batchCount: 3, inpaintArea: 'whole' }, image, mask);
    assert.deepEqual(p, {
      task: 'inpaint',
      prompt: 'a fox',
      steps: 20,
      guidanceScale: 7.5,
      scheduler: 'default',
      batchCount: 3,
      initImage: image,
      mask,
      strength: 0.75,
      maskBlur: 4,
      inpaintArea: 'whole',
      maskPadding: 32,
      seed: '9',
    });
    const random = buildInpaintParams({ ...DEFAULT_INPAINT_SETTINGS, negativePrompt: 'blurry' }, image, mask);
    assert.equal('seed' in random, false);
    assert.equal(random.negativePrompt, 'blurry');
  });

  it('titles the job after the file and a short prompt', () => {
    assert.equal(inpaintJobTitle({ ...DEFAULT_INPAINT_SETTINGS, prompt: '  a   red fox ' }, 'x.png'), 'Inpainting x.png: "a red fox"');
    assert.equal(inpaintJobTitle(DEFAULT_INPAINT_SETTINGS, 'x.png'), 'Inpainting x.png');
    assert.ok(inpaintJobTitle({ ...DEFAULT_INPAINT_SETTINGS, prompt: 'y'.repeat(100) }, 'x.png').endsWith('…"'));
  });
});
