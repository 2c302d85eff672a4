// Turns a generated PNG into an asset of the exact target size and format with sharp (the cover-crop of
// assetTargets.ts). The A1111 `parameters` text goes along: a tEXt/iTXt chunk in PNG, EXIF UserComment in
// WebP/JPEG (facts §5.1), written with the engine's metadata helpers. JPEG has no alpha, so it is flattened.
import sharp from 'sharp';
import { insertExifIntoJpeg, insertExifIntoWebp } from '../../node/image/embedExif';
import { buildExifUserComment } from '../../node/image/exifUserComment';
import { PARAMETERS_KEYWORD } from '../../node/image/imageCodec';
import { setPngTextChunk } from '../../node/image/pngTextChunks';
import { planCoverCrop, type AssetFormat, type AssetSize } from './assetTargets';

export const ASSET_QUALITY = { webp: 90, jpeg: 90 } as const;
const JPEG_BACKGROUND = { r: 255, g: 255, b: 255 };

export async function renderAsset(
  png: Uint8Array,
  target: AssetSize,
  format: AssetFormat,
  parameters?: string,
): Promise<Uint8Array> {
  const input = sharp(png);
  const { width, height } = await input.metadata();
  if (!width || !height) throw new Error('The generated image has no size.');
  const plan = planCoverCrop({ width, height }, target);
  let pipeline = input
    .resize(plan.resizeWidth, plan.resizeHeight, { fit: 'fill', kernel: 'lanczos3' })
    .extract({ left: plan.left, top: plan.top, width: plan.width, height: plan.height });
  switch (format) {
    case 'png':
      pipeline = pipeline.png({ compressionLevel: 9 });
      break;
    case 'webp':
      pipeline = pipeline.webp({ quality: ASSET_QUALITY.webp });
      break;
    case 'jpeg':
      pipeline = pipeline.flatten({ background: JPEG_BACKGROUND }).jpeg({ quality: ASSET_QUALITY.jpeg, mozjpeg: true });
      break;
  }
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  const bytes = new Uint8Array(data);
  if (!parameters) return bytes;
  switch (format) {
    case 'png':
      return setPngTextChunk(bytes, PARAMETERS_KEYWORD, parameters);
    case 'webp':
      return insertExifIntoWebp(bytes, buildExifUserComment(parameters), info.width, info.height, info.channels === 4);
    case 'jpeg':
      try {
        return insertExifIntoJpeg(bytes, buildExifUserComment(parameters));
      } catch {
        return bytes; // text too long for one APP1 segment: the asset is still worth writing
      }
  }
}
