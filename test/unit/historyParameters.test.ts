import * as assert from 'node:assert/strict';
import { parseAssetSpec } from '../../src/common/assets/parseAssetSpec';
import type { HistoryEntry } from '../../src/common/history/historyIndex';
import { formatA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { infotextFormParameters } from '../../src/common/metadata/infotextFormParameters';
import { parseToGeneratePanelMessage } from '../../src/common/protocol/generatePanelProtocol';
import { historyAssetEntry } from '../../src/host/history/historyAssetEntry';
import { historyDescription, historyLabel, historyTime, historyTooltipLines } from '../../src/host/history/historyLabels';

const ours = formatA1111Parameters({
  prompt: 'a lighthouse at dusk, (flat:1.2) vector art',
  negativePrompt: 'blurry',
  steps: 12,
  sampler: 'DPM++ 2M',
  scheduleType: 'Karras',
  cfgScale: 6.5,
  seed: 18446744073709551615n,
  width: 640,
  height: 384,
  denoisingStrength: 0.55,
});

describe('infotext → Generate panel parameters', () => {
  it('reads ours (64-bit seed kept exactly, sampler + schedule type) into a message the panel accepts', () => {
    const read = infotextFormParameters(ours, 'hero.png');
    assert.ok('parameters' in read);
    assert.deepEqual(read.parameters, {
      prompt: 'a lighthouse at dusk, (flat:1.2) vector art',
      negativePrompt: 'blurry',
      steps: 12,
      guidanceScale: 6.5,
      width: 640,
      height: 384,
      seed: '18446744073709551615',
      scheduler: 'dpmpp-2m-karras',
      strength: 0.55,
      from: 'hero.png',
    });
    assert.deepEqual(read.notes, []);
    assert.ok(parseToGeneratePanelMessage({ type: 'applyParameters', parameters: read.parameters }).ok);
  });

  it("reads A1111's older combined sampler names, and leaves out what the panel cannot take, saying so", () => {
    const a1111 = 'a cat\nNegative prompt: dog\nSteps: 500, Sampler: DPM++ 2M SDE Karras, CFG scale: 7, Seed: 12345, Size: 512x768, Model hash: abc, Model: sd15';
    const read = infotextFormParameters(a1111, 'cat.jpg');
    assert.ok('parameters' in read);
    assert.equal(read.parameters.scheduler, 'dpmpp-2m-sde-karras');
    assert.equal(read.parameters.steps, undefined);
    assert.deepEqual([read.parameters.width, read.parameters.height, read.parameters.seed], [512, 768, '12345']);
    assert.deepEqual(read.notes, ['steps 500 left out']);
  });

  it('says when an image carries no parameters', () => {
    const none = infotextFormParameters(undefined, 'photo.webp');
    assert.ok('error' in none && /photo\.webp has no generation parameters/.test(none.error));
    const bad = infotextFormParameters('just a caption', 'x.png');
    assert.ok('error' in bad && /x\.png: not A1111 parameters/.test(bad.error));
  });
});

describe('history entry → local-diffusion.json entry', () => {
  const entry: HistoryEntry = {
    id: 'e1', createdAt: 1, source: 'panel', file: 'e1.png', thumbnail: 'e1.thumb.png', bytes: 1, width: 640, height: 384,
    prompt: 'a lighthouse at dusk, (flat:1.2) vector art', negativePrompt: 'blurry', seed: '18446744073709551615',
    model: 'sd-turbo', modelSetting: 'sd-turbo', parameters: ours,
  };

  it('gives the exact parameters and seed, and a spec holding it parses', () => {
    const image = historyAssetEntry(entry);
    assert.deepEqual(image, {
      output: 'images/a-lighthouse-at-dusk-flat-1-2-vector-art-18446744073709551615.png',
      prompt: 'a lighthouse at dusk, (flat:1.2) vector art',
      model: 'sd-turbo',
      negativePrompt: 'blurry',
      seed: '18446744073709551615',
      steps: 12,
      guidance: 6.5,
      scheduler: 'dpmpp-2m-karras',
      width: 640,
      height: 384,
    });
    const parsed = parseAssetSpec(JSON.stringify({ images: [image] }));
    assert.equal(parsed.problems, undefined, JSON.stringify(parsed.problems));
  });

  it('leaves the built-in model out and writes small seeds as numbers', () => {
    const image = historyAssetEntry({ ...entry, modelSetting: '', seed: '7', negativePrompt: undefined, parameters: '' });
    assert.equal(image.model, undefined);
    assert.equal(image.seed, 7);
    assert.equal(image.negativePrompt, undefined);
    assert.equal(parseAssetSpec(JSON.stringify({ images: [image] })).problems, undefined);
  });
});

describe('history view labels', () => {
  const entry = { id: 'e', createdAt: Date.UTC(2026, 0, 2, 3, 4), source: 'inpaint', file: 'e.png', thumbnail: 'e.thumb.png', bytes: 1, width: 64, height: 64, prompt: '  a   red\ncircle ', seed: '77', model: 'analytic-shapes', parameters: '' } as HistoryEntry;

  it('shows the prompt on one line, then seed, model and time', () => {
    assert.equal(historyLabel(entry), 'a red circle');
    assert.equal(historyLabel({ ...entry, prompt: 'x'.repeat(200) }).length, 60);
    assert.equal(historyDescription(entry, entry.createdAt + 30_000), 'seed 77 · analytic-shapes · just now');
    assert.equal(historyTime(entry.createdAt, entry.createdAt + 5 * 60_000), '5 min ago');
    assert.equal(historyTime(entry.createdAt, entry.createdAt + 3 * 3_600_000), '3 h ago');
    assert.match(historyTime(entry.createdAt, entry.createdAt + 3 * 86_400_000), /^2026-01-0[12] \d\d:\d\d$/);
    assert.match(historyTooltipLines(entry).join('\n'), /Seed 77 · 64×64 · analytic-shapes · from the inpaint editor/);
  });
});
