import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_SETTINGS,
  SETTING_SCOPES,
  readResourceSettings,
  readSettings,
  type ConfigurationProvider,
} from '../../src/host/settings';

const root = path.resolve(__dirname, '../../..');

/** A workspace whose configuration holds `values` (keys without the `localDiffusion.` section). */
const config = (values: Record<string, unknown>): ConfigurationProvider => ({
  getConfiguration: () => ({ get: (key: string) => values[key] }),
});

/** package.json contributes.configuration: key (without the section) → declared scope (VS Code's default is window). */
function declaredScopes(): Map<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const sections = Array.isArray(manifest.contributes.configuration) ? manifest.contributes.configuration : [manifest.contributes.configuration];
  const scopes = new Map<string, string>();
  for (const section of sections) {
    for (const [key, property] of Object.entries(section.properties as Record<string, { scope?: string }>)) {
      scopes.set(key.replace(/^localDiffusion\./, ''), property.scope ?? 'window');
    }
  }
  return scopes;
}

interface Read {
  key: string;
  /** What getConfiguration was given: undefined (no resource), null (any resource) or a resource. */
  scope: object | null | undefined;
}

/** Records which setting was read through which getConfiguration call, as VS Code's ExtHostConfiguration checks. */
function recording(): { workspace: ConfigurationProvider; reads: Read[] } {
  const reads: Read[] = [];
  return {
    reads,
    workspace: {
      getConfiguration: (section, scope) => {
        assert.equal(section, 'localDiffusion');
        return { get: (key: string) => void reads.push({ key, scope }) };
      },
    },
  };
}

describe('settings', () => {
  it('gives the defaults for an empty configuration', () => {
    const { outputFolder, ...windowDefaults } = DEFAULT_SETTINGS;
    assert.deepEqual(readSettings(config({})), windowDefaults);
    assert.deepEqual(readResourceSettings(config({}), null), { outputFolder });
  });

  it('reads every setting with its declared scope: resource-scoped for a resource, the others without one', () => {
    const declared = declaredScopes();
    assert.deepEqual(Object.fromEntries(declared), SETTING_SCOPES, 'SETTING_SCOPES mirrors package.json');
    const window = recording();
    readSettings(window.workspace);
    const folder = { uri: { scheme: 'file', path: '/w' } };
    const resource = recording();
    readResourceSettings(resource.workspace, folder);
    const anyResource = recording();
    readResourceSettings(anyResource.workspace, null);
    const read = new Set<string>();
    for (const { key, scope } of window.reads) {
      read.add(key);
      assert.notEqual(declared.get(key), 'resource', `${key} is resource-scoped: read it for a resource`);
      assert.equal(scope, undefined, `${key} (${declared.get(key)}) is read without a resource`);
    }
    for (const { key, scope } of [...resource.reads, ...anyResource.reads]) {
      read.add(key);
      assert.equal(declared.get(key), 'resource', `${key} is ${declared.get(key)}-scoped: read it without a resource`);
      assert.notEqual(scope, undefined, `${key} is read for a resource (or null)`);
    }
    assert.equal(resource.reads[0]?.scope, folder);
    assert.deepEqual([...read].sort(), [...declared.keys()].sort(), 'every declared setting is read by one of the readers');
  });

  it('reads the localDiffusion configuration only through these readers (selectModel writes the model setting)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(rel);
        else if (rel.endsWith('.ts') && rel !== path.join('src', 'host', 'settings.ts')) {
          const text = fs.readFileSync(path.join(root, rel), 'utf8');
          for (const m of text.matchAll(/getConfiguration\((?:Settings\.section|'localDiffusion')[^)]*\)(\s*;|\.get\b)?/g)) {
            // A configuration used to inspect/update is fine; one used to read values goes through settings.ts.
            const after = text.slice(m.index! + m[0].length, m.index! + m[0].length + 400);
            if (m[1]?.includes('.get') || /\.get\s*[<(]/.test(after.split('\n\n')[0]!)) offenders.push(rel);
          }
        }
      }
    };
    walk('src');
    assert.deepEqual(offenders, []);
  });

  it('reads valid values', () => {
    assert.deepEqual(readResourceSettings(config({ outputFolder: ' assets/ai ' }), null), { outputFolder: 'assets/ai' });
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
        hiresUpscaler: '/models/esrgan.onnx',
        keepModelLoadedMinutes: 0,
        emphasis: 'No norm',
        clipSkip: 2,
        autoSave: 'outputFolder',
        vae: ' /models/sdxl-vae-fp16-fix ',
        loraFolders: [' /loras ', '', 7, '/more'],
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
      previewEverySteps: 2,
      nodePath: '/usr/bin/node',
      hiresUpscaler: '/models/esrgan.onnx',
      keepModelLoadedMinutes: 0,
      emphasis: 'No norm',
      clipSkip: 2,
      autoSave: 'outputFolder',
      vae: '/models/sdxl-vae-fp16-fix',
      loraFolders: ['/loras', '/more'],
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
        emphasis: 'no norm',
        clipSkip: 40,
        autoSave: 'always',
      }),
    );
    assert.equal(settings.autoSave, 'off');
    assert.equal(settings.emphasis, 'Original', 'A1111 spells the modes exactly');
    assert.equal(settings.clipSkip, 12);
    assert.deepEqual(settings.loraFolders, []);
    assert.equal(settings.model, '');
    assert.equal(settings.executionProvider, 'auto');
    assert.equal(settings.defaultSteps, 150);
    assert.equal(settings.defaultGuidanceScale, 7.5);
    assert.equal(settings.defaultScheduler, 'default');
    assert.equal(settings.defaultWidth, 512, 'rounded down to a multiple of 8');
    assert.equal(settings.defaultHeight, 0);
    assert.equal(readResourceSettings(config({ outputFolder: '   ' }), null).outputFolder, 'generated');
    assert.equal(settings.previewEverySteps, 3);
    assert.equal(settings.keepModelLoadedMinutes, 0);
  });
});
