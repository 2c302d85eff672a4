// AUTOMATIC1111 sampler names for our schedulers, from the sampler table (src/common/samplers.ts).
import type { ConcreteSchedulerName } from '../protocol/engineProtocol';
import { a1111SamplerFields, SAMPLERS, type A1111ScheduleType } from '../samplers';

/** The A1111 ≥ 1.9 "Sampler:" value (the schedule goes in "Schedule type:", see samplerInfotextFields). */
export function samplerLabel(scheduler: ConcreteSchedulerName): string {
  if (!(scheduler in SAMPLERS)) throw new Error(`no A1111 sampler name for scheduler ${JSON.stringify(scheduler)}`);
  return a1111SamplerFields(scheduler).sampler;
}

/**
 * The "Sampler" and "Schedule type" values for the infotext (modules/processing.py create_infotext writes
 * both from A1111 1.9). "Automatic" is left out: it means the sampler's plain schedule for every sampler
 * that writes it here, which is also what a pre-1.9 reader assumes without the key.
 */
export function samplerInfotextFields(scheduler: ConcreteSchedulerName): { sampler: string; scheduleType?: A1111ScheduleType } {
  if (!(scheduler in SAMPLERS)) throw new Error(`no A1111 sampler name for scheduler ${JSON.stringify(scheduler)}`);
  const { sampler, scheduleType } = a1111SamplerFields(scheduler);
  return scheduleType === 'Automatic' ? { sampler } : { sampler, scheduleType };
}
