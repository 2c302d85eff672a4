// diffusers ConfigMixin.from_config: keep the keys the target class knows, class defaults for the rest.
import type { SchedulerConfig } from './schedulerConfig';

type ConfigValue = string | number | boolean | number[] | null;

/**
 * Picks every key of `defaults` from `config`; a missing or null value takes the default (diffusers
 * passes JSON null as None, and every class default for a nullable key is None). Keys the class does
 * not know are dropped. Throws when a value has the wrong JSON type; the classes check the values of
 * keys whose default is null.
 */
export function configWithDefaults<T extends Record<string, ConfigValue>>(
  config: SchedulerConfig,
  defaults: T,
  className: string,
): T {
  const out: Record<string, ConfigValue> = { ...defaults };
  for (const key of Object.keys(defaults)) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    const fallback = defaults[key];
    const ok =
      fallback === null
        ? typeof value === 'number' || typeof value === 'string' || Array.isArray(value) // checked by the class
        : Array.isArray(fallback)
          ? Array.isArray(value)
          : typeof value === typeof fallback;
    if (!ok) throw new Error(`${className}: scheduler config key "${key}" has an invalid value ${JSON.stringify(value)}`);
    out[key] = value as ConfigValue;
  }
  return out as T;
}

/** Throws a clear error for a config value this port does not implement. */
export function requireSupported(className: string, key: string, value: unknown, supported: readonly unknown[]): void {
  if (!supported.includes(value)) {
    throw new Error(
      `${className}: ${key} = ${JSON.stringify(value)} is not supported (supported: ${supported.map((v) => JSON.stringify(v)).join(', ')})`,
    );
  }
}

/** The keys of `config` a class knows (from_config drops the others); values are left for the class to check. */
export function pickConfigKeys(config: SchedulerConfig, keys: readonly string[]): SchedulerConfig {
  const out: SchedulerConfig = {};
  for (const key of keys) if (config[key] !== undefined) out[key] = config[key];
  return out;
}
