import { InvalidOptionsError } from '../errors';
import type { AnyRedis } from '../redis/any-redis';
import type { ResolvedQueueSettings } from '../options/queue-settings';
import type { TaskRouter } from './task-router';

/**
 * The shard count of each queue, stored in the prefix's slot (KEY_FAMILIES.queueShards), so that
 * every app routes a queue's tasks to the same shards: an app that does not configure a queue
 * (a producer, say) uses the count its workers stored. A configured count that differs from the
 * stored one replaces it only while the queue holds no task: tasks in a shard that no longer
 * exists would never be claimed again.
 */
export class ShardSettings {
  constructor(
    private readonly redis: AnyRedis,
    private readonly router: TaskRouter,
    private readonly configured: Record<string, ResolvedQueueSettings>,
  ) {}

  /** Reads the stored counts, checks and stores the configured ones (the 'queue' layout only). */
  async sync(): Promise<void> {
    if (!this.router.spread) return;
    const key = this.router.keys.family('queueShards');
    const stored = await this.redis.hgetall(key);
    for (const [queue, shards] of Object.entries(stored)) this.router.adopt(queue, Number(shards));
    for (const [queue, { shards }] of Object.entries(this.configured)) {
      const before = Number(stored[queue] ?? 1);
      if (before === shards) continue;
      if (await this.holdsTasks(queue, before)) {
        throw new InvalidOptionsError(
          `queues.${queue}.shards`,
          `the queue "${queue}" has tasks in its ${before} shard(s), which changing the count ` +
            `to ${shards} would leave where no worker claims; keep shards: ${before}, or ` +
            `drain() or obliterate() the queue first`,
        );
      }
      await this.redis.hset(key, queue, shards);
      this.router.adopt(queue, shards);
    }
  }

  /** Whether any shard of the `shards` a queue had holds a waiting, delayed, running or failed task. */
  private async holdsTasks(queue: string, shards: number): Promise<boolean> {
    const slots = Array.from({ length: shards }, (_, shard) => this.router.keys.slot(queue, shard));
    const counts = await Promise.all(
      slots.flatMap((slot) =>
        (['priorities', 'delayed', 'leases', 'dead'] as const).map((kind) =>
          this.redis.zcard(slot.queue(queue, kind)),
        ),
      ),
    );
    return counts.some((count) => count > 0);
  }
}
