import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import {
  ASSET_TARGET_PRESETS,
  parseAssetSize,
  planCoverCrop,
  type AssetSize,
} from '../../src/host/assets/assetTargets';
import { renderAsset } from '../../src/host/assets/renderAsset';
import { readExifUserComment } from '../../src/node/image/exifUserComment';
import { readPngTextChunks } from '../../src/node/image/pngTextChunks';

describe('asset targets', () => {
  it('offers the icon sizes, a large square and the social card', () => {
    assert.deepEqual(
      ASSET_TARGET_PRESETS.map((t) => `${t.width}x${t.height}`),
      ['16x16', '32x32', '48x48', '64x64', '128x128', '256x256', '512x512', '1024x1024', '1200x630'],
    );
    assert.equal(new Set(ASSET_TARGET_PRESETS.map((t) => t.id)).size, ASSET_TARGET_PRESETS.length, 'ids are unique');
  });

  it('parses custom sizes', () => {
    assert.deepEqual(parseAssetSize('1200x630'), { width: 1200, height: 630 });
    assert.deepEqual(parseAssetSize(' 1920 × 1080 '), { width: 1920, height: 1080 });
    assert.deepEqual(parseAssetSize('300X250px'), { width: 300, height: 250 });
    assert.deepEqual(parseAssetSize('256'), { width: 256, height: 256 });
    assert.deepEqual(parseAssetSize('7*5'), { width: 7, height: 5 });
  });

  it('rejects sizes that are not sizes', () => {
    for (const text of ['', 'abc', '12x', 'x12', '1.5x2', '-4x4', '0x10', '10x0', '9000x10', '10 10 10']) {
      const parsed = parseAssetSize(text);
      assert.ok('error' in parsed, `"${text}" should be rejected`);
    }
    assert.match((parseAssetSize('9000x10') as { error: string }).error, /at most 8192/);
  });

  it('plans a cover crop: scale to cover, then cut the centre', () => {
    // 512² model image → 1200×630 social card: scale 1200/512, crop the middle 630 rows of 1200.
    assert.deepEqual(planCoverCrop({ width: 512, height: 512 }, { width: 1200, height: 630 }), {
      resizeWidth: 1200,
      resizeHeight: 1200,
      left: 0,
      top: 285,
      width: 1200,
      height: 630,
    });
    // Landscape source → square icon: the sides are cut.
    assert.deepEqual(planCoverCrop({ width: 768, height: 512 }, { width: 32, height: 32 }), {
      resizeWidth: 48,
      resizeHeight: 32,
      left: 8,
      top: 0,
      width: 32,
      height: 32,
    });
    // Same aspect: a plain resize.
    assert.deepEqual(planCoverCrop({ width: 512, height: 512 }, { width: 16, height: 16 }), {
      resizeWidth: 16,
      resizeHeight: 16,
      left: 0,
      top: 0,
      width: 16,
      height: 16,
    });
  });

  it('always covers the target, whatever the rounding', () => {
    for (const source of [
      { width: 512, height: 512 },
      { width: 768, height: 512 },
      { width: 512, height: 768 },
      { width: 1000, height: 333 },
    ]) {
      for (const target of [...ASSET_TARGET_PRESETS, { width: 7, height: 5 }, { width: 333, height: 1000 }]) {
        const plan = planCoverCrop(source, target);
        assert.ok(plan.left >= 0 && plan.top >= 0);
        assert.ok(plan.left + plan.width <= plan.resizeWidth && plan.top + plan.height <= plan.resizeHeight);
        assert.equal(plan.width, target.width);
        assert.equal(plan.height, target.height);
      }
    }
  });
});

describe('renderAsset (sharp)', function () {
  this.timeout(20_000);
  const parameters = 'a red fox\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 64x32';
  let source: Uint8Array;

  /** 64×32: left half red, right half blue, with a green 8-pixel column in the middle. */
  before(async () => {
    const width = 64;
    const height = 32;
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        if (x >= 28 && x < 36) rgb[i + 1] = 255;
        else if (x < 32) rgb[i] = 255;
        else rgb[i + 2] = 255;
      }
    }
    source = new Uint8Array(await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer());
  });

  async function pixels(bytes: Uint8Array): Promise<{ size: AssetSize; at(x: number, y: number): number[] }> {
    const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return {
      size: { width: info.width, height: info.height },
      at: (x, y) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)],
    };
  }

  it('crops the centre of a wide image into a square PNG that keeps the parameters', async () => {
    const png = await renderAsset(source, { width: 16, height: 16 }, 'png', parameters);
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    const image = await pixels(png);
    assert.deepEqual(image.size, { width: 16, height: 16 });
    // The centre 32 columns of 64 are kept, scaled by 1/2: green sits at x 6..9, red left of it, blue right of it.
    const [r0, g0, b0] = image.at(1, 8);
    assert.ok(r0! > 200 && g0! < 60 && b0! < 60, `left edge is red: ${image.at(1, 8)}`);
    const [r1, g1, b1] = image.at(14, 8);
    assert.ok(b1! > 200 && r1! < 60 && g1! < 60, `right edge is blue: ${image.at(14, 8)}`);
    const [, g2] = image.at(7, 8);
    assert.ok(g2! > 150, `middle is green: ${image.at(7, 8)}`);
    assert.deepEqual(readPngTextChunks(png), [{ keyword: 'parameters', text: parameters }]);
  });

  it('writes WebP and JPEG at the exact target size, with the parameters as EXIF', async () => {
    for (const format of ['webp', 'jpeg'] as const) {
      const bytes = await renderAsset(source, { width: 40, height: 10 }, format, parameters);
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.format, format);
      assert.equal(meta.width, 40);
      assert.equal(meta.height, 10);
      assert.ok(meta.exif && meta.exif.length > 0, `${format} carries EXIF`);
      assert.equal(readExifUserComment(new Uint8Array(meta.exif)), parameters, `${format}: EXIF UserComment round trip`);
    }
  });

  it('upscales to a target larger than the generated image', async () => {
    const png = await renderAsset(source, { width: 300, height: 100 }, 'png');
    const meta = await sharp(png).metadata();
    assert.equal(meta.width, 300);
    assert.equal(meta.height, 100);
    assert.deepEqual(readPngTextChunks(png), [], 'no parameters given, none written');
  });
});
