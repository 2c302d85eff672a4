// The extension manifest (package.json) against the code: command ids, menus, settings and their defaults,
// the custom editor and the activation events must agree, or VS Code fails at run time, not at build time.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Commands, Settings, ViewTypes } from '../../src/host/constants';
import { EXECUTION_PROVIDER_NAMES, SCHEDULER_NAMES } from '../../src/common/protocol/engineProtocol';
import { DEFAULT_SETTINGS, SETTING_LIMITS } from '../../src/host/settings';
import { EMPHASIS_MODES } from '../../src/common/prompt/emphasisMode';

const root = path.resolve(__dirname, '../../..');

interface CommandContribution {
  command: string;
  title: string;
  category?: string;
  enablement?: string;
}
interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}
interface SettingContribution {
  type: string;
  default: unknown;
  enum?: string[];
  scope?: string;
  minimum?: number;
  maximum?: number;
  markdownDescription?: string;
  description?: string;
}
interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: CommandContribution[];
    menus: Record<string, MenuItem[]>;
    customEditors: Array<{ viewType: string; priority: string; selector: Array<{ filenamePattern: string }> }>;
    configuration: { title: string; properties: Record<string, SettingContribution> };
  };
  capabilities: {
    untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[]; description?: string };
    virtualWorkspaces: { supported: boolean; description?: string };
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const commandIds = Object.values(Commands);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

