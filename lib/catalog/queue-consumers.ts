import { KeyBuilder } from '../broker/keys';
import { RedisConnections } from '../redis/redis-connections';

/**
 * How long a worker's mark that it consumes a queue lives. Workers rewrite it every third of
 * that, so a worker that stops (or dies) stops counting within this long. The TTL is kept by
 * Redis: no clock of ours is compared with another machine's.
 */
export const CONSUMED_TTL_MS = 30_000;

/**
 * Which queues a live worker consumes (KEY_FAMILIES.consumed, in the prefix's slot):
 * workers mark theirs while they run, producers ask before warning that a queue they fill
 * has no worker.
 */
export class QueueConsumers {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: KeyBuilder,
  ) {}

  /**
   * Marks `queues` as consumed now, and again every third of CONSUMED_TTL_MS until the
   * returned function is called. Not awaited: a worker starts while Redis is down (the next
   * round writes the marks), and a producer's check sent later on the same connection is
   * answered after the first marks anyway.
   */
  beacon(queues: readonly string[]): () => void {
    const mark = () => void Promise.all(queues.map((queue) => this.mark(queue))).catch(() => 0);
    mark();
    const timer = setInterval(mark, CONSUMED_TTL_MS / 3);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Whether a live worker consumes `queue`. */
  async consumed(queue: string): Promise<boolean> {
    const key = this.key(queue);
    return (await this.connections.guard(() => this.connections.command.exists(key))) === 1;
  }

  private mark(queue: string): Promise<unknown> {
    const key = this.key(queue);
    return this.connections.guard(() =>
      this.connections.command.set(key, '1', 'PX', CONSUMED_TTL_MS),
    );
  }

  private key(queue: string): string {
    return this.keys.consumed(queue);
  }
}
