// AUTOMATIC1111 sampler names for our schedulers, as written in the "Sampler:" infotext field (facts §5.1).
import { SCHEDULER_LABELS, type ConcreteSchedulerName } from '../protocol/engineProtocol';

export function samplerLabel(scheduler: ConcreteSchedulerName): string {
  if (scheduler === ('default' as string) || !(scheduler in SCHEDULER_LABELS)) {
    throw new Error(`no A1111 sampler name for scheduler ${JSON.stringify(scheduler)}`);
  }
  return SCHEDULER_LABELS[scheduler];
}