describe('package.json manifest', () => {
  it('contributes exactly the commands in src/host/constants.ts, in the "Local Diffusion" category', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.deepEqual([...contributed].sort(), [...commandIds].sort());
    assert.equal(new Set(contributed).size, contributed.length, 'no duplicates');
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'Local Diffusion', c.command);
      assert.ok(c.title.length > 0);
    }
  });

  it('registers every contributed command exactly once in the extension host code', () => {
    const byKey = new Map(Object.entries(Commands).map(([key, id]) => [key, id]));
    const registered: string[] = [];
    for (const file of sourceFiles('src').filter((f) => !f.startsWith(path.join('src', 'engine')))) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const m of text.matchAll(/register(?:Failable)?Command\(\s*Commands\.(\w+)/g)) {
        const id = byKey.get(m[1]!);
        assert.ok(id, `${file} registers unknown Commands.${m[1]}`);
        registered.push(id);
      }
      for (const m of text.matchAll(/register(?:Failable)?Command\(\s*['"`](localDiffusion\.\w+)['"`]/g)) registered.push(m[1]!);
    }
    assert.deepEqual([...registered].sort(), [...commandIds].sort());
  });

  it('menus only use contributed commands and keep image commands to images', () => {
    const known = new Set(commandIds);
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.ok(known.has(item.command as never), `${menu}: ${item.command}`);
    }
    const explorer = manifest.contributes.menus['explorer/context'] ?? [];
    const here = explorer.find((i) => i.command === Commands.generateImageHere);
    assert.equal(here?.when, 'explorerResourceIsFolder');
    const inpaint = explorer.find((i) => i.command === Commands.inpaintImage);
    assert.match(inpaint?.when ?? '', /!explorerResourceIsFolder/);
    const imageWhen = /resourceExtname =~ \/\^\\\.\(png\|jpe\?g\|webp\)\$\/i/;
    assert.match(inpaint?.when ?? '', imageWhen);
    const title = manifest.contributes.menus['editor/title']?.find((i) => i.command === Commands.inpaintImage);
    assert.match(title?.when ?? '', imageWhen);
    const palette = manifest.contributes.menus.commandPalette ?? [];
    assert.equal(palette.find((i) => i.command === Commands.cancelGeneration)?.when, 'localDiffusion.generating');
    const cancel = manifest.contributes.commands.find((c) => c.command === Commands.cancelGeneration);
    assert.equal(cancel?.enablement, 'localDiffusion.generating');
  });

  it('the when-clause image pattern matches exactly the image extensions', () => {
    const when = manifest.contributes.menus['editor/title']?.[0]?.when ?? '';
    const source = /=~ \/(.+?)\/i/.exec(when)?.[1];
    assert.ok(source);
    const re = new RegExp(source, 'i');
    for (const ext of ['.png', '.PNG', '.jpg', '.jpeg', '.webp']) assert.ok(re.test(ext), ext);
    for (const ext of ['.gif', '.svg', '.pngx', '.jpgg', 'png']) assert.ok(!re.test(ext), ext);
  });

  it('offers the inpaint editor as an option, never as the default image editor', () => {
    const editors = manifest.contributes.customEditors;
    assert.equal(editors.length, 1);
    assert.equal(editors[0]?.viewType, ViewTypes.inpaintEditor);
    assert.equal(editors[0]?.priority, 'option');
    assert.deepEqual(
      editors[0]?.selector.map((s) => s.filenamePattern),
      ['*.png', '*.jpg', '*.jpeg', '*.webp'],
    );
  });

  it('declares only the activation events VS Code cannot infer (the panel serializer, a workspace with asset specs)', () => {
    assert.deepEqual(manifest.activationEvents, [
      `onWebviewPanel:${ViewTypes.generatePanel}`,
      // The CodeLens and the task type of spec files, before the Image Assets view is ever shown.
      'workspaceContains:**/local-diffusion.json',
      'workspaceContains:**/*.local-diffusion.json',
    ]);
    assert.equal(manifest.main, './dist/extension.js');
  });

  it('declares every setting with the code defaults, a scope and a description', () => {
    const properties = manifest.contributes.configuration.properties;
    const keys = Object.entries(Settings)
      .filter(([name]) => name !== 'section')
      .map(([, key]) => key);
    assert.deepEqual(Object.keys(properties).sort(), keys.map((k) => `${Settings.section}.${k}`).sort());
    for (const key of keys) {
      const property = properties[`${Settings.section}.${key}`]!;
      assert.deepEqual(property.default, DEFAULT_SETTINGS[key as keyof typeof DEFAULT_SETTINGS], `default of ${key}`);
      assert.ok(property.scope, `scope of ${key}`);
      assert.ok((property.markdownDescription ?? property.description ?? '').length > 20, `description of ${key}`);
    }
    assert.deepEqual(properties['localDiffusion.defaultScheduler']?.enum, [...SCHEDULER_NAMES]);
    assert.deepEqual(properties['localDiffusion.executionProvider']?.enum, [...EXECUTION_PROVIDER_NAMES]);
    assert.equal(properties['localDiffusion.defaultSteps']?.minimum, SETTING_LIMITS.steps.min);
    assert.equal(properties['localDiffusion.defaultSteps']?.maximum, SETTING_LIMITS.steps.max);
    assert.equal(properties['localDiffusion.defaultGuidanceScale']?.maximum, SETTING_LIMITS.guidanceScale.max);
    assert.equal(properties['localDiffusion.defaultWidth']?.maximum, SETTING_LIMITS.size.max);
    assert.equal(properties['localDiffusion.keepModelLoadedMinutes']?.maximum, SETTING_LIMITS.keepModelLoadedMinutes.max);
    assert.equal(properties['localDiffusion.nodePath']?.scope, 'machine', 'a workspace cannot pick the executable');
    assert.deepEqual(properties['localDiffusion.emphasis']?.enum, [...EMPHASIS_MODES]);
    assert.equal(properties['localDiffusion.clipSkip']?.minimum, SETTING_LIMITS.clipSkip.min);
    assert.equal(properties['localDiffusion.clipSkip']?.maximum, SETTING_LIMITS.clipSkip.max);
  });

  it('contributes the model manager: its commands, and a models folder a workspace cannot redirect', () => {
    const titles = new Map(manifest.contributes.commands.map((c) => [c.command, c.title]));
    assert.equal(titles.get(Commands.downloadModel), 'Download Model…');
    assert.equal(titles.get(Commands.addModelFolder), 'Add Model Folder…');
    assert.equal(titles.get(Commands.setHuggingFaceToken), 'Set Hugging Face Token…');
    const properties = manifest.contributes.configuration.properties;
    assert.equal(properties['localDiffusion.modelsFolder']?.scope, 'machine', 'downloads never go where a workspace says');
    assert.match(properties['localDiffusion.model']?.markdownDescription ?? '', /catalog id/);
    assert.match(properties['localDiffusion.model']?.markdownDescription ?? '', /owner\/name\[@revision\]\[:subfolder\]/);
    // The catalog the extension reads at run time ships with it (models/catalog.json next to dist/).
    assert.ok(fs.existsSync(path.join(root, 'models', 'catalog.json')));
  });

  it('limits untrusted workspaces and declines virtual ones', () => {
    const { untrustedWorkspaces, virtualWorkspaces } = manifest.capabilities;
    assert.equal(untrustedWorkspaces.supported, 'limited');
    assert.ok(untrustedWorkspaces.description);
    const properties = Object.keys(manifest.contributes.configuration.properties);
    for (const key of untrustedWorkspaces.restrictedConfigurations ?? []) assert.ok(properties.includes(key), key);
    for (const key of ['localDiffusion.model', 'localDiffusion.nodePath']) {
      assert.ok(untrustedWorkspaces.restrictedConfigurations?.includes(key), key);
    }
    assert.equal(virtualWorkspaces.supported, false);
    assert.ok(virtualWorkspaces.description);
  });
});
