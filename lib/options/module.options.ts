import type { LogLevel } from '@nestjs/common';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { KeyLayout, ResolvedKeyLayout } from './key-layout';
import { MetricsOptions, ResolvedMetricsOptions } from './observability.options';
import { PoolOptions, ResolvedPoolOptions } from './pool.options';
import { Serializer } from '../serialization/serializer';
import { QueueSettings, ResolvedQueueSettings } from './queue-settings';
import { TaskOptions, ResolvedTaskOptions } from './task.options';

/**
 * An ioredis client (`Redis`) that you made and own, of ioredis 5 or 6, from any copy of the
 * package. Typed by the methods taskmill relies on rather than as ioredis's class, because the
 * class of another copy or major is a different type to TypeScript though it works the same.
 */
export interface RedisClient {
  duplicate(...args: never[]): unknown;
  defineCommand(...args: never[]): unknown;
  sendCommand(...args: never[]): unknown;
  quit(...args: never[]): Promise<unknown>;
  readonly status: string;
}

/** One node of a Redis Cluster: `{ host, port }`, or `'host:port'`. */
export type ClusterNodeAddress = { host: string; port: number } | string;

/**
 * A Redis Cluster: some of its nodes (ioredis finds the others) and ioredis `ClusterOptions`
 * (TLS, passwords and timeouts of the nodes go in `options.redisOptions`).
 *
 * @example
 * connection: { cluster: [{ host: '10.0.0.1', port: 6379 }, '10.0.0.2:6379'] }
 */
export interface ClusterConnection {
  cluster: ClusterNodeAddress[];
  options?: ClusterOptions;
}

/**
 * Where Redis is: a URL, ioredis options, a Redis Cluster's nodes, or an ioredis `Redis` or
 * `Cluster` instance you own (taskmill never closes it).
 */
export type ConnectionOption =
  string | RedisOptions | ClusterConnection | Redis | Cluster | RedisClient;

/**
 * Wait for replicas after each write that must survive a failover (`WAIT` on the connection that
 * made it): `replicas` must acknowledge it within `timeoutMs`, else the call fails with
 * ReplicationError (an enqueue) or the worker writes the outcome again (see docs/operations.md, "Waiting for replicas").
 */
export interface ReplicaWait {
  /** How many replicas must have the write. */
  replicas: number;
  /** How long to wait for them. Default `1 000`, and below `commandTimeoutMs`. */
  timeoutMs?: number;
}

/** How a worker picks among its queues (WorkerOptions.queueOrder). */
export type QueueOrder = 'strict' | 'fair';

export interface WorkerOptions {
  /** `false`: this app only enqueues. Default `true`. */
  enabled?: boolean;
  /** Queues to consume. Default: every queue that has a `@Task` in this app. */
  queues?: string[];
  /**
   * How a claim picks among `queues` (docs/flow-control.md). `'strict'`: in their order, so a
   * queue is drained before the next one gets a task (`['critical', 'default']`). `'fair'`:
   * each claim starts at the next queue in turn, so every queue with work is served. Default
   * `'strict'`.
   */
  queueOrder?: QueueOrder;
  /** Tasks run at once by this process. Default `10`. */
  concurrency?: number;
  /** A claimed task's lease; renewed while the handler runs. Default `30 000`. */
  leaseMs?: number;
  /** How long `stop()` waits for in-flight tasks before handing them back. Default `10 000`. */
  shutdownTimeoutMs?: number;
  /**
   * A task whose worker died (its lease expired) runs again; one taken back more than this
   * many times fails as poisonous (PoisonTaskError). Default `2`.
   */
  maxReclaims?: number;
  /**
   * How often the workers (one at a time) look for tasks that no worker would ever run —
   * waiting in no queue, running without a lease — and fail them into the dead-letter set
   * with an IntegrityError. Default `60 000`.
   */
  integrityScanMs?: number;
  /**
   * Threads and processes for `@Task({ mechanism: 'thread' | 'process' })` handlers (see
   * PoolOptions). Default: none (such a task then fails the start with PoolSetupError).
   */
  pool?: PoolOptions;
}

