// Turns a generated PNG into an asset of the exact target size and format: sharp resizes and crops (the cover-crop
// of assetTargets.ts) to raw pixels, and the one image encoder (src/node/image/imageCodec.ts) writes the file with
// the A1111 `parameters` text (PNG text chunk, or EXIF UserComment in WebP / JPEG), so all formats carry it alike.
import sharp from 'sharp';
import type { RasterImage } from '../../common/image/imageTypes';
import { encodeImage } from '../../node/image/imageCodec';
import { planCoverCrop, type AssetFormat, type AssetSize } from './assetTargets';

export async function renderAsset(
  png: Uint8Array,
  target: AssetSize,
  format: AssetFormat,
  parameters?: string,
): Promise<Uint8Array> {
  const input = sharp(png);
  const { width, height, hasAlpha } = await input.metadata();
  if (!width || !height) throw new Error('The generated image has no size.');
  const plan = planCoverCrop({ width, height }, target);
  const channels = hasAlpha ? 4 : 3;
  const pipeline = input
    .resize(plan.resizeWidth, plan.resizeHeight, { fit: 'fill', kernel: 'lanczos3' })
    .extract({ left: plan.left, top: plan.top, width: plan.width, height: plan.height })
    .toColourspace('srgb');
  const { data, info } = await (hasAlpha ? pipeline.ensureAlpha() : pipeline.removeAlpha())
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`resize returned ${info.channels} channels, expected ${channels}`);
  const image: RasterImage = { width: info.width, height: info.height, channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  return encodeImage(image, format, parameters ? { parameters } : {});
}
