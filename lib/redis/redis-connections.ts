import { Logger } from '@nestjs/common';
import { Cluster, Redis, RedisOptions } from 'ioredis';
import { AnyRedis, destroySockets, isCluster } from './any-redis';
import { isRedisClient } from '../options/is-redis-client';
import { ResolvedClusterConnection, ResolvedModuleOptions } from '../options/module.options';
import { explainConnectFailure, withConnectionErrors } from './connection-errors';
import { describeRedis, rememberClusterOrigin } from './redis-endpoint';

export interface ConnectionSettings {
  /** How long a call may wait for an unreachable Redis before it fails. */
  commandTimeoutMs: number;
}

/** No auto-pipelining: taskmill batches its own calls, and ioredis would add a setImmediate hop to every command. */
const OWN_CLIENT: RedisOptions = { enableAutoPipelining: false, lazyConnect: true };

/**
 * Owns taskmill's Redis connections: one shared connection for commands and one
 * dedicated connection per blocking reader (a blocked connection cannot serve anyone else).
 * On a Redis Cluster each of them is a cluster client, with a socket to each node it uses.
 * A Redis or Cluster instance passed in by the user is used but never closed by us.
 */
export class RedisConnections {
  readonly command: AnyRedis;
  /** Whether the connections go to a Redis Cluster (blocking reads then cover one slot each). */
  get onCluster(): boolean {
    return isCluster(this.command);
  }

  /** Where the command connection points (describeRedis), for messages. */
  readonly endpoint: string;
  private readonly owned: AnyRedis[] = [];
  private closes = 0;
  private readonly template: AnyRedis;
  /** The last error ioredis reported on our command connection, cleared once it is ready. */
  private lastCommandError?: Error;

  constructor(
    connection: ResolvedModuleOptions['connection'],
    private readonly settings: ConnectionSettings,
  ) {
    if (isRedisClient(connection)) {
      this.command = connection;
      this.template = connection;
    } else {
      this.command = this.track(create(connection));
      this.template = this.command;
      this.command.on(
        'error',
        (error: Error) => (this.lastCommandError = withNodeError(explainConnectFailure(error))),
      );
      this.command.on('ready', () => (this.lastCommandError = undefined));
    }
    this.command.on('close', () => this.closes++);
    this.endpoint = describeRedis(this.command);
  }

  /**
   * How many times the command connection closed. ioredis sends the calls it had on the wire
   * again after reconnecting, so a call that spans a close may have run twice.
   */
  get commandCloses(): number {
    return this.closes;
  }

  /** Why our command connection is not connected, if ioredis said (a client passed in: never). */
  get lastError(): Error | undefined {
    return this.lastCommandError;
  }

  /** Runs a call on Redis with typed errors and the command timeout. */
  guard<T>(operation: () => Promise<T>): Promise<T> {
    return withConnectionErrors(operation, {
      endpoint: this.endpoint,
      timeoutMs: this.settings.commandTimeoutMs,
    });
  }

  /**
   * A new connection for a blocking command (BLPOP, XREAD BLOCK, SUBSCRIBE). On a cluster, a
   * cluster client of its own: the command client has one socket per node, which a blocked
   * command would hold for everyone; this one opens sockets only to the nodes it reads from.
   */
  createBlocking(name: string): AnyRedis {
    const blocking: RedisOptions = {
      connectionName: `taskmill:${name}`,
      // A blocking read must wait as long as it needs, and be re-sent after a reconnect; its
      // own watchdog (BlockingReader) notices a dead socket.
      maxRetriesPerRequest: null,
    };
    const template = this.template;
    if (!isCluster(template)) return this.track(template.duplicate({ ...OWN_CLIENT, ...blocking }));
    const copy = template.duplicate([], {
      ...OWN_CLIENT,
      redisOptions: { ...template.options.redisOptions, ...blocking },
    });
    rememberClusterOrigin(copy, template);
    return this.track(copy);
  }

