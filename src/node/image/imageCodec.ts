// Image decode / encode / resize on top of sharp (libvips). Pixels travel as 8-bit interleaved
// RGB or RGBA (RasterImage); the generation parameters go into a PNG tEXt/iTXt chunk, or for JPEG / WebP into
// EXIF UserComment, as A1111 does (modules/images.py save_image_with_geninfo).
import sharp, { type Sharp } from 'sharp';
import { assertRasterImage, type RasterImage } from '../../common/image/imageTypes';
import { isPng, readPngTextChunks, setPngTextChunk } from './pngTextChunks';
import { buildExifUserComment, readExifUserComment } from './exifUserComment';
import { insertExifIntoJpeg, insertExifIntoWebp } from './embedExif';

export type ImageFormat = 'png' | 'webp' | 'jpeg';
export type ResizeFit = 'fill' | 'cover' | 'contain';

export interface EncodeOptions {
  /**
   * A1111 infotext (the generation parameters): PNG `parameters` text chunk (tEXt, iTXt when not Latin-1);
   * JPEG / WebP EXIF UserComment, "UNICODE" + UTF-16 as A1111 writes it (modules/images.py save_image_with_geninfo,
   * piexif.helper.UserComment.dump(..., encoding="unicode")), so non-ASCII prompts survive.
   */
  parameters?: string;
  /** WebP only: the lossless codec (a source that was PNG or lossless WebP stays exact). */
  lossless?: boolean;
}

/** The text chunk A1111 uses for generation parameters (modules/images.py save_image_with_geninfo). */
export const PARAMETERS_KEYWORD = 'parameters';
/**
 * JPEG and lossy WebP quality for every image the extension writes (generated, saved, converted, assets):
 * high, and JPEG without chroma subsampling (4:4:4), so a saved image stays close to the generated pixels.
 */
export const IMAGE_QUALITY = 95;
/** zlib level for PNG output (Pillow's default is 6; ComfyUI uses 4). */
const PNG_COMPRESSION_LEVEL = 6;
/** JPEG has no alpha: transparent pixels are composited onto white. */
const JPEG_BACKGROUND = { r: 255, g: 255, b: 255 };

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

/**
 * The one image encoder: every PNG, JPEG and WebP the engine, the CLI and the extension write comes from here,
 * with the generation parameters written the same way in all three (see EncodeOptions.parameters) and one quality
 * (IMAGE_QUALITY). PNG is lossless. JPEG has no alpha: it is flattened onto white. A `parameters` text too long
 * for one JPEG APP1 segment (about 32 000 characters as UTF-16) is left out of the JPEG: the image is still written.
 */
export async function encodeImage(image: RasterImage, format: ImageFormat, options: EncodeOptions = {}): Promise<Uint8Array> {
  assertRasterImage(image);
  const { parameters } = options;
  switch (format) {
    case 'png': {
      const encoded = await rawInput(image).png({ compressionLevel: PNG_COMPRESSION_LEVEL, palette: false }).toBuffer();
      const png = bytesOf(encoded);
      return parameters === undefined ? png : setPngTextChunk(png, PARAMETERS_KEYWORD, parameters);
    }
    case 'jpeg': {
      let pipeline = rawInput(image);
      if (image.channels === 4) pipeline = pipeline.flatten({ background: JPEG_BACKGROUND });
      const jpeg = bytesOf(await pipeline.jpeg({ quality: IMAGE_QUALITY, chromaSubsampling: '4:4:4' }).toBuffer());
      if (parameters === undefined) return jpeg;
      try {
        return insertExifIntoJpeg(jpeg, buildExifUserComment(parameters));
      } catch {
        return jpeg; // too long for an APP1 segment
      }
    }
    case 'webp': {
      const encoded = await rawInput(image)
        .webp(options.lossless ? { lossless: true } : { quality: IMAGE_QUALITY })
        .toBuffer();
      const webp = bytesOf(encoded);
      if (parameters === undefined) return webp;
      return insertExifIntoWebp(webp, buildExifUserComment(parameters), image.width, image.height, image.channels === 4);
    }
    default:
      throw new Error(`unsupported image format: ${String(format)}`);
  }
}

/** The generation parameters written by encodeImage (or A1111): PNG `parameters` text chunk, JPEG / WebP EXIF UserComment. */
export async function readImageParameters(bytes: Uint8Array): Promise<string | undefined> {
  if (isPng(bytes)) return readPngTextChunks(bytes).find((c) => c.keyword === PARAMETERS_KEYWORD)?.text;
  let exif: Buffer | undefined;
  try {
    exif = (await sharp(bytes).metadata()).exif;
  } catch {
    return undefined;
  }
  return exif ? readExifUserComment(new Uint8Array(exif.buffer, exif.byteOffset, exif.byteLength)) : undefined;
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

function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
