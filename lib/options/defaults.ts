import { ResolvedTaskOptions } from './task.options';

export const DEFAULT_PREFIX = 'taskmill';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const DEFAULT_TASK_OPTIONS: ResolvedTaskOptions = {
  queue: 'default',
  priority: 0,
  retries: 3,
  backoff: { type: 'exponential', delay: 1000, ceiling: 60_000 },
  timeout: undefined,
  resultTtl: 86_400_000,
};

export const DEFAULT_WORKER_OPTIONS = {
  enabled: true,
  queues: undefined,
  queueOrder: 'strict' as const,
  concurrency: 10,
  leaseMs: 30_000,
  shutdownTimeoutMs: 10_000,
  maxReclaims: 2,
  integrityScanMs: 60_000,
};

export const DEFAULT_EVENTS_MAX_LEN = 10_000;
export const DEFAULT_MAX_PAYLOAD_BYTES = 1_048_576;
export const DEFAULT_DEAD_LETTER_TTL = 7 * 86_400_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
export const DEFAULT_BLOCKING_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export const DEFAULT_POOL_OPTIONS = {
  export: 'AppModule',
  threads: 1,
  processes: 1,
  patienceMs: 1000,
};
