import { Logger } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import { isRedisClient } from './is-redis-client';
import { ResolvedModuleOptions } from '../options/module.options';
import { explainConnectFailure, withConnectionErrors } from './connection-errors';
import { describeRedis } from './redis-endpoint';

export interface ConnectionSettings {
  /** How long a call may wait for an unreachable Redis before it fails. */
  commandTimeoutMs: number;
}

/**
 * Owns taskmill's Redis connections: one shared connection for commands and one
 * dedicated connection per blocking reader (a blocked connection cannot serve anyone else).
 * A Redis instance passed in by the user is used but never closed by us.
 */
export class RedisConnections {
  readonly command: Redis;
  /** Where the command connection points (describeRedis), for messages. */
  readonly endpoint: string;
  private readonly owned: Redis[] = [];
  private closes = 0;
  private readonly template: Redis;
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
      this.command = this.track(
        create(connection, {
          // No auto-pipelining: taskmill batches its own calls, and ioredis would add a
          // setImmediate hop to every command.
          enableAutoPipelining: false,
          lazyConnect: true,
        }),
      );
      this.template = this.command;
      this.command.on(
        'error',
        (error: Error) => (this.lastCommandError = explainConnectFailure(error)),
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

  /** A new connection for a blocking command (BLPOP, XREAD BLOCK, SUBSCRIBE). */
  createBlocking(name: string): Redis {
    const blocking = this.template.duplicate({
      enableAutoPipelining: false,
      lazyConnect: true,
      connectionName: `taskmill:${name}`,
      // A blocking read must wait as long as it needs, and be re-sent after a reconnect; its
      // own watchdog (BlockingReader) notices a dead socket.
      maxRetriesPerRequest: null,
    });
    return this.track(blocking);
  }

  /**
   * The command connection stopped answering (a half-open socket after a network drop):
   * close it and connect again. A connection passed in by the user is left alone.
   */
  reopenCommand(): void {
    if (!this.owned.includes(this.command) || this.command.status !== 'ready') return;
    // Destroy, not disconnect(): a polite close waits for a peer that no longer answers.
    // ioredis then reconnects and sends the pending commands again: a server that was only
    // frozen runs them twice (see commandCloses).
    this.command.stream.destroy();
  }

  /** Drops a blocking connection that stopped answering; its pending command fails. */
  discard(redis: Redis): void {
    const index = this.owned.indexOf(redis);
    if (index !== -1) this.owned.splice(index, 1);
    redis.disconnect();
    redis.stream?.destroy();
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

  private track(redis: Redis): Redis {
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
function reportErrorsOnce(redis: Redis): void {
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

function create(connection: string | RedisOptions, extra: RedisOptions): Redis {
  return typeof connection === 'string'
    ? new Redis(connection, extra)
    : new Redis({ ...connection, ...extra });
}

/** How long a polite QUIT may take before the socket is simply destroyed. */
const QUIT_TIMEOUT_MS = 2_000;

/**
 * QUIT lets the server close the socket at once; a connection that does not answer (Redis
 * down, a half-open socket) is destroyed instead, so shutdown never hangs on it.
 */
export async function closeQuietly(redis: Redis): Promise<void> {
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
    redis.stream?.destroy();
  }
}
