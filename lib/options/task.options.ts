import type { BatchOptions } from './batch.options';
import { BackoffOption } from './backoff.options';
import type { RateLimit } from './rate-limit';
import type { TaskScheduleOptions } from './schedule.options';

/** Options every task has; set per module (`defaults`), per `@Task`, or per enqueue. */
export interface TaskOptions {
  /** Queue the task goes to. Default `'default'`. */
  queue?: string;
  /** Lower runs first; FIFO within one priority. Default `0`. */
  priority?: number;
  /** Retries after the first failed attempt. Default `3`. */
  retries?: number;
  /** Delay before each retry. Default exponential from 1 s, ceiling 60 s. */
  backoff?: BackoffOption;
  /** Abort the handler's signal and fail the attempt after this many ms. Default none. */
  timeout?: number;
  /**
   * How long a finished task and its result are kept, in ms; 0 forgets them as soon as the
   * task finishes. Default 86 400 000 (one day).
   */
  resultTtl?: number;
}

/** TaskOptions with every default filled in, as stored with each task. */
export interface ResolvedTaskOptions {
  queue: string;
  priority: number;
  retries: number;
  backoff: ResolvedBackoff;
  timeout: number | undefined;
  resultTtl: number;
}

export interface ResolvedBackoff {
  type: 'constant' | 'linear' | 'exponential';
  delay: number;
  floor?: number;
  ceiling?: number;
  jitter?: boolean;
}

/** Options of `@Task()`: the task options plus its name. */
export interface TaskDecoratorOptions extends TaskOptions {
  /** Unique task name. Default `ClassName.methodName`. */
  name?: string;
  /**
   * Enqueue this task on a schedule (cron or interval), from whichever worker gets the tick.
   * @example ＠Task({ name: 'report.daily', schedule: { cron: '0 6 * * *', tz: 'Europe/Paris' } })
   */
  schedule?: TaskScheduleOptions;
  /**
   * Runs at most one task per lock name at a time, across all workers: a name, or a function
   * of the task's arguments (evaluated at enqueue). The others wait in Redis, not in a slot.
   */
  lock?: string | ((...args: never[]) => string);
  /** At most this many tasks of this name run at once, across all workers. Default: no limit. */
  concurrency?: number;
  /**
   * At most `max` tasks of this name start in any interval of `perMs`, across every worker
   * (docs/flow-control.md). Applied by the claim, from the limit the workers that have this
   * handler stored at startup.
   * @example ＠Task({ name: 'stripe.charge', rateLimit: { max: 25, perMs: 1_000 } })
   */
  rateLimit?: RateLimit;
  /**
   * The group of each task of this name, from its arguments (evaluated at enqueue; an
   * enqueue's own `group` wins): a queue's groups are served in turn, and `queues.<q>.groups`
   * limits hold for each group key (docs/flow-control.md).
   * @example ＠Task({ name: 'email.send', group: (tenantId: string) => `tenant-${tenantId}` })
   */
  group?: (...args: never[]) => string;
  /**
   * Where the handler runs: `'async'` on the worker's event loop; `'thread'` in a worker thread
   * and `'process'` in a child process of the worker's pool (`worker.pool`), so that CPU-bound
   * work never blocks lease renewal. Default `'async'`. See docs/worker-pools.md.
   */
  mechanism?: TaskMechanism;
  /**
   * Hands the handler up to `size` tasks of this name at once, as a `TaskBatch`, waiting at
   * most `waitMs` after the first for more; it returns one result per item, in order (an
   * `Error` in place of a result fails that item alone). Each item stays a task of its own for
   * enqueue, status, retries and results. See docs/flow-control.md.
   * @example ＠Task({ name: 'email.send', batch: { size: 100, waitMs: 50 } })
   */
  batch?: BatchOptions;
}

/** Where a task's handler runs (TaskDecoratorOptions.mechanism). */
export type TaskMechanism = 'async' | 'thread' | 'process';

/** The mechanisms that run in a pool member rather than on the worker's event loop. */
export type PoolMechanism = Exclude<TaskMechanism, 'async'>;

/**
 * The gates a task must pass to start (see TaskDecoratorOptions.lock and .concurrency), and
 * the group it is served in (TaskDecoratorOptions.group), all decided at enqueue.
 */
export interface TaskGates {
  lock?: string | ((...args: never[]) => string);
  concurrency?: number;
  group?: (...args: never[]) => string;
}

/** Options of one enqueue call: the task options plus what is specific to one message. */
export interface EnqueueOptions extends TaskOptions {
  /** A custom id; enqueueing an id that exists throws MessageAlreadyExistsError. */
  id?: string;
  /** Run no earlier than this many ms from now. */
  delay?: number;
  /** Run no earlier than this time. */
  runAt?: Date;
  /** Free-form data kept with the task (must be serialisable). */
  metadata?: Record<string, unknown>;
  /** A lock name for this task: at most one task per name runs at a time (see `@Task({ lock })`). */
  lock?: string;
  /**
   * The task's group key: a queue's groups are served in turn, so one group's backlog never
   * delays another's tasks (docs/flow-control.md). Default: `@Task({ group })`, else none.
   */
  group?: string;
  /**
   * At most one such task waiting or running at a time. The id is derived from the task name
   * and its arguments (or is the custom `id`); once the task finished, the id is free again
   * (after `uniqueFor`). Default `false`.
   */
  unique?: boolean;
  /** With `unique`: the id stays taken this many ms after the task finished. Default `0`. */
  uniqueFor?: number;
  /**
   * When the id is taken: `'error'` throws MessageAlreadyExistsError, `'return-existing'`
   * returns a handle on the task that holds it, whatever it is. `'return-matching'` returns it
   * only when it is the same task (same task name, queue and serialised arguments), else throws
   * MessageAlreadyExistsError naming what differs: the safe retry after a ConnectionError.
   * Default `'error'`.
   * @example
   * await queue.enqueue('email.send', [to, body], { id: error.taskIds[0], onDuplicate: 'return-matching' });
   */
  onDuplicate?: DuplicatePolicy;
  /**
   * Runs the task once a burst of enqueues settles: `delayMs` after the last enqueue with this
   * debounce `id` (for this task name in its queue), with the last enqueue's arguments, but no
   * later than `maxDelayMs` after the burst's first. Every enqueue of the burst returns a handle
   * on that one task. Not with `id`, `unique`, `delay` or `runAt`, nor in `enqueueMany`, groups,
   * chains or chords (docs/flow-control.md).
   * @example
   * await queue.enqueue('search.reindex', [userId], { debounce: { id: `user-${userId}`, delayMs: 2_000 } });
   */
  debounce?: DebounceOptions;
}

/** EnqueueOptions.debounce: which burst an enqueue belongs to, and how long it settles. */
export interface DebounceOptions {
  /** The burst's id, per task name and queue: visible characters, at most 200. */
  id: string;
  /** Run this many ms after the burst's last enqueue (a positive integer). */
  delayMs: number;
  /** Run no later than this many ms after the burst's first enqueue (at least `delayMs`). Default: no cap. */
  maxDelayMs?: number;
}

/** What enqueueing an id that is taken does (EnqueueOptions.onDuplicate). */
export type DuplicatePolicy = 'error' | 'return-existing' | 'return-matching';

/** `queue.schedule(task, options)`: a recurrence plus the options of the tasks it enqueues. */
export interface ScheduleOptions extends TaskScheduleOptions, TaskOptions {
  /**
   * The schedule's id. Default: derived from the task name, recurrence, arguments and options,
   * so that registering the same schedule twice (two app instances) keeps one schedule.
   */
  id?: string;
}
