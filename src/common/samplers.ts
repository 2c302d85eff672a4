// The one table of samplers: our names, the diffusers scheduler each runs, AUTOMATIC1111's names (both the
// pre-1.9 combined labels such as "DPM++ 2M Karras" and the ≥ 1.9 "Sampler" + "Schedule type" pair), the
// UI groups and a one-line hint. A1111 names follow AUTOMATIC1111/stable-diffusion-webui
// modules/sd_samplers_kdiffusion.py (samplers_k_diffusion: label, aliases, default 'scheduler'),
// modules/sd_samplers_timesteps.py (DDIM, PLMS, UniPC), modules/sd_schedulers.py (schedule labels) and
// modules/sd_samplers.py get_sampler_and_scheduler (how an infotext's names are read back).

export const SAMPLER_NAMES = [
  'euler',
  'euler-karras',
  'euler-a',
  'lms',
  'lms-karras',
  'heun',
  'ddim',
  'pndm',
  'ddpm',
  'unipc',
  'dpmpp-2m',
  'dpmpp-2m-karras',
  'dpmpp-2m-sde',
  'dpmpp-2m-sde-karras',
  'dpmpp-sde',
  'dpmpp-sde-karras',
  'lcm',
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export type SamplerGroup = 'fast' | 'quality' | 'few-step';
export const SAMPLER_GROUPS: ReadonlyArray<{ group: SamplerGroup; label: string }> = [
  { group: 'fast', label: 'Fast (deterministic, 20–30 steps)' },
  { group: 'quality', label: 'Quality (stochastic or second order)' },
  { group: 'few-step', label: 'Few-step models' },
];

/** A1111's schedule types (modules/sd_schedulers.py labels) this table uses. */
export type A1111ScheduleType = 'Automatic' | 'Uniform' | 'Karras' | 'Exponential';

export interface SamplerInfo {
  /** The UI label: A1111's pre-1.9 combined name ("DPM++ 2M Karras"). */
  label: string;
  /** The A1111 ≥ 1.9 "Sampler:" value. */
  a1111Sampler: string;
  /** The A1111 ≥ 1.9 "Schedule type:" value we write. */
  a1111Schedule: A1111ScheduleType;
  /** The diffusers class (and the settings) this sampler runs. */
  diffusers: string;
  group: SamplerGroup;
  /** One line: typical step counts and what the sampler is for. */
  hint: string;
  /** true when the sampler draws noise at each step (the result depends on the seed beyond the start noise). */
  stochastic: boolean;
}

export const SAMPLERS: Readonly<Record<SamplerName, SamplerInfo>> = {
  euler: {
    label: 'Euler',
    a1111Sampler: 'Euler',
    a1111Schedule: 'Automatic',
    diffusers: 'EulerDiscreteScheduler',
    group: 'fast',
    hint: '20–30 steps; simple and predictable',
    stochastic: false,
  },
  'euler-karras': {
    label: 'Euler Karras',
    a1111Sampler: 'Euler',
    a1111Schedule: 'Karras',
    diffusers: 'EulerDiscreteScheduler (use_karras_sigmas)',
    group: 'fast',
    hint: '20–30 steps; Karras sigmas spend more steps on fine detail',
    stochastic: false,
  },
  'euler-a': {
    label: 'Euler a',
    a1111Sampler: 'Euler a',
    a1111Schedule: 'Automatic',
    diffusers: 'EulerAncestralDiscreteScheduler',
    group: 'quality',
    hint: '20–40 steps; ancestral: the image keeps changing with the step count',
    stochastic: true,
  },
  lms: {
    label: 'LMS',
    a1111Sampler: 'LMS',
    a1111Schedule: 'Automatic',
    diffusers: 'LMSDiscreteScheduler (order 4)',
    group: 'fast',
    hint: '30–50 steps; linear multistep',
    stochastic: false,
  },
  'lms-karras': {
    label: 'LMS Karras',
    a1111Sampler: 'LMS',
    a1111Schedule: 'Karras',
    diffusers: 'LMSDiscreteScheduler (order 4, use_karras_sigmas)',
    group: 'fast',
    hint: '25–40 steps; linear multistep on Karras sigmas',
    stochastic: false,
  },
  heun: {
    label: 'Heun',
    a1111Sampler: 'Heun',
    a1111Schedule: 'Automatic',
    diffusers: 'HeunDiscreteScheduler',
    group: 'quality',
    hint: '15–30 steps; second order: two UNet evaluations per step',
    stochastic: false,
  },
  ddim: {
    label: 'DDIM',
    a1111Sampler: 'DDIM',
    a1111Schedule: 'Automatic',
    diffusers: 'DDIMScheduler',
    group: 'fast',
    hint: '20–50 steps; deterministic (eta 0)',
    stochastic: false,
  },
  pndm: {
    label: 'PLMS',
    a1111Sampler: 'PLMS',
    a1111Schedule: 'Automatic',
    diffusers: 'PNDMScheduler (skip_prk_steps: PLMS)',
    group: 'fast',
    hint: '30–50 steps; the SD 1.5 default',
    stochastic: false,
  },
  ddpm: {
    label: 'DDPM',
    a1111Sampler: 'DDPM',
    a1111Schedule: 'Automatic',
    diffusers: 'DDPMScheduler',
    group: 'quality',
    hint: '100–1000 steps; the original ancestral sampler, slow',
    stochastic: true,
  },
  unipc: {
    label: 'UniPC',
    a1111Sampler: 'UniPC',
    a1111Schedule: 'Automatic',
    diffusers: 'UniPCMultistepScheduler (bh2, order 2)',
    group: 'fast',
    hint: '10–20 steps; predictor-corrector, good at low step counts',
    stochastic: false,
  },
  'dpmpp-2m': {
    label: 'DPM++ 2M',
    a1111Sampler: 'DPM++ 2M',
    a1111Schedule: 'Uniform',
    diffusers: 'DPMSolverMultistepScheduler (dpmsolver++, order 2)',
    group: 'fast',
    hint: '20–30 steps; fast second-order multistep',
    stochastic: false,
  },
  'dpmpp-2m-karras': {
    label: 'DPM++ 2M Karras',
    a1111Sampler: 'DPM++ 2M',
    a1111Schedule: 'Karras',
    diffusers: 'DPMSolverMultistepScheduler (dpmsolver++, order 2, use_karras_sigmas)',
    group: 'fast',
    hint: '20–30 steps; the common all-round choice',
    stochastic: false,
  },
  'dpmpp-2m-sde': {
    label: 'DPM++ 2M SDE',
    a1111Sampler: 'DPM++ 2M SDE',
    a1111Schedule: 'Uniform',
    diffusers: 'DPMSolverMultistepScheduler (sde-dpmsolver++, order 2)',
    group: 'quality',
    hint: '25–40 steps; stochastic multistep, fine detail',
    stochastic: true,
  },
  'dpmpp-2m-sde-karras': {
    label: 'DPM++ 2M SDE Karras',
    a1111Sampler: 'DPM++ 2M SDE',
    a1111Schedule: 'Karras',
    diffusers: 'DPMSolverMultistepScheduler (sde-dpmsolver++, order 2, use_karras_sigmas)',
    group: 'quality',
    hint: '25–40 steps; stochastic multistep on Karras sigmas',
    stochastic: true,
  },
  'dpmpp-sde': {
    label: 'DPM++ SDE',
    a1111Sampler: 'DPM++ SDE',
    a1111Schedule: 'Uniform',
    diffusers: 'DPMSolverSDEScheduler',
    group: 'quality',
    hint: '10–25 steps; two UNet evaluations per step, stochastic',
    stochastic: true,
  },
  'dpmpp-sde-karras': {
    label: 'DPM++ SDE Karras',
    a1111Sampler: 'DPM++ SDE',
    a1111Schedule: 'Karras',
    diffusers: 'DPMSolverSDEScheduler (use_karras_sigmas)',
    group: 'quality',
    hint: '10–25 steps; two UNet evaluations per step, stochastic, Karras sigmas',
    stochastic: true,
  },
  lcm: {
    label: 'LCM',
    a1111Sampler: 'LCM',
    a1111Schedule: 'Automatic',
    diffusers: 'LCMScheduler',
    group: 'few-step',
    hint: '2–8 steps, CFG 1–2; only for LCM models and LoRAs',
    stochastic: true,
  },
};

/** UI labels (the default entry included) for every scheduler name the protocol accepts. */
export const SAMPLER_LABELS: Readonly<Record<SamplerName, string>> = Object.fromEntries(
  SAMPLER_NAMES.map((name) => [name, SAMPLERS[name].label]),
) as Record<SamplerName, string>;

/** The samplers of one UI group, in table order. */
export function samplersInGroup(group: SamplerGroup): SamplerName[] {
  return SAMPLER_NAMES.filter((name) => SAMPLERS[name].group === group);
}

// ---- A1111 infotext names --------------------------------------------------------------------------

/** The "Sampler" and "Schedule type" values A1111 ≥ 1.9 writes for one of our samplers. */
export function a1111SamplerFields(name: SamplerName): { sampler: string; scheduleType: A1111ScheduleType } {
  const info = SAMPLERS[name];
  if (info === undefined) throw new Error(`no A1111 sampler name for scheduler ${JSON.stringify(name)}`);
  return { sampler: info.a1111Sampler, scheduleType: info.a1111Schedule };
}

/**
 * A1111's own default schedule per sampler (samplers_k_diffusion options 'scheduler'): "Schedule type:
 * Automatic" with these samplers means this schedule, not the model's discretisation.
 */
const A1111_AUTOMATIC_SCHEDULE: Readonly<Record<string, A1111ScheduleType>> = {
  'DPM++ 2M': 'Karras',
  'DPM++ SDE': 'Karras',
  'DPM++ 2M SDE': 'Exponential',
  'DPM++ 2M SDE Heun': 'Exponential',
  'DPM++ 2S a': 'Karras',
  'DPM++ 3M SDE': 'Exponential',
  DPM2: 'Karras',
  'DPM2 a': 'Karras',
  Restart: 'Karras',
};

/** modules/sd_schedulers.py: label, name and aliases of each schedule type (matched case-insensitively). */
const A1111_SCHEDULE_NAMES: ReadonlyArray<{ label: string; names: readonly string[] }> = [
  { label: 'Automatic', names: ['Automatic', 'automatic'] },
  { label: 'Uniform', names: ['Uniform', 'uniform'] },
  { label: 'Karras', names: ['Karras', 'karras'] },
  { label: 'Exponential', names: ['Exponential', 'exponential'] },
  { label: 'Polyexponential', names: ['Polyexponential', 'polyexponential'] },
  { label: 'SGM Uniform', names: ['SGM Uniform', 'sgm_uniform'] },
  { label: 'KL Optimal', names: ['KL Optimal', 'kl_optimal'] },
  { label: 'Align Your Steps', names: ['Align Your Steps', 'align_your_steps', 'AYS'] },
  { label: 'Simple', names: ['Simple', 'simple'] },
  { label: 'Normal', names: ['Normal', 'normal'] },
  { label: 'DDIM', names: ['DDIM', 'ddim'] },
  { label: 'Beta', names: ['Beta', 'beta'] },
];

/** A1111 sampler labels and aliases (the k_* names of old infotexts and APIs) → the base sampler label. */
const A1111_SAMPLER_ALIASES: Readonly<Record<string, string>> = {
  k_euler: 'Euler',
  k_euler_a: 'Euler a',
  k_euler_ancestral: 'Euler a',
  k_lms: 'LMS',
  k_lms_ka: 'LMS Karras',
  k_heun: 'Heun',
  k_dpmpp_2m: 'DPM++ 2M',
  k_dpmpp_2m_ka: 'DPM++ 2M Karras',
  k_dpmpp_sde: 'DPM++ SDE',
  k_dpmpp_sde_ka: 'DPM++ SDE Karras',
  k_dpmpp_2m_sde: 'DPM++ 2M SDE',
  k_dpmpp_2m_sde_ka: 'DPM++ 2M SDE Karras',
  ddim: 'DDIM',
  plms: 'PLMS',
  unipc: 'UniPC',
  lcm: 'LCM',
  pndm: 'PLMS',
  ddpm: 'DDPM',
};

/** A1111 samplers we do not run → the closest one we do. */
const CLOSEST_SUPPORTED: Readonly<Record<string, SamplerName>> = {
  'DPM++ 2M SDE Heun': 'dpmpp-2m-sde',
  'DPM++ 2S a': 'euler-a',
  'DPM++ 3M SDE': 'dpmpp-2m-sde',
  DPM2: 'heun',
  'DPM2 a': 'euler-a',
  'DPM fast': 'dpmpp-2m',
  'DPM adaptive': 'dpmpp-2m',
  Restart: 'heun',
  'DDIM CFG++': 'ddim',
  HeunPP2: 'heun',
  IPNDM: 'pndm',
  IPNDM_V: 'pndm',
  DEIS: 'unipc',
};

export type SamplerFromA1111 = { ok: true; name: SamplerName } | { ok: false; message: string; closest: SamplerName };

/** The schedule label a name option stands for, or undefined. */
function scheduleLabelOf(text: string): string | undefined {
  const lower = text.trim().toLowerCase();
  return A1111_SCHEDULE_NAMES.find((s) => s.names.some((n) => n.toLowerCase() === lower))?.label;
}

/**
 * Reads an infotext's "Sampler" (and, from A1111 1.9, "Schedule type") back to our sampler, as
 * get_sampler_and_scheduler does: a schedule label at the end of the sampler name ("DPM++ 2M Karras",
 * "LMS Karras") wins; "Automatic" means the sampler's own A1111 default (Karras for DPM++ 2M);
 * an infotext without "Schedule type" (before 1.9) means the plain schedule. Names we cannot run give
 * one message naming the closest supported sampler.
 */
export function samplerFromA1111(samplerText: string, scheduleTypeText?: string): SamplerFromA1111 {
  let name = samplerText.trim();
  const alias = Object.entries(A1111_SAMPLER_ALIASES).find(([key]) => key === name.toLowerCase());
  if (alias) name = alias[1];
  let schedule: string | undefined = scheduleTypeText === undefined || scheduleTypeText.trim() === '' ? undefined : scheduleLabelOf(scheduleTypeText);
  if (scheduleTypeText !== undefined && scheduleTypeText.trim() !== '' && schedule === undefined) schedule = scheduleTypeText.trim();
  for (const option of A1111_SCHEDULE_NAMES) {
    const suffix = option.names.find((n) => name.toLowerCase().endsWith(` ${n.toLowerCase()}`));
    if (suffix !== undefined) {
      schedule = option.label;
      name = name.slice(0, name.length - suffix.length - 1).trim();
      break;
    }
  }
  const base = SAMPLER_NAMES.filter((n) => SAMPLERS[n].a1111Sampler.toLowerCase() === name.toLowerCase());
  const quote = JSON.stringify(samplerText.trim());
  if (base.length === 0) {
    const known = Object.keys(CLOSEST_SUPPORTED).find((k) => k.toLowerCase() === name.toLowerCase());
    const closest: SamplerName = known ? CLOSEST_SUPPORTED[known] : 'euler';
    return {
      ok: false,
      closest,
      message: `${known ? 'The A1111 sampler' : 'Unknown sampler'} ${quote} is not supported; the closest supported sampler is ${SAMPLERS[closest].label} (${closest})`,
    };
  }
  const a1111Name = SAMPLERS[base[0]].a1111Sampler;
  if (schedule === 'Automatic') schedule = A1111_AUTOMATIC_SCHEDULE[a1111Name] ?? 'Automatic';
  const wantKarras = schedule === 'Karras';
  const exact = base.find((n) => (SAMPLERS[n].a1111Schedule === 'Karras') === wantKarras);
  const plainSchedules = [undefined, 'Automatic', 'Uniform', 'Normal', 'Simple', 'SGM Uniform', 'DDIM'];
  if (exact !== undefined && (wantKarras || plainSchedules.includes(schedule))) return { ok: true, name: exact };
  // A schedule we do not run (Exponential, Align Your Steps, …): Karras where the sampler has it, like
  // Exponential it spends most steps at low noise; else the plain schedule.
  const closest = base.find((n) => SAMPLERS[n].a1111Schedule === 'Karras') ?? base[0];
  return {
    ok: false,
    closest,
    message: `${a1111Name} with schedule type ${JSON.stringify(schedule)} is not supported; the closest supported sampler is ${SAMPLERS[closest].label} (${closest})`,
  };
}

// ---- UI menus ---------------------------------------------------------------------------------------

export interface SamplerMenuOption {
  value: 'default' | SamplerName;
  label: string;
  /** The one-line hint, shown as the option's title (tooltip). */
  title: string;
}

/**
 * The sampler menu of the Generate panel and the inpaint editor: "Model's default" first, then one
 * <optgroup> per group (label undefined for the ungrouped default entry).
 */
export function samplerMenu(): Array<{ label?: string; options: SamplerMenuOption[] }> {
  return [
    { options: [{ value: 'default', label: "Model's default", title: "The sampler named in the model's scheduler_config.json" }] },
    ...SAMPLER_GROUPS.map(({ group, label }) => ({
      label,
      options: samplersInGroup(group).map((name) => ({ value: name, label: SAMPLERS[name].label, title: SAMPLERS[name].hint })),
    })),
  ];
}
