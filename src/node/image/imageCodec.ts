// Image decode / encode / resize on top of sharp (libvips). Pixels travel as 8-bit interleaved
// RGB or RGBA (RasterImage); metadata text goes into PNG tEXt/iTXt chunks, or for JPEG / WebP into
// EXIF UserComment as A1111 does (facts §5.1).
import sharp, { type Sharp } from 'sharp';
import { assertRasterImage, type RasterImage } from '../../common/image/imageTypes';
import { setPngTextChunk, type PngTextChunk } from './pngTextChunks';
import { buildExifUserComment } from './exifUserComment';
import { insertExifIntoJpeg, insertExifIntoWebp } from './embedExif';

export type ImageFormat = 'png' | 'webp' | 'jpeg';
export type ResizeFit = 'fill' | 'cover' | 'contain';

export interface EncodeOptions {
  /** JPEG / WebP quality 1–100 (default 90). Ignored for PNG. */
  quality?: number;
  /** PNG: written as text chunks. JPEG / WebP: only the `parameters` text is kept, as EXIF UserComment. */
  textChunks?: ReadonlyArray<PngTextChunk>;
}

/** The text chunk A1111 uses for generation parameters, and the one copied into EXIF for JPEG / WebP. */
export const PARAMETERS_KEYWORD = 'parameters';
const DEFAULT_QUALITY = 90;
/** zlib level for PNG output (Pillow's default is 6; ComfyUI uses 4). */
const PNG_COMPRESSION_LEVEL = 6;

/**
 * Decodes PNG / JPEG / WebP (anything libvips reads) to 8-bit sRGB, RGBA if the file has alpha else RGB.
 * EXIF orientation is applied; 16-bit images are reduced to 8-bit; grey images are expanded to RGB.
 */
export async function decodeImage(bytes: Uint8Array): Promise<RasterImage> {
  try {
    const input = sharp(bytes, { failOn: 'error' });
    const metadata = await input.metadata();
    const hasAlpha = metadata.hasAlpha === true;
    let pipeline = input.autoOrient().toColourspace('srgb');
    pipeline = hasAlpha ? pipeline.ensureAlpha() : pipeline.removeAlpha();
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const channels = hasAlpha ? 4 : 3;
    if (info.channels !== channels) throw new Error(`decoder returned ${info.channels} channels, expected ${channels}`);
    return { width: info.width, height: info.height, channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    throw new Error(`cannot decode image (${bytes.length} bytes): ${(error as Error).message}`);
  }
}

/** Lossless PNG, with the given text chunks (tEXt, or iTXt for non-Latin-1 text). */
export async function encodePng(image: RasterImage, textChunks?: ReadonlyArray<PngTextChunk>): Promise<Uint8Array> {
  assertRasterImage(image);
  const encoded = await rawInput(image).png({ compressionLevel: PNG_COMPRESSION_LEVEL, palette: false }).toBuffer();
  let png: Uint8Array = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  for (const chunk of textChunks ?? []) png = setPngTextChunk(png, chunk.keyword, chunk.text);
  return png;
}

/**
 * PNG (see encodePng), or lossy WebP / JPEG with the `parameters` text as EXIF UserComment
 * ("UNICODE" + UTF-16, piexif's layout). JPEG has no alpha: it is dropped like PIL's convert("RGB").
 * A `parameters` text too long for one JPEG APP1 segment (~32k characters) is left out of the JPEG.
 */
export async function encodeImage(image: RasterImage, format: ImageFormat, options: EncodeOptions = {}): Promise<Uint8Array> {
  if (format === 'png') return encodePng(image, options.textChunks);
  assertRasterImage(image);
  const quality = options.quality ?? DEFAULT_QUALITY;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new Error(`image quality must be an integer 1–100, got ${quality}`);
  const parameters = options.textChunks?.find((c) => c.keyword === PARAMETERS_KEYWORD)?.text;

  if (format === 'jpeg') {
    const encoded = await rawInput(image).removeAlpha().jpeg({ quality }).toBuffer();
    const jpeg = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    if (parameters === undefined) return jpeg;
    try {
      return insertExifIntoJpeg(jpeg, buildExifUserComment(parameters));
    } catch {
      return jpeg; // too long for an APP1 segment: the image is still worth saving
    }
  }
  if (format === 'webp') {
    const encoded = await rawInput(image).webp({ quality }).toBuffer();
    const webp = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    if (parameters === undefined) return webp;
    return insertExifIntoWebp(webp, buildExifUserComment(parameters), image.width, image.height, image.channels === 4);
  }
  throw new Error(`unsupported image format: ${String(format)}`);
}

/**
 * Lanczos3 resize to exactly width × height. 'fill' stretches, 'cover' scales and centre-crops,
 * 'contain' scales and centre-pads (black, transparent when the image has alpha).
 */
export async function resizeImage(image: RasterImage, width: number, height: number, fit: ResizeFit): Promise<RasterImage> {
  assertRasterImage(image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`invalid resize target ${width}x${height}`);
  if (width === image.width && height === image.height) return { ...image, data: image.data.slice() };
  const { data, info } = await rawInput(image)
    .resize(width, height, {
      fit,
      kernel: 'lanczos3',
      position: 'centre',
      background: { r: 0, g: 0, b: 0, alpha: image.channels === 4 ? 0 : 1 },
    })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== image.channels) {
    throw new Error(`resize returned ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x${image.channels}`);
  }
  return { width, height, channels: image.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function rawInput(image: RasterImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}
