// A1111 sampler names for our schedulers, as written in the "Sampler:" infotext field (facts §5.1).
// Pre-1.9 names: the Karras schedule is part of the sampler name ("DPM++ 2M Karras") rather than a
// separate "Schedule type" key, so older and newer A1111 versions and most readers understand it.
import type { ConcreteSchedulerName } from '../../protocol/engineProtocol';

const SAMPLER_LABELS: Readonly<Record<ConcreteSchedulerName, string>> = {
  euler: 'Euler',
  'euler-a': 'Euler a',
  ddim: 'DDIM',
  'dpmpp-2m': 'DPM++ 2M',
  'dpmpp-2m-karras': 'DPM++ 2M Karras',
  lcm: 'LCM',
};

export function samplerLabel(scheduler: ConcreteSchedulerName): string {
  const label = SAMPLER_LABELS[scheduler];
  if (label === undefined) throw new Error(`no A1111 sampler name for scheduler ${JSON.stringify(scheduler)}`);
  return label;
}
