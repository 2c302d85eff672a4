// The sampler table (src/common/samplers.ts): A1111 names both ways, groups, and its derived lists.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatA1111Parameters, parseA1111Parameters } from '../../src/common/metadata/a1111Parameters';
import { samplerInfotextFields, samplerLabel } from '../../src/common/metadata/samplerLabel';
import { SCHEDULER_LABELS, SCHEDULER_NAMES } from '../../src/common/protocol/engineProtocol';
import { SAMPLER_GROUPS, SAMPLER_NAMES, SAMPLERS, samplerFromA1111, samplerMenu, samplersInGroup, type SamplerName } from '../../src/common/samplers';

describe('sampler table', () => {
  it('every sampler has a label, a group, a hint and a diffusers class; groups partition the table', () => {
    for (const name of SAMPLER_NAMES) {
      const s = SAMPLERS[name];
      assert.ok(s.label && s.a1111Sampler && s.diffusers && s.hint, name);
      assert.match(s.hint, /\d/, `${name}: the hint names typical step counts`);
    }
    const grouped = SAMPLER_GROUPS.flatMap((g) => samplersInGroup(g.group));
    assert.deepEqual([...grouped].sort(), [...SAMPLER_NAMES].sort());
    assert.deepEqual(samplersInGroup('few-step'), ['lcm']);
  });

  it('the UI menu: the default entry, then one optgroup per group with A1111 labels and the hint as title', () => {
    const menu = samplerMenu();
    assert.equal(menu[0].label, undefined);
    assert.deepEqual(menu[0].options.map((o) => o.value), ['default']);
    assert.deepEqual(menu.slice(1).map((g) => g.label), SAMPLER_GROUPS.map((g) => g.label));
    assert.deepEqual(menu.flatMap((g) => g.options.map((o) => o.value)).sort(), [...SCHEDULER_NAMES].sort());
    const karras = menu.flatMap((g) => g.options).find((o) => o.value === 'dpmpp-2m-karras');
    assert.deepEqual(karras, { value: 'dpmpp-2m-karras', label: 'DPM++ 2M Karras', title: SAMPLERS['dpmpp-2m-karras'].hint });
  });

  it('SCHEDULER_NAMES / SCHEDULER_LABELS derive from it (default first)', () => {
    assert.deepEqual([...SCHEDULER_NAMES], ['default', ...SAMPLER_NAMES]);
    assert.equal(SCHEDULER_LABELS.default, "Model's default");
    for (const name of SAMPLER_NAMES) assert.equal(SCHEDULER_LABELS[name], SAMPLERS[name].label);
  });

  it("package.json's defaultScheduler enum lists every name with its hint", () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
      contributes: { configuration: Array<{ properties: Record<string, { enum?: string[]; enumDescriptions?: string[] }> }> | { properties: Record<string, { enum?: string[]; enumDescriptions?: string[] }> } };
    };
    const sections = Array.isArray(manifest.contributes.configuration) ? manifest.contributes.configuration : [manifest.contributes.configuration];
    const setting = sections.map((s) => s.properties['localDiffusion.defaultScheduler']).find((p) => p !== undefined);
    assert.ok(setting);
    assert.deepEqual(setting.enum, [...SCHEDULER_NAMES]);
    assert.equal(setting.enumDescriptions?.length, SCHEDULER_NAMES.length);
    SAMPLER_NAMES.forEach((name, i) => assert.equal(setting.enumDescriptions?.[i + 1], `${SAMPLERS[name].label}: ${SAMPLERS[name].hint}`, name));
  });
});

