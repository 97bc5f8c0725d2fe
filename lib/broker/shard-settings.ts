import { InvalidOptionsError } from '../errors';
import type { ResolvedQueueSettings } from '../options/queue-settings';
import type { SlotKeys } from './keys';
import type { TaskRouter } from './task-router';

/** Runs one script on one slot (KEYS[1] its routing key, ARGV[1] its base, then `args`). */
export type SlotScriptRunner = (
  command: string,
  slot: SlotKeys,
  args: (string | number)[],
) => Promise<unknown>;

/**
 * The shard count of each queue, stored in the prefix's slot (KEY_FAMILIES.queueShards), so that
 * every app routes a queue's tasks to the same shards: an app that does not configure a queue
 * (a producer, say) uses the count its workers stored. A configured count that differs from the
 * stored one replaces it only while the queue holds no task: tasks in a shard that no longer
 * exists would never be claimed again.
 *
 * The count and the shards live in different slots, which no one script may touch together:
 * each shard is asked by a script of its own (shard-holds-tasks), then the count is written by
 * a compare-and-set on the prefix's slot (set-shard-count). What this cannot close: a task that
 * an app still running with the old count enqueues to a dropped shard between those calls, or
 * after them (apps read the count when they start). Change a count with the queue drained and
 * the apps that use it stopped, or restarted together with the new setting.
 */
export class ShardSettings {
  constructor(
    private readonly run: SlotScriptRunner,
    private readonly readCounts: (key: string) => Promise<Record<string, string>>,
    private readonly router: TaskRouter,
    private readonly configured: Record<string, ResolvedQueueSettings>,
  ) {}

  /** Reads the stored counts, checks and stores the configured ones (the 'queue' layout only). */
  async sync(): Promise<void> {
    if (!this.router.spread) return;
    const stored = await this.readCounts(this.router.keys.family('queueShards'));
    for (const [queue, shards] of Object.entries(stored)) this.router.adopt(queue, Number(shards));
    for (const [queue, { shards }] of Object.entries(this.configured)) {
      const before = Number(stored[queue] ?? 1);
      if (before === shards) continue;
      await this.refuseIfHoldingTasks(queue, before, shards);
      const now = Number(
        await this.run('taskmillSetShardCount', this.router.keys.prefixSlot, [
          queue,
          before,
          shards,
        ]),
      );
      if (now !== shards) {
        throw new InvalidOptionsError(
          `queues.${queue}.shards`,
          `another app stored ${now} shards for the queue "${queue}" while this one changed ` +
            `the count from ${before} to ${shards}; keep shards: ${now}, or change it once ` +
            `the apps agree`,
        );
      }
      this.router.adopt(queue, shards);
    }
  }

  /** Fails when any of the `before` shards of `queue` still holds a task. */
  private async refuseIfHoldingTasks(queue: string, before: number, shards: number): Promise<void> {
    const found = await Promise.all(
      Array.from({ length: before }, (_, shard) =>
        this.run('taskmillShardHoldsTasks', this.router.keys.slot(queue, shard), [queue]),
      ),
    );
    const shard = found.findIndex((kind) => kind !== '');
    if (shard === -1) return;
    throw new InvalidOptionsError(
      `queues.${queue}.shards`,
      `the queue "${queue}" has tasks (${String(found[shard])}, in shard ${shard} of ` +
        `${before}), which changing the count to ${shards} would leave where no worker ` +
        `claims them; keep shards: ${before}, or drain() or obliterate() the queue first`,
    );
  }
}
