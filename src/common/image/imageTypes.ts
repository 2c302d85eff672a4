// Plain in-memory image and mask types shared by the codec, mask and compositing helpers.

/** 8-bit image, interleaved RGB (channels 3) or RGBA (channels 4), row-major, no padding. */
export interface RasterImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/** Inpainting mask, one float per pixel: 0 = keep, 1 = repaint, in between = soft edge. */
export interface GrayMask {
  width: number;
  height: number;
  data: Float32Array;
}

/** Throws unless the image's buffer matches its declared size. */
export function assertRasterImage(image: RasterImage, what = 'image'): void {
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width <= 0 || image.height <= 0) {
    throw new Error(`${what}: invalid size ${image.width}x${image.height}`);
  }
  if (image.channels !== 3 && image.channels !== 4) throw new Error(`${what}: channels must be 3 or 4, got ${String(image.channels)}`);
  const expected = image.width * image.height * image.channels;
  if (image.data.length !== expected) {
    throw new Error(`${what}: data has ${image.data.length} bytes, expected ${expected} for ${image.width}x${image.height}x${image.channels}`);
  }
}

/** Throws unless the mask's buffer matches its declared size. */
export function assertGrayMask(mask: GrayMask, what = 'mask'): void {
  if (!Number.isInteger(mask.width) || !Number.isInteger(mask.height) || mask.width <= 0 || mask.height <= 0) {
    throw new Error(`${what}: invalid size ${mask.width}x${mask.height}`);
  }
  if (mask.data.length !== mask.width * mask.height) {
    throw new Error(`${what}: data has ${mask.data.length} values, expected ${mask.width * mask.height} for ${mask.width}x${mask.height}`);
  }
}
