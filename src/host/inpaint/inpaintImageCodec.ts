// The inpaint editor's image I/O on the host, through sharp (as the design fixes for host and engine):
// probing sizes, and the mask and the Save / Save As bytes, both encoded by the one image encoder (src/node/image/).
// The document's image bytes are never re-encoded to show them: the webview displays them as they are.
import sharp, { type Metadata } from 'sharp';
import { decodeImage, encodeImage } from '../../node/image/imageCodec';
import { carryPngTextChunks } from '../../node/image/pngTextChunks';
import { isLosslessWebp, sniffImageFormat, type ImageFileFormat } from './imageFormat';

export interface ImageProbe {
  format: ImageFileFormat;
  /**
   * The upright size: EXIF orientation applied, as the engine (sharp autoOrient) and the browser
   * (createImageBitmap, image-orientation: from-image) both see the image. The mask has this size.
   */
  width: number;
  height: number;
  /** EXIF orientation (1 = none). */
  orientation: number;
}

export class UnsupportedImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedImageError';
  }
}

export async function probeImage(bytes: Uint8Array): Promise<ImageProbe> {
  const format = sniffImageFormat(bytes);
  if (!format) throw new UnsupportedImageError('Not a PNG, JPEG or WebP image.');
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (e) {
    throw new UnsupportedImageError(`The image cannot be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!meta.width || !meta.height) throw new UnsupportedImageError('The image has no size.');
  if ((meta.pages ?? 1) > 1) throw new UnsupportedImageError('Animated images cannot be inpainted.');
  const upright = meta.autoOrient ?? { width: meta.width, height: meta.height };
  return { format, width: upright.width, height: upright.height, orientation: meta.orientation ?? 1 };
}

/**
 * The mask for the engine: a PNG of exactly the image's size, grey as RGB (white = repaint), written by the one
 * image encoder; the engine reads its luminance (maskFromImage).
 */
export async function encodeMaskPng(mask: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  if (mask.length !== width * height) throw new RangeError('Mask size does not match the image.');
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < mask.length; i++, o += 3) {
    const v = mask[i]!;
    rgb[o] = v;
    rgb[o + 1] = v;
    rgb[o + 2] = v;
  }
  return encodeImage({ width, height, channels: 3, data: rgb }, 'png');
}

export interface SaveEncodeInput {
  /** The current image: the base bytes, or an engine PNG. */
  image: Uint8Array;
  /** True while `image` is the base (no generation applied). */
  imageIsBase: boolean;
  /** The base bytes: the file as read (or a backup's base). Its text chunks and codec are kept where practical. */
  original: Uint8Array;
  target: ImageFileFormat;
  /** A1111 infotext of the current image: written into the file whatever the format (see encodeImage). */
  parameters?: string;
}

/**
 * Bytes to write for Save / Save As in the `target` format:
 *  - unchanged image already in that format → the original bytes, untouched;
 *  - PNG ← engine PNG → those bytes as they are (its `parameters` chunk included), plus the original PNG's
 *    other text chunks;
 *  - anything else → decoded upright and re-encoded by the one image encoder (src/node/image/imageCodec.ts), with
 *    the parameters. JPEG and lossy WebP are lossy formats: every pixel may shift slightly on each re-encode
 *    (always made from the exact current image, so losses do not add up across saves). WebP stays lossless when
 *    the source was PNG or lossless WebP.
 */
export async function encodeImageForSave(input: SaveEncodeInput): Promise<Uint8Array> {
  const { image, target, parameters } = input;
  const originalFormat = sniffImageFormat(input.original);
  if (input.imageIsBase && target === originalFormat) return input.original;
  if (target === 'png' && sniffImageFormat(image) === 'png' && !input.imageIsBase) {
    return originalFormat === 'png' ? carryPngTextChunks(image, input.original) : image;
  }
  const lossless = originalFormat === 'png' || (originalFormat === 'webp' && isLosslessWebp(input.original));
  return encodeImage(await decodeImage(image), target, {
    ...(parameters !== undefined ? { parameters } : {}),
    ...(target === 'webp' ? { lossless } : {}),
  });
}
