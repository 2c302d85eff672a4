// The history view's thumbnail of an image: a PNG that fits in THUMBNAIL_SIDE × THUMBNAIL_SIDE (aspect kept, never
// enlarged), Lanczos as every resize here (src/node/image/imageCodec.ts).
import sharp from 'sharp';

/** Pixels of the thumbnail's longer side: sharp at 2× the tree view's 16–32 px icons on high-DPI screens. */
export const THUMBNAIL_SIDE = 64;

export async function historyThumbnail(png: Uint8Array): Promise<Uint8Array> {
  const buffer = await sharp(png)
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' })
    .png()
    .toBuffer();
  return new Uint8Array(buffer);
}
