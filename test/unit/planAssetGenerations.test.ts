import * as assert from 'node:assert/strict';
import { assetBaseNameProblem, assetTargetFileName, generationSize, planAssetGenerations } from '../../src/host/assets/planAssetGenerations';

const SD15 = { width: 512, height: 512, sizeMultiple: 64 };

describe('Generate Image Here: one generation per aspect ratio (planAssetGenerations)', () => {
  it('makes every square target from one native-size square', () => {
    const plan = planAssetGenerations([{ width: 16, height: 16 }, { width: 512, height: 512 }, { width: 1024, height: 1024 }], SD15);
    assert.equal(plan.length, 1);
    assert.deepEqual(plan[0].size, { width: 512, height: 512 });
    assert.deepEqual(plan[0].targets.map((t) => t.width), [1024, 512, 16], 'largest first');
  });

  it('generates the 1200×630 social card wide, at about the native area, in sizes the UNet takes', () => {
    const plan = planAssetGenerations([{ width: 1200, height: 630 }, { width: 64, height: 64 }], SD15);
    assert.equal(plan.length, 2);
    const card = plan[0].size;
    assert.deepEqual(card, { width: 704, height: 384 });
    assert.equal(card.width % 64, 0);
    assert.equal(card.height % 64, 0);
    // The old plan cut 512×269 out of a 512² image and blew it up 2.3×; this one keeps 704×370 of 704×384.
    assert.ok(Math.abs(card.width / card.height - 1200 / 630) / (1200 / 630) < 0.05);
    assert.ok(Math.abs((card.width * card.height) / (512 * 512) - 1) < 0.05);
    assert.deepEqual(plan[1].size, { width: 512, height: 512 });
  });

  it('groups ratios within 2 % (16:9 at two sizes) and keeps portrait and landscape apart', () => {
    const plan = planAssetGenerations(
      [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }, { width: 1366, height: 768 }, { width: 1080, height: 1920 }],
      SD15,
    );
    assert.equal(plan.length, 2);
    assert.deepEqual(plan[0].targets.map((t) => `${t.width}x${t.height}`), ['1920x1080', '1366x768', '1280x720']);
    assert.deepEqual(plan[1].targets.map((t) => `${t.width}x${t.height}`), ['1080x1920']);
    assert.equal(plan[0].size.width, plan[1].size.height);
    assert.equal(plan[0].size.height, plan[1].size.width);
  });

  it('follows the model: a 1024² SDXL-size model, a 64² tiny model with multiple 16, extreme ratios', () => {
    assert.deepEqual(generationSize(1, { width: 1024, height: 1024, sizeMultiple: 8 }), { width: 1024, height: 1024 });
    const tiny = generationSize(1200 / 630, { width: 64, height: 64, sizeMultiple: 16 });
    assert.deepEqual(tiny, { width: 96, height: 48 });
    // A banner far wider than the area allows at the multiple still gets at least one multiple of height.
    const banner = generationSize(40, SD15);
    assert.equal(banner.height, 64);
    assert.equal(banner.width % 64, 0);
    assert.throws(() => planAssetGenerations([{ width: 1, height: 1 }], { width: 512, height: 512, sizeMultiple: 0 }), /cannot be planned/);
  });

  it('names files from the user\'s base name, with the size only when several are written', () => {
    assert.equal(assetTargetFileName('hero', { width: 1200, height: 630 }, 'webp', false), 'hero.webp');
    assert.equal(assetTargetFileName('icon', { width: 32, height: 32 }, 'png', true), 'icon-32x32.png');
    assert.equal(assetBaseNameProblem('hero-image'), undefined);
    assert.match(assetBaseNameProblem('a/b') ?? '', /cannot contain/);
    assert.match(assetBaseNameProblem('  ') ?? '', /Enter a file name/);
    assert.match(assetBaseNameProblem('.hidden') ?? '', /dot/);
  });
});