  /**
   * The command connection stopped answering (a half-open socket after a network drop):
   * close it and connect again. A connection passed in by the user is left alone.
   */
  reopenCommand(): void {
    if (!this.owned.includes(this.command) || this.command.status !== 'ready') return;
    // Destroy, not disconnect(): a polite close waits for a peer that no longer answers.
    // ioredis then reconnects and sends the pending commands again: a server that was only
    // frozen runs them twice (see commandCloses). A cluster client does not know which of
    // its node sockets stalled: it drops them all, the pending commands fail, and it finds
    // its nodes again.
    destroySockets(this.command);
  }

  /** Drops a blocking connection that stopped answering; its pending command fails. */
  discard(redis: AnyRedis): void {
    const index = this.owned.indexOf(redis);
    if (index !== -1) this.owned.splice(index, 1);
    redis.disconnect();
    destroySockets(redis);
  }

  /**
   * Drops every connection we opened without a goodbye, so that they stop reconnecting: for a
   * startup that failed because Redis does not answer, where nothing is in flight.
   */
  abandonAll(): void {
    for (const redis of this.owned.splice(0)) redis.disconnect();
  }

  /** Closes every connection we opened. Blocking readers must have been woken up first. */
  async closeAll(): Promise<void> {
    await Promise.all(this.owned.splice(0).map(closeQuietly));
  }

  private track<T extends AnyRedis>(redis: T): T {
    this.owned.push(redis);
    reportErrorsOnce(redis);
    return redis;
  }
}

const logger = new Logger('taskmill:Redis');

/**
 * Without an 'error' listener ioredis prints every failed reconnect with a stack trace.
 * Log the first failure of an outage and the recovery instead; commands still get the errors.
 * A connection that was never made says so: "lost" would suggest it once worked.
 */
function reportErrorsOnce(redis: AnyRedis): void {
  let down = false;
  let everReady = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      everReady
        ? `lost Redis at ${describeRedis(redis)}: ${error.message}; reconnecting`
        : `cannot reach Redis at ${describeRedis(redis)}: ` +
            `${explainConnectFailure(error).message}; still trying`,
    );
  });
  redis.on('ready', () => {
    everReady = true;
    if (!down) return;
    down = false;
    logger.log(`Redis at ${describeRedis(redis)} is back`);
  });
}

function create(connection: string | RedisOptions | ResolvedClusterConnection): AnyRedis {
  if (typeof connection === 'string') return new Redis(connection, OWN_CLIENT);
  if (!('cluster' in connection)) return new Redis({ ...connection, ...OWN_CLIENT });
  const cluster = new Cluster(connection.cluster, { ...connection.options, ...OWN_CLIENT });
  rememberClusterOrigin(cluster, connection.cluster);
  return cluster;
}

/**
 * A cluster client that reaches none of its nodes reports "Failed to refresh slots cache." and
 * keeps why (ECONNREFUSED, say) in `lastNodeError`: the message says both.
 */
function withNodeError(error: Error): Error {
  const cause = (error as { lastNodeError?: unknown }).lastNodeError;
  if (!(cause instanceof Error)) return error;
  return new Error(`${error.message.replace(/[.\s]+$/, '')}: ${cause.message}`);
}

/** How long a polite QUIT may take before the socket is simply destroyed. */
const QUIT_TIMEOUT_MS = 2_000;

/**
 * QUIT lets the server close the socket at once; a connection that does not answer (Redis
 * down, a half-open socket) is destroyed instead, so shutdown never hangs on it.
 */
export async function closeQuietly(redis: AnyRedis): Promise<void> {
  if (redis.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const quit = redis.quit().then(
    () => true,
    // ioredis may reject QUIT with "Connection is closed" when the socket closes first.
    () => false,
  );
  const timedOut = new Promise<false>(
    (resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS, false)),
  );
  const quitted = await Promise.race([quit, timedOut]);
  clearTimeout(timer);
  if (!quitted && (redis.status as string) !== 'end') {
    redis.disconnect();
    destroySockets(redis);
  }
}
