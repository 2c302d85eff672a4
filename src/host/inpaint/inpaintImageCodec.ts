// The inpaint editor's image I/O on the host, through sharp (as the design fixes for host and engine):
// probing sizes, encoding the mask for the engine, and encoding the image for Save / Save As.
// The document's image bytes are never re-encoded to show them: the webview displays them as they are.
import sharp, { type Metadata } from 'sharp';
import { carryPngTextChunks } from './carryPngTextChunks';
import { isLosslessWebp, sniffImageFormat, type ImageFileFormat } from './imageFormat';

/** Quality for re-encoding a changed JPEG / lossy WebP: high, and JPEG without chroma subsampling. */
export const LOSSY_SAVE_QUALITY = 95;

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

/** The mask for the engine: an 8-bit greyscale PNG of exactly the image's size (white = repaint). */
export async function encodeMaskPng(mask: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  if (mask.length !== width * height) throw new RangeError('Mask size does not match the image.');
  const png = await sharp(mask, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer();
  return new Uint8Array(png);
}

export interface SaveEncodeInput {
  /** The current image: the base bytes, or an engine PNG. */
  image: Uint8Array;
  /** True while `image` is the base (no generation applied). */
  imageIsBase: boolean;
  /** The base bytes: the file as read (or a backup's base). Its text chunks and codec are kept where practical. */
  original: Uint8Array;
  target: ImageFileFormat;
  /** A1111 infotext of the current image, written to EXIF UserComment for JPEG / WebP when it is ASCII. */
  parameters?: string;
}

/**
 * Bytes to write for Save / Save As in the `target` format:
 *  - unchanged image already in that format → the original bytes, untouched;
 *  - PNG ← engine PNG → those bytes as they are (its `parameters` chunk included), plus the original PNG's
 *    other text chunks;
 *  - JPEG / WebP → re-encoded with sharp at high quality. JPEG and lossy WebP are lossy formats: every pixel
 *    may shift slightly on each re-encode (always made from the exact current image, so losses do not add
 *    up across saves). WebP stays lossless when the source was PNG or lossless WebP.
 */
export async function encodeImageForSave(input: SaveEncodeInput): Promise<Uint8Array> {
  const { image, target } = input;
  const originalFormat = sniffImageFormat(input.original);
  if (input.imageIsBase && target === originalFormat) return input.original;
  if (target === 'png') {
    if (sniffImageFormat(image) === 'png') return originalFormat === 'png' ? carryPngTextChunks(image, input.original) : image;
    return new Uint8Array(await sharp(image).autoOrient().png().toBuffer());
  }
  const exif = asciiUserComment(input.parameters);
  if (target === 'jpeg') {
    let pipeline = sharp(image)
      .autoOrient()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .jpeg({ quality: LOSSY_SAVE_QUALITY, chromaSubsampling: '4:4:4' });
    if (exif) pipeline = pipeline.withExif(exif);
    return new Uint8Array(await pipeline.toBuffer());
  }
  const sourceIsLossless = originalFormat === 'png' || (originalFormat === 'webp' && isLosslessWebp(input.original));
  let pipeline = sharp(image).autoOrient().webp(sourceIsLossless ? { lossless: true } : { quality: LOSSY_SAVE_QUALITY });
  if (exif) pipeline = pipeline.withExif(exif);
  return new Uint8Array(await pipeline.toBuffer());
}

/** EXIF (IFD2 = the Exif IFD in libvips' naming) with UserComment, for printable ASCII text only. */
function asciiUserComment(parameters: string | undefined): { IFD2: { UserComment: string } } | undefined {
  if (!parameters || !/^[\x20-\x7e\n\r\t]*$/.test(parameters)) return undefined;
  return { IFD2: { UserComment: parameters } };
}
