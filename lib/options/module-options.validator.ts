import type { LogLevel } from '@nestjs/common';
import { ResolvedKeyLayout } from './key-layout';
import { InvalidOptionsError } from '../errors';
import { isRedisClient } from './is-redis-client';
import { JsonSerializer } from '../serialization/json-serializer';
import {
  checkBoolean,
  checkDuration,
  MAX_STORED_MS,
  checkInteger,
  checkKnownKeys,
  checkName,
  checkObject,
  describe,
  isPlainObject,
} from '../validation/checks';
import {
  DEFAULT_BLOCKING_TIMEOUT_MS,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DEAD_LETTER_TTL,
  DEFAULT_EVENTS_MAX_LEN,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_PREFIX,
  DEFAULT_REDIS_URL,
  DEFAULT_TASK_OPTIONS,
  DEFAULT_WORKER_OPTIONS,
} from './defaults';
import { isClusterConnection, resolveClusterConnection } from './cluster-connection.validator';
import { QueueModuleOptions, QueueOrder, ResolvedModuleOptions } from './module.options';
import { resolveMetrics, resolveTelemetry } from './observability-options.validator';
import { resolvePoolOptions } from './pool-options.validator';
import { resolveQueueSettings } from './queue-settings.validator';
import { resolveReplicaWait } from './replica-wait.validator';
import { validateTaskOptions } from './task-options.validator';

const MODULE_KEYS = [
  'connection',
  'prefix',
  'strict',
  'serializer',
  'defaults',
  'worker',
  'queues',
  'keyLayout',
  'waitForReplicas',
  'eventsMaxLen',
  'maxPayloadBytes',
  'deadLetterTtl',
  'commandTimeoutMs',
  'connectTimeoutMs',
  'logging',
  'blockingTimeoutMs',
  'redisFunctions',
  'stacksInUpdates',
  'metrics',
  'telemetry',
];
const WORKER_KEYS = [
  'enabled',
  'queues',
  'queueOrder',
  'concurrency',
  'leaseMs',
  'shutdownTimeoutMs',
  'maxReclaims',
  'integrityScanMs',
  'pool',
];

/** Validates module options at startup and fills in every default. */
export function resolveModuleOptions(raw: QueueModuleOptions = {}): ResolvedModuleOptions {
  const options = checkObject(raw, 'QueueModule options');
  checkKnownKeys(options, MODULE_KEYS, '');
  const worker = checkObject(options.worker === undefined ? {} : options.worker, 'worker');
  checkKnownKeys(worker, WORKER_KEYS, 'worker');
  const commandTimeoutMs = optional(options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS, (v) =>
    checkDuration(v, 'commandTimeoutMs', { min: 10 }),
  );
  const connection = resolveConnection(options.connection);
  return {
    connection,
    prefix: options.prefix === undefined ? DEFAULT_PREFIX : checkName(options.prefix, 'prefix'),
    strict: options.strict === undefined ? false : checkBoolean(options.strict, 'strict'),
    serializer: resolveSerializer(options.serializer),
    defaults: {
      ...DEFAULT_TASK_OPTIONS,
      ...validateTaskOptions(
        (options.defaults === undefined ? {} : options.defaults) as object,
        'defaults',
      ),
    },
    worker: {
      enabled: optional(worker.enabled, DEFAULT_WORKER_OPTIONS.enabled, (v) =>
        checkBoolean(v, 'worker.enabled'),
      ),
      queues: worker.queues === undefined ? undefined : resolveQueues(worker.queues),
      queueOrder: optional(worker.queueOrder, DEFAULT_WORKER_OPTIONS.queueOrder, resolveQueueOrder),
      concurrency: optional(worker.concurrency, DEFAULT_WORKER_OPTIONS.concurrency, (v) =>
        checkInteger(v, 'worker.concurrency', { min: 1, max: 10_000 }),
      ),
      leaseMs: optional(worker.leaseMs, DEFAULT_WORKER_OPTIONS.leaseMs, (v) =>
        checkDuration(v, 'worker.leaseMs', { min: 100 }),
      ),
      maxReclaims: optional(worker.maxReclaims, DEFAULT_WORKER_OPTIONS.maxReclaims, (v) =>
        checkInteger(v, 'worker.maxReclaims', { min: 0, max: 1000 }),
      ),
      integrityScanMs: optional(
        worker.integrityScanMs,
        DEFAULT_WORKER_OPTIONS.integrityScanMs,
        (v) => checkDuration(v, 'worker.integrityScanMs', { min: 100 }),
      ),
      shutdownTimeoutMs: optional(
        worker.shutdownTimeoutMs,
        DEFAULT_WORKER_OPTIONS.shutdownTimeoutMs,
        (v) => checkDuration(v, 'worker.shutdownTimeoutMs'),
      ),
      pool: resolvePoolOptions(worker.pool),
    },
    queues: resolveQueueSettings(options.queues),
    keyLayout: resolveKeyLayout(options.keyLayout, connection),
    waitForReplicas: resolveReplicaWait(options.waitForReplicas, commandTimeoutMs),
    eventsMaxLen: optional(options.eventsMaxLen, DEFAULT_EVENTS_MAX_LEN, (v) =>
      checkInteger(v, 'eventsMaxLen', { min: 100 }),
    ),
    maxPayloadBytes: optional(options.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES, (v) =>
      checkInteger(v, 'maxPayloadBytes', { min: 64, max: 512 * 1_048_576 }),
    ),
    deadLetterTtl: optional(options.deadLetterTtl, DEFAULT_DEAD_LETTER_TTL, (v) =>
      checkDuration(v, 'deadLetterTtl', { min: 1, max: MAX_STORED_MS }),
    ),
    commandTimeoutMs,
    connectTimeoutMs: optional(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, (v) =>
      checkDuration(v, 'connectTimeoutMs'),
    ),
    logging: resolveLogging(options.logging),
    blockingTimeoutMs: optional(options.blockingTimeoutMs, DEFAULT_BLOCKING_TIMEOUT_MS, (v) =>
      checkDuration(v, 'blockingTimeoutMs', { min: 100 }),
    ),
    redisFunctions: optional(options.redisFunctions, true, (v) =>
      checkBoolean(v, 'redisFunctions'),
    ),
    stacksInUpdates: optional(options.stacksInUpdates, false, (v) =>
      checkBoolean(v, 'stacksInUpdates'),
    ),
    metrics: resolveMetrics(options.metrics),
    telemetry: resolveTelemetry(options.telemetry),
  };
}

