import { Logger } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import { isRedisClient } from './is-redis-client';
import { ConnectionOption } from '../options/module.options';

/**
 * Owns taskmill's Redis connections: one shared connection for commands and one
 * dedicated connection per blocking reader (a blocked connection cannot serve anyone else).
 * A Redis instance passed in by the user is used but never closed by us.
 */
export class RedisConnections {
  readonly command: Redis;
  private readonly owned: Redis[] = [];
  private readonly template: Redis;

  constructor(connection: ConnectionOption) {
    if (isRedisClient(connection)) {
      this.command = connection;
      this.template = connection;
    } else {
      // No auto-pipelining: taskmill batches its own calls, and ioredis would add a
      // setImmediate hop to every command.
      this.command = this.track(
        create(connection, { enableAutoPipelining: false, lazyConnect: true }),
      );
      this.template = this.command;
    }
  }

  /** A new connection for a blocking command (BLPOP, XREAD BLOCK, SUBSCRIBE). */
  createBlocking(name: string): Redis {
    const blocking = this.template.duplicate({
      enableAutoPipelining: false,
      lazyConnect: true,
      connectionName: `taskmill:${name}`,
      // A blocking read must wait as long as it needs, and be re-sent after a reconnect.
      maxRetriesPerRequest: null,
    });
    return this.track(blocking);
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
 */
function reportErrorsOnce(redis: Redis): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(`connection ${redis.options.connectionName ?? 'taskmill'} lost: ${error.message}`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log(`connection ${redis.options.connectionName ?? 'taskmill'} restored`);
  });
}

function create(connection: string | RedisOptions, extra: RedisOptions): Redis {
  return typeof connection === 'string'
    ? new Redis(connection, extra)
    : new Redis({ ...connection, ...extra });
}

/** QUIT lets the server close the socket at once; disconnect() is the fallback. */
export async function closeQuietly(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    // ioredis may reject QUIT with "Connection is closed" when the socket closes first.
    if ((redis.status as string) !== 'end') redis.disconnect();
  }
}
