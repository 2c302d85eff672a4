import * as assert from 'node:assert/strict';
import { validateCatalog } from '../../src/node/modelStore/catalog';
import type { InstalledModel } from '../../src/node/modelStore/installedModels';
import { modelSource, sameSource } from '../../src/node/modelStore/modelSource';
import { buildModelChoices, licenceLabel, type ModelChoice } from '../../src/host/models/modelChoices';

const entry = (id: string, repo: string, commercialUse: boolean, verified: boolean) => ({
  id,
  name: id.toUpperCase(),
  repo,
  revision: 'main',
  subfolder: '',
  licence: { name: `${id} licence`, url: 'https://example.com', commercialUse, mustAccept: true },
  verified,
  evidence: 'e',
  note: `${id} note.`,
  recommended: { steps: 1, guidanceScale: 0, scheduler: 'default' },
  inpainting: false,
});
const catalog = validateCatalog({ models: [entry('turbo', 'o/turbo', false, false), entry('classic', 'o/classic', true, true), entry('lcm', 'o/lcm', true, true)] });

function installed(repoId: string, dir: string, license?: string): InstalledModel {
  return { format: 1, source: modelSource(repoId), commit: 'abcdef1234'.padEnd(40, '0'), installedAt: '', totalBytes: 3 * 1024 ** 3, files: [], dir, ...(license ? { license } : {}) };
}

const labels = (choices: ModelChoice[]) => choices.map((c) => (c.kind === 'separator' ? `— ${c.label}` : c.label));

describe('Select Model choices', () => {
  it('lists built-in, downloaded, stopped and catalog models, folders and actions, with size, licence and status', () => {
    const choices = buildModelChoices({
      current: 'turbo',
      builtInName: 'analytic-shapes',
      catalog,
      installed: [installed('o/turbo', '/m/o--turbo'), installed('x/other', '/m/x--other', 'openrail')],
      incomplete: [{ dir: '/m/o--lcm.partial', source: modelSource('o/lcm'), bytes: 1024, totalBytes: 4096 }, { dir: '/m/junk.partial', bytes: 5 }],
      recentFolders: ['/models/sd15'],
      downloading: (s) => sameSource(s, modelSource('o/lcm')),
    });
    assert.deepEqual(labels(choices), [
      '$(package) Built-in sample model',
      '— Downloaded',
      '$(check) TURBO',
      '$(check) x/other',
      '— Download',
      '$(debug-pause) LCM',
      '$(cloud-download) CLASSIC',
      '— Model folders',
      '$(folder) sd15',
      '— ',
      '$(folder-opened) Add Model Folder…',
      '$(cloud-download) Download from Hugging Face…',
    ]);
    const turbo = choices[2] as Extract<ModelChoice, { kind: 'installed' }>;
    assert.equal(turbo.description, '3.0 GB · turbo licence (non-commercial) · current');
    assert.equal(turbo.settingValue, 'turbo');
    assert.equal(turbo.detail, 'o/turbo (commit abcdef1) · 1 step, guidance 0, default scheduler');
    const other = choices[3] as Extract<ModelChoice, { kind: 'installed' }>;
    assert.equal(other.settingValue, 'x/other');
    assert.equal(other.description, '3.0 GB · licence: openrail');
    assert.equal(choices[5]?.kind === 'download' && choices[5].description, 'downloading… (1.0 KB of 4.0 KB)');
    const classic = choices[6] as Extract<ModelChoice, { kind: 'download' }>;
    assert.equal(classic.description, 'classic licence · not downloaded');
    assert.equal(classic.detail, 'classic note. Recommended: 1 step, guidance 0, default scheduler.');
    assert.ok(!choices.some((c) => c.label.includes('TURBO') && c.kind === 'download'), 'a downloaded catalog model is not offered again');
  });

  it('marks the built-in model current, offers unverified catalog entries as such, and resumes stopped downloads', () => {
    const choices = buildModelChoices({
      current: '',
      builtInName: 'analytic-shapes',
      catalog,
      installed: [],
      incomplete: [{ dir: '/m/o--turbo.partial', source: modelSource('o/turbo'), bytes: 10 }],
      recentFolders: [],
      downloading: () => false,
    });
    assert.equal(choices[0]?.kind === 'builtIn' && choices[0].description, 'analytic-shapes · current');
    const stopped = choices.find((c) => c.label === '$(debug-pause) TURBO');
    assert.equal(stopped?.kind === 'download' && stopped.description, 'stopped at 10 B · select to resume');
    assert.equal(choices.filter((c) => c.label.endsWith('TURBO')).length, 1, 'the stopped download stands for the catalog entry');
    const lcm = choices.find((c) => c.label === '$(cloud-download) LCM');
    assert.ok(lcm && lcm.kind === 'download' && !lcm.description?.includes('not verified'));
    assert.ok(!choices.some((c) => c.kind === 'separator' && c.label === 'Model folders'));
    const fresh = buildModelChoices({ current: '', builtInName: 'b', catalog, installed: [], incomplete: [], recentFolders: [], downloading: () => false });
    const turbo = fresh.find((c) => c.label === '$(cloud-download) TURBO');
    assert.equal(turbo?.kind === 'download' && turbo.description, 'turbo licence (non-commercial) · repo id not verified · not downloaded');
  });

  it('when no catalog entry is verified, says so neither on every entry nor in a long heading (the confirmation does)', () => {
    const unverified = { ...catalog, models: catalog.models.map((e) => ({ ...e, verified: false })) };
    const choices = buildModelChoices({ current: '', builtInName: 'b', catalog: unverified, installed: [], incomplete: [], recentFolders: [], downloading: () => false });
    const downloads = choices.filter((c) => c.kind === 'download');
    assert.ok(downloads.length >= 2);
    assert.ok(downloads.every((c) => !c.description?.includes('not verified')), JSON.stringify(downloads.map((c) => c.description)));
    assert.deepEqual(choices.filter((c) => c.kind === 'separator').map((c) => c.label), ['Download', '']);
  });

  it('says "non-commercial" once, also when the licence is named so', () => {
    const named = validateCatalog({ models: [{ ...entry('rmbg', 'o/rmbg', false, false), licence: { name: 'RMBG License (non-commercial; ask BRIA)', url: 'https://example.com', commercialUse: false, mustAccept: true } }] }).models[0];
    assert.equal(licenceLabel(named), 'RMBG License (non-commercial; ask BRIA)');
    assert.equal(licenceLabel(catalog.models[0]), 'turbo licence (non-commercial)');
    assert.equal(licenceLabel(catalog.models[1]), 'classic licence');
  });
});