function optional<T>(value: unknown, fallback: T, check: (value: unknown) => T): T {
  return value === undefined ? fallback : check(value);
}

function resolveConnection(value: unknown): ResolvedModuleOptions['connection'] {
  if (value === undefined) return process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (typeof value === 'string') {
    if (!/^rediss?:\/\//.test(value)) {
      throw new InvalidOptionsError('connection', `"${value}" is not a redis:// or rediss:// URL`);
    }
    return value;
  }
  if (isRedisClient(value)) {
    refuseResp3Mapping(value.options);
    refuseResp3Mapping((value.options as { redisOptions?: unknown } | undefined)?.redisOptions);
    return value as ResolvedModuleOptions['connection'];
  }
  if (isPlainObject(value) && isClusterConnection(value)) {
    const cluster = resolveClusterConnection(value);
    refuseResp3Mapping(cluster.options);
    refuseResp3Mapping(cluster.options.redisOptions);
    return cluster;
  }
  if (isPlainObject(value)) {
    refuseResp3Mapping(value);
    return value as ResolvedModuleOptions['connection'];
  }
  throw new InvalidOptionsError(
    'connection',
    'must be a redis:// URL, an ioredis options object, { cluster: nodes } or an ioredis ' +
      'Redis or Cluster instance',
  );
}

/**
 * ioredis 6 can hand RESP3 maps over as objects (`replyMapping: 'resp3'`); taskmill reads replies
 * in the shape both majors give by default (`'legacy'`, the same as RESP2), whatever the protocol.
 */
function refuseResp3Mapping(options: unknown): void {
  if ((options as { replyMapping?: unknown } | undefined)?.replyMapping !== 'resp3') return;
  throw new InvalidOptionsError(
    'connection',
    `uses replyMapping 'resp3', whose replies taskmill cannot read: leave replyMapping unset ` +
      `(or 'legacy'); protocol 3 itself is fine`,
  );
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function resolveLogging(value: unknown): LogLevel[] {
  if (value === undefined || value === true) return [...LOG_LEVELS];
  if (value === false) return [];
  const wrong = Array.isArray(value)
    ? (value as unknown[]).filter((level) => !LOG_LEVELS.includes(level as LogLevel))
    : [value];
  if (wrong.length === 0) return [...new Set(value as LogLevel[])];
  throw new InvalidOptionsError(
    'logging',
    `must be true, false or an array of Nest log levels (${LOG_LEVELS.join(', ')}), ` +
      `got ${describe(wrong[0])}`,
  );
}

function resolveSerializer(value: unknown): ResolvedModuleOptions['serializer'] {
  if (value === undefined) return new JsonSerializer();
  const candidate = value as { serialize?: unknown; deserialize?: unknown };
  if (typeof candidate.serialize !== 'function' || typeof candidate.deserialize !== 'function') {
    throw new InvalidOptionsError(
      'serializer',
      'must have serialize(value) and deserialize(text) methods',
    );
  }
  return value as ResolvedModuleOptions['serializer'];
}

/**
 * The key layout, resolved here once for everything that reads it: `'auto'` (the default) is
 * `'queue'` on a Redis Cluster, whose nodes the queues' slots then spread over, and `'prefix'`
 * on one server, which serves every slot with the same core.
 */
function resolveKeyLayout(
  value: unknown,
  connection: ResolvedModuleOptions['connection'],
): ResolvedKeyLayout {
  if (value === undefined || value === 'auto')
    return connectsToCluster(connection) ? 'queue' : 'prefix';
  if (value === 'prefix' || value === 'queue') return value;
  throw new InvalidOptionsError(
    'keyLayout',
    `must be 'auto', 'queue' or 'prefix', got ${describe(value)}`,
  );
}

/**
 * `connection: { cluster }`, or an ioredis Cluster instance, known by its flag (any copy of
 * ioredis has it; a Redis instance has a `cluster` method, so the key alone would not tell).
 */
function connectsToCluster(connection: ResolvedModuleOptions['connection']): boolean {
  if (typeof connection === 'string') return false;
  if (isRedisClient(connection)) return (connection as { isCluster?: unknown }).isCluster === true;
  return isClusterConnection(connection as Record<string, unknown>);
}

function resolveQueues(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidOptionsError('worker.queues', 'must be a non-empty array of queue names');
  }
  return value.map((queue, i) => checkName(queue, `worker.queues[${i}]`));
}

function resolveQueueOrder(value: unknown): QueueOrder {
  if (value === 'strict' || value === 'fair') return value;
  throw new InvalidOptionsError(
    'worker.queueOrder',
    `must be 'strict' (drain the queues in their order) or 'fair' (take turns), got ${String(value)}`,
  );
}