describe('A1111 sampler names both ways', () => {
  it('writes Sampler + Schedule type as A1111 ≥ 1.9 (Karras in Schedule type, not in the name)', () => {
    assert.deepEqual(samplerInfotextFields('dpmpp-2m-sde-karras'), { sampler: 'DPM++ 2M SDE', scheduleType: 'Karras' });
    assert.deepEqual(samplerInfotextFields('lms-karras'), { sampler: 'LMS', scheduleType: 'Karras' });
    assert.deepEqual(samplerInfotextFields('pndm'), { sampler: 'PLMS' });
    assert.deepEqual(samplerInfotextFields('euler-a'), { sampler: 'Euler a' });
    // A1111's "Automatic" for DPM++ 2M means Karras: the plain one is written as Uniform.
    assert.deepEqual(samplerInfotextFields('dpmpp-2m'), { sampler: 'DPM++ 2M', scheduleType: 'Uniform' });
    assert.equal(samplerLabel('dpmpp-sde-karras'), 'DPM++ SDE');
  });

  it('round trip: every sampler\'s infotext reads back to the same sampler and schedule', () => {
    for (const name of SAMPLER_NAMES) {
      const text = formatA1111Parameters({ prompt: 'a cat', steps: 20, cfgScale: 7, seed: 1, width: 64, height: 64, ...samplerInfotextFields(name) });
      const parsed = parseA1111Parameters(text);
      assert.deepEqual(samplerFromA1111(parsed.sampler, parsed.scheduleType), { ok: true, name }, `${name}: ${text}`);
    }
    const text = formatA1111Parameters({ prompt: 'x', steps: 20, cfgScale: 7, seed: 1, width: 64, height: 64, ...samplerInfotextFields('dpmpp-2m-sde-karras') });
    assert.match(text, /Steps: 20, Sampler: DPM\+\+ 2M SDE, Schedule type: Karras, CFG scale: 7/);
  });

  it('reads the old combined names (before A1111 1.9) and the k_* aliases', () => {
    const cases: Array<[string, SamplerName]> = [
      ['DPM++ 2M SDE Karras', 'dpmpp-2m-sde-karras'],
      ['DPM++ 2M Karras', 'dpmpp-2m-karras'],
      ['DPM++ SDE Karras', 'dpmpp-sde-karras'],
      ['LMS Karras', 'lms-karras'],
      ['PLMS', 'pndm'],
      ['Euler a', 'euler-a'],
      ['Euler', 'euler'],
      ['DPM++ 2M', 'dpmpp-2m'], // no Schedule type before 1.9: the plain schedule
      ['DPM++ 2M SDE', 'dpmpp-2m-sde'],
      ['DPM++ SDE', 'dpmpp-sde'],
      ['LMS', 'lms'],
      ['Heun', 'heun'],
      ['UniPC', 'unipc'],
      ['DDIM', 'ddim'],
      ['LCM', 'lcm'],
      ['k_dpmpp_2m_ka', 'dpmpp-2m-karras'],
      ['k_euler_a', 'euler-a'],
      ['  euler a ', 'euler-a'],
    ];
    for (const [text, name] of cases) assert.deepEqual(samplerFromA1111(text), { ok: true, name }, text);
  });

  it('reads the ≥ 1.9 pair, with A1111\'s per-sampler meaning of "Automatic"', () => {
    assert.deepEqual(samplerFromA1111('DPM++ 2M SDE', 'Karras'), { ok: true, name: 'dpmpp-2m-sde-karras' });
    assert.deepEqual(samplerFromA1111('Euler', 'karras'), { ok: true, name: 'euler-karras' });
    assert.deepEqual(samplerFromA1111('DPM++ 2M', 'Automatic'), { ok: true, name: 'dpmpp-2m-karras' }, 'DPM++ 2M defaults to Karras');
    assert.deepEqual(samplerFromA1111('DPM++ SDE', 'Automatic'), { ok: true, name: 'dpmpp-sde-karras' });
    assert.deepEqual(samplerFromA1111('Euler a', 'Automatic'), { ok: true, name: 'euler-a' });
    assert.deepEqual(samplerFromA1111('DPM++ 2M', 'Uniform'), { ok: true, name: 'dpmpp-2m' });
    assert.deepEqual(samplerFromA1111('UniPC', 'SGM Uniform'), { ok: true, name: 'unipc' });
  });

  it('names we cannot run: one message naming the closest supported sampler', () => {
    const r = samplerFromA1111('DPM++ 2M SDE', 'Automatic'); // A1111's default for it is Exponential
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.closest === 'dpmpp-2m-sde-karras');
    assert.ok(!r.ok && /Exponential.*not supported.*DPM\+\+ 2M SDE Karras \(dpmpp-2m-sde-karras\)/.test(r.message), !r.ok ? r.message : '');
    const a = samplerFromA1111('DPM++ 2S a Karras');
    assert.ok(!a.ok && a.closest === 'euler-a' && /"DPM\+\+ 2S a Karras" is not supported.*Euler a \(euler-a\)/.test(a.message), !a.ok ? a.message : '');
    const dpm2 = samplerFromA1111('DPM2', 'Karras');
    assert.ok(!dpm2.ok && dpm2.closest === 'heun');
    const unknown = samplerFromA1111('Mystery sampler');
    assert.ok(!unknown.ok && unknown.closest === 'euler' && /Unknown sampler "Mystery sampler"/.test(unknown.message));
    const lcmKarras = samplerFromA1111('LCM', 'Karras');
    assert.ok(!lcmKarras.ok && lcmKarras.closest === 'lcm');
  });
});
