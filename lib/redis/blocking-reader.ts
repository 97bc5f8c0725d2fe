import type { Redis } from 'ioredis';
import { closeQuietly, RedisConnections } from './redis-connections';

/** How much longer than its own timeout a blocking read may take before its connection is dead. */
export const STALL_GRACE_MS = 2_000;

/**
 * A dedicated connection for blocking reads, with a watchdog. Every read asks Redis to give up
 * after `timeoutMs`; a read still unanswered `STALL_GRACE_MS` later means the connection died
 * without noticing (a half-open socket after a network drop or a failover). That connection is
 * dropped, the read returns null as if it had timed out, and the next read opens a new one.
 */
export class BlockingReader {
  private redis?: Redis;
  /** Ends the read in progress early (see interrupt). */
  private wakeUp?: () => void;

  constructor(
    private readonly connections: RedisConnections,
    private readonly name: string,
    readonly timeoutMs: number,
  ) {}

  /**
   * Runs one blocking read; `read` must pass `timeoutMs` to Redis. Null: it timed out, stalled
   * or was interrupted.
   */
  async read<T>(read: (redis: Redis, timeoutMs: number) => Promise<T | null>): Promise<T | null> {
    const redis = (this.redis ??= this.connections.createBlocking(this.name));
    let timer: NodeJS.Timeout | undefined;
    const cutShort = new Promise<'stalled' | 'interrupted'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), this.timeoutMs + STALL_GRACE_MS);
      this.wakeUp = () => resolve('interrupted');
    });
    const reply = read(redis, this.timeoutMs);
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
   * Ends the read in progress now, as if it had timed out, at the price of its connection
   * (the next read opens a new one). The way to wake a reader when Redis refuses the write
   * that normally wakes it (out of memory, unreachable).
   */
  interrupt(): void {
    this.wakeUp?.();
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    if (redis) await closeQuietly(redis);
  }
}