export interface QueueModuleOptions {
  /** Default `process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'`. */
  connection?: ConnectionOption;
  /** Key namespace; two prefixes never see each other's data. Default `'taskmill'`. */
  prefix?: string;
  /** Refuse to enqueue task names that no `@Task` in this app declares. Default `false`. */
  strict?: boolean;
  /** How args, results and metadata are encoded. Default JSON with strict round-trip checks. */
  serializer?: Serializer;
  /** Defaults for every task; `@Task` and enqueue options override them. */
  defaults?: TaskOptions;
  worker?: WorkerOptions;
  /** Settings per queue name, e.g. `{ clicks: { shards: 8 } }`. */
  queues?: Record<string, QueueSettings>;
  /**
   * Where the keys live. `'queue'`: each queue (each shard) in a hash slot of its own, so that
   * a Redis Cluster spreads the queues over its nodes. `'prefix'`: every key of the prefix in
   * one slot (task locks and workflows in one script; `shards` then split nothing). Default
   * `'auto'`: `'queue'` when `connection` is a cluster (`{ cluster }` or an ioredis Cluster),
   * else `'prefix'`.
   */
  keyLayout?: KeyLayout;
  /**
   * Replication is asynchronous: a primary that dies (or is failed over) may not have passed
   * its last writes on. With this, enqueues and recorded outcomes wait until `replicas` replicas
   * have them (`WAIT`); a number is `{ replicas: n }`. Default: no wait.
   */
  waitForReplicas?: number | ReplicaWait;
  /** Approximate cap on each queue's status events stream. Default `10 000`. */
  eventsMaxLen?: number;
  /** Largest serialised arguments (or metadata) of one task, in bytes. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** How long failed tasks stay in the dead-letter set, in ms. Default 7 days. */
  deadLetterTtl?: number;
  /**
   * How long a call (enqueue, cancel, status, …) waits for an unreachable Redis before it
   * fails with ConnectionError. Default `5 000`.
   */
  commandTimeoutMs?: number;
  /**
   * At startup (module init), how long taskmill waits for Redis to answer before the app fails
   * to start with a ConnectionError naming the server: a wrong URL is caught at deploy, not at
   * the first enqueue. `0`: do not wait; the app starts with Redis down, calls fail after
   * `commandTimeoutMs` and the worker retries with backoff until Redis answers. Default
   * `10 000`.
   */
  connectTimeoutMs?: number;
  /**
   * What the worker logs through Nest's Logger (context `taskmill:Worker`): `true` every level
   * (start and stop at `log`, tasks that failed for good at `error`, lost leases and reclaimed
   * tasks at `warn`, each task's run at `debug`/`verbose`); `false` nothing; or the levels to
   * keep, e.g. `['error', 'warn']`. The app's own logger settings still apply on top
   * (`logger: false` silences everything). Default `true`.
   */
  logging?: boolean | LogLevel[];
  /**
   * Longest a blocking read (an idle worker, the status reader) waits before it checks in
   * again; one that stays unanswered 2 s longer means a dead connection, which is reopened.
   * Default `10 000`.
   */
  blockingTimeoutMs?: number;
  /**
   * On Redis 7+, run taskmill's scripts as one function library (FUNCTION LOAD once per
   * server, then FCALL), which costs Redis about half as much per call as EVALSHA. `false`:
   * always EVALSHA, and no library is written to the server. Default `true`.
   */
  redisFunctions?: boolean;
  /**
   * Keep error stacks in the update streams (`status$`, `events$`). Default `false`: an update
   * stream is what apps pipe to browsers (an `@Sse` endpoint, say), and a stack shows server
   * file paths. `status()`, `history()`, the dead-letter set and `TaskFailedError` from
   * `result()` keep the stack either way.
   */
  stacksInUpdates?: boolean;
  /**
   * Prometheus metrics with prom-client (an optional peer: install it): task outcomes, run and
   * wait times, and the queues' counts when scraped (see docs/observability.md). `true`:
   * prom-client's default registry; `{ registry }`: that one. Default `false`.
   */
  metrics?: boolean | MetricsOptions;
  /**
   * OpenTelemetry traces with `@opentelemetry/api` (an optional peer: install it): a span for
   * each enqueue made inside a trace, carried with the task, and a span for each run under it.
   * Default `false`.
   */
  telemetry?: boolean;
}

/** What the `taskmill worker` command sets over an app's own options (OPTION_OVERRIDES). */
export type OptionOverrides = Pick<QueueModuleOptions, 'connection' | 'prefix' | 'keyLayout'> & {
  worker?: WorkerOptions;
};

/** Module options after validation, with every default applied. */
export interface ResolvedModuleOptions {
  /**
   * A client passed in is used as ioredis's `Redis` or `Cluster`: every copy and major has its
   * shape. A cluster's nodes are normalised to `{ host, port }`.
   */
  connection: string | RedisOptions | Redis | Cluster | ResolvedClusterConnection;
  prefix: string;
  strict: boolean;
  serializer: Serializer;
  defaults: ResolvedTaskOptions;
  worker: Required<Omit<WorkerOptions, 'queues' | 'pool'>> & {
    queues: string[] | undefined;
    pool: ResolvedPoolOptions | undefined;
  };
  queues: Record<string, ResolvedQueueSettings>;
  /** `'auto'` resolved from the connection. */
  keyLayout: ResolvedKeyLayout;
  waitForReplicas: Required<ReplicaWait> | undefined;
  eventsMaxLen: number;
  maxPayloadBytes: number;
  deadLetterTtl: number;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  /** The worker log's levels; empty when `logging` is false. */
  logging: LogLevel[];
  blockingTimeoutMs: number;
  redisFunctions: boolean;
  stacksInUpdates: boolean;
  /** Undefined when metrics are off. */
  metrics: ResolvedMetricsOptions | undefined;
  telemetry: boolean;
}

/** A `ClusterConnection` after validation. */
export interface ResolvedClusterConnection {
  cluster: { host: string; port: number }[];
  options: ClusterOptions;
}
