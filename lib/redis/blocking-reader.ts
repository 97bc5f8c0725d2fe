import type { ChainableCommander } from 'ioredis';
import type { AnyRedis } from './any-redis';
import { toTypedRedisError } from './connection-errors';
import { closeQuietly, RedisConnections } from './redis-connections';
import { describeRedis } from './redis-endpoint';

/** A nudge key outlives its reader by this much at most. */
const NUDGE_TTL_MS = 60_000;

/** How much longer than its own timeout a blocking read may take before its connection is dead. */
export const STALL_GRACE_MS = 2_000;

/**
 * A dedicated connection for blocking reads, with a watchdog. Every read asks Redis to give up
 * after `timeoutMs`; a read still unanswered `STALL_GRACE_MS` later means the connection died
 * without noticing (a half-open socket after a network drop or a failover). That connection is
 * dropped, the read returns null as if it had timed out, and the next read opens a new one.
 */
export class BlockingReader {
  private redis?: AnyRedis;
  /** Ends the read in progress early (see interrupt). */
  private wakeUp?: () => void;

  /**
   * `nudge` adds an entry to the reader's private nudge key (`nudgeKey`), which every read
   * includes: the way other code ends a read early.
   */
  constructor(
    private readonly connections: RedisConnections,
    private readonly name: string,
    readonly timeoutMs: number,
    private readonly nudgeKey: string,
    private readonly nudge: (multi: ChainableCommander) => ChainableCommander,
  ) {}

  /**
   * Runs one blocking read; `read` must pass `timeoutMs` to Redis. Null: it timed out, stalled
   * or was interrupted.
   */
  async read<T>(
    read: (redis: AnyRedis, timeoutMs: number) => Promise<T | null>,
  ): Promise<T | null> {
    const redis = (this.redis ??= this.connections.createBlocking(this.name));
    let timer: NodeJS.Timeout | undefined;
    const cutShort = new Promise<'stalled' | 'interrupted'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), this.timeoutMs + STALL_GRACE_MS);
      this.wakeUp = () => resolve('interrupted');
    });
    // Typed, so that a worker.error about a blocked read names the server and connection.
    const reply = read(redis, this.timeoutMs).catch((error: unknown) =>
      Promise.reject(toTypedRedisError(error, describeRedis(redis))),
    );
    // After a stall the dropped connection rejects the read; nobody waits for it any more.
    reply.catch(() => undefined);
    try {
      const first = await Promise.race([reply, cutShort]);
      if (first !== 'stalled' && first !== 'interrupted') return first;
      if (this.redis === redis) this.redis = undefined;
      this.connections.discard(redis);
      return null;
    } finally {
      clearTimeout(timer);
      this.wakeUp = undefined;
    }
  }

  /**
   * Ends the read in progress: a write to the nudge key, or, when Redis refuses that write
   * (out of memory, unreachable), a cut that costs the connection (the next read opens a new
   * one).
   */
  async wake(): Promise<void> {
    try {
      await this.connections.guard(() =>
        this.nudge(this.connections.command.multi()).pexpire(this.nudgeKey, NUDGE_TTL_MS).exec(),
      );
    } catch {
      this.wakeUp?.();
    }
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    if (redis) await closeQuietly(redis);
  }
}
