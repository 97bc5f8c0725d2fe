import { InvalidOptionsError } from '../errors';
import { checkInteger, checkKnownKeys, checkName, checkObject } from '../validation/checks';
import {
  DEFAULT_QUEUE_SETTINGS,
  GroupLimits,
  MAX_QUEUE_CONCURRENCY,
  MAX_SHARDS,
  ResolvedQueueSettings,
} from './queue-settings';
import { validateRateLimit } from './rate-limit';

const QUEUE_SETTINGS_KEYS = ['shards', 'rateLimit', 'concurrency', 'groups'];

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
    const shards =
      settings.shards === undefined
        ? DEFAULT_QUEUE_SETTINGS.shards
        : checkInteger(settings.shards, `${field}.shards`, { min: 1, max: MAX_SHARDS });
    const entry: ResolvedQueueSettings = { shards };
    if (settings.rateLimit !== undefined) {
      entry.rateLimit = validateRateLimit(settings.rateLimit, `${field}.rateLimit`);
      atLeastOnePerShard(entry.rateLimit.max, shards, `${field}.rateLimit.max`);
    }
    if (settings.concurrency !== undefined) {
      entry.concurrency = checkInteger(settings.concurrency, `${field}.concurrency`, {
        min: 1,
        max: MAX_QUEUE_CONCURRENCY,
      });
      atLeastOnePerShard(entry.concurrency, shards, `${field}.concurrency`);
    }
    if (settings.groups !== undefined) entry.groups = groupLimits(settings.groups, field, shards);
    resolved[queue] = entry;
  }
  return resolved;
}

/** `queues.<q>.groups`: per group key, so a group's tasks must share one slot (no shards). */
function groupLimits(value: unknown, field: string, shards: number): GroupLimits {
  const raw = checkObject(value, `${field}.groups`);
  checkKnownKeys(raw, ['concurrency', 'rateLimit'], `${field}.groups`);
  if (shards > 1) {
    throw new InvalidOptionsError(
      `${field}.groups`,
      `needs an unsharded queue (it has ${shards} shards): a group's tasks spread over the ` +
        'shards, whose slots no script can count together; drop the shards or the group limits',
    );
  }
  const limits: GroupLimits = {};
  if (raw.concurrency !== undefined) {
    limits.concurrency = checkInteger(raw.concurrency, `${field}.groups.concurrency`, {
      min: 1,
      max: MAX_QUEUE_CONCURRENCY,
    });
  }
  if (raw.rateLimit !== undefined) {
    limits.rateLimit = validateRateLimit(raw.rateLimit, `${field}.groups.rateLimit`);
  }
  return limits;
}

/** Each shard enforces its share of a limit (rounded down): a share of 0 would stop it. */
function atLeastOnePerShard(limit: number, shards: number, field: string): void {
  if (limit >= shards) return;
  throw new InvalidOptionsError(
    field,
    `is ${limit}, below the queue's ${shards} shards: each shard enforces an equal share of ` +
      `it, rounded down, which would be 0; raise it to at least ${shards} or use fewer shards`,
  );
}
