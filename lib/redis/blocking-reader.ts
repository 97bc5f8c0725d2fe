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

  constructor(
    private readonly connections: RedisConnections,
    private readonly name: string,
    readonly timeoutMs: number,
  ) {}

  /** Runs one blocking read; `read` must pass `timeoutMs` to Redis. Null: timed out or stalled. */
  async read<T>(read: (redis: Redis, timeoutMs: number) => Promise<T | null>): Promise<T | null> {
    const redis = (this.redis ??= this.connections.createBlocking(this.name));
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), this.timeoutMs + STALL_GRACE_MS);
    });
    const reply = read(redis, this.timeoutMs);
    // After a stall the dropped connection rejects the read; nobody waits for it any more.
    reply.catch(() => undefined);
    try {
      const first = await Promise.race([reply, stalled]);
      if (first !== 'stalled') return first;
      if (this.redis === redis) this.redis = undefined;
      this.connections.discard(redis);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Cuts a read short (its promise rejects); the next read opens a new connection. */
  interrupt(): void {
    if (this.redis) this.connections.discard(this.redis);
    this.redis = undefined;
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    if (redis) await closeQuietly(redis);
  }
}
