import * as assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, readSettings } from '../../src/host/settings';

const config = (values: Record<string, unknown>) => ({ get: (key: string) => values[key] });

describe('settings', () => {
  it('gives the defaults for an empty configuration', () => {
    assert.deepEqual(readSettings(config({})), DEFAULT_SETTINGS);
  });

  it('reads valid values', () => {
    const settings = readSettings(
      config({
        model: ' /models/sd15 ',
        modelsFolder: ' /data/models ',
        executionProvider: 'dml',
        defaultSteps: 30,
        defaultGuidanceScale: 5,
        defaultScheduler: 'dpmpp-2m-karras',
        defaultWidth: 768,
        defaultHeight: 512,
        outputFolder: 'assets/ai',
        previewEverySteps: 2,
        nodePath: '/usr/bin/node',
        keepModelLoadedMinutes: 0,
      }),
    );
    assert.deepEqual(settings, {
      model: '/models/sd15',
      modelsFolder: '/data/models',
      executionProvider: 'dml',
      defaultSteps: 30,
      defaultGuidanceScale: 5,
      defaultScheduler: 'dpmpp-2m-karras',
      defaultWidth: 768,
      defaultHeight: 512,
      outputFolder: 'assets/ai',
      previewEverySteps: 2,
      nodePath: '/usr/bin/node',
      keepModelLoadedMinutes: 0,
    });
  });

  it('falls back, clamps and rounds bad values', () => {
    const settings = readSettings(
      config({
        model: 42,
        executionProvider: 'tpu',
        defaultSteps: 1000,
        defaultGuidanceScale: Number.NaN,
        defaultScheduler: 'dpm2',
        defaultWidth: 515,
        defaultHeight: -8,
        outputFolder: '   ',
        previewEverySteps: 2.6,
        keepModelLoadedMinutes: -5,
      }),
    );
    assert.equal(settings.model, '');
    assert.equal(settings.executionProvider, 'auto');
    assert.equal(settings.defaultSteps, 150);
    assert.equal(settings.defaultGuidanceScale, 7.5);
    assert.equal(settings.defaultScheduler, 'default');
    assert.equal(settings.defaultWidth, 512, 'rounded down to a multiple of 8');
    assert.equal(settings.defaultHeight, 0);
    assert.equal(settings.outputFolder, 'generated');
    assert.equal(settings.previewEverySteps, 3);
    assert.equal(settings.keepModelLoadedMinutes, 0);
  });
});
