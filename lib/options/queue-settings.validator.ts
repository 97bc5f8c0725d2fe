import { checkInteger, checkKnownKeys, checkName, checkObject } from '../validation/checks';
import { DEFAULT_QUEUE_SETTINGS, MAX_SHARDS, ResolvedQueueSettings } from './queue-settings';

const QUEUE_SETTINGS_KEYS = ['shards'];

/** Validates the module option `queues` (queue name → settings). */
export function resolveQueueSettings(value: unknown): Record<string, ResolvedQueueSettings> {
  if (value === undefined) return {};
  const queues = checkObject(value, 'queues');
  const resolved: Record<string, ResolvedQueueSettings> = {};
  for (const [queue, raw] of Object.entries(queues)) {
    const field = `queues.${queue}`;
    checkName(queue, field);
    const settings = checkObject(raw, field);
    checkKnownKeys(settings, QUEUE_SETTINGS_KEYS, field);
    resolved[queue] = {
      shards:
        settings.shards === undefined
          ? DEFAULT_QUEUE_SETTINGS.shards
          : checkInteger(settings.shards, `${field}.shards`, { min: 1, max: MAX_SHARDS }),
    };
  }
  return resolved;
}
