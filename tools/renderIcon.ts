// Renders the extension's icon (the Marketplace wants a PNG of at least 128×128; vsce refuses SVG icons) from its
// SVG source with sharp: media/icon.svg → media/icon.png. Run after editing the SVG; the PNG is committed.
//   node dist/tools/renderIcon.js
import * as path from 'node:path';
import sharp from 'sharp';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const ICON_SIZE = 128;

async function main(): Promise<void> {
  const source = path.join(REPO_ROOT, 'media', 'icon.svg');
  const target = path.join(REPO_ROOT, 'media', 'icon.png');
  const info = await sharp(source, { density: 72 * 4 })
    .resize(ICON_SIZE, ICON_SIZE)
    .png({ compressionLevel: 9, palette: false })
    .toFile(target);
  console.log(`${path.relative(REPO_ROOT, target)}: ${info.width}×${info.height}, ${info.size} bytes`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
