import { Broker } from '../broker/broker';
import { SlotKeys, TASK_FIELDS as F } from '../broker/keys';
import { ErrorDetails, InvalidOptionsError } from '../errors';
import { RedisConnections } from '../redis/redis-connections';
import { checkName, checkPage, checkTaskId } from '../validation/checks';
import { mergeShards, shardSlots } from './shard-fan-out';

/** A failed task in its queue's dead-letter set. */
export interface DeadLetter {
  id: string;
  task: string;
  queue: string;
  /** When it failed for good, epoch ms (Redis server clock). */
  failedAt: number;
  /** Runs it had. */
  attempt: number;
  error: ErrorDetails | undefined;
}

export interface DeadLetterPage {
  /** Skip this many, newest first. Default 0. */
  offset?: number;
  /** At most this many, 1 to 1 000. Default 100. */
  limit?: number;
}

const MAX_BATCH = 1000;

/** Lists, requeues and purges a queue's failed tasks (Alsek's dead-letter queue). */
export class DeadLetters {
  constructor(
    private readonly broker: Broker,
    private readonly connections: RedisConnections,
  ) {}

  /** The queue's failed tasks, newest first (merged from its shards). */
  async list(queue: string, page?: DeadLetterPage): Promise<DeadLetter[]> {
    checkName(queue, 'queue');
    const { offset, limit } = checkPage(page, MAX_BATCH);
    const redis = this.connections.command;
    const readers = shardSlots(this.broker.router, queue).map(
      (slot) => async (from: number, count: number) => {
        const flat = await this.connections.guard(() =>
          redis.zrevrange(slot.queue(queue, 'dead'), from, from + count - 1, 'WITHSCORES'),
        );
        return pairs(flat).map(([id, score]) => ({ id, slot, failedAt: Number(score) }));
      },
    );
    const entries = await mergeShards(readers, (a, b) => a.failedAt > b.failedAt, offset, limit);
    const records = await this.connections.guard(() =>
      Promise.all(
        entries.map(({ id, slot }) => redis.hmget(slot.task(id), F.name, F.attempt, F.error)),
      ),
    );
    return entries.map(({ id, failedAt }, i) => {
      const [task, attempt, error] = records[i];
      return {
        id,
        task: task ?? '',
        queue,
        failedAt,
        attempt: Number(attempt ?? 0),
        error: error ? (JSON.parse(error) as ErrorDetails) : undefined,
      };
    });
  }

  /** Runs failed tasks again (the given ids, else up to 1 000 of the oldest); returns their ids. */
  async requeue(queue: string, ids: string[] = []): Promise<string[]> {
    checkName(queue, 'queue');
    const groups = await this.byShard(queue, this.checkIds(ids));
    const replies = await Promise.all(
      groups.map(({ slot, ids: own }) => this.broker.requeueDead(slot, queue, own, MAX_BATCH)),
    );
    return replies.flat();
  }

  /** Deletes failed tasks (the given ids, else up to 1 000 of the oldest); returns how many. */
  async purge(queue: string, ids: string[] = []): Promise<number> {
    checkName(queue, 'queue');
    const groups = await this.byShard(queue, this.checkIds(ids));
    const counts = await Promise.all(
      groups.map(({ slot, ids: own }) => this.broker.purgeDead(slot, queue, own, MAX_BATCH)),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /**
   * The given ids by the shard that holds each. No ids: with one shard, the script takes its
   * oldest; with several, the oldest MAX_BATCH of them all, so that the bound holds for the
   * queue (each shard's oldest MAX_BATCH read and merged; an id requeued or purged meanwhile
   * by another call is skipped by the script).
   */
  private async byShard(
    queue: string,
    ids: string[],
  ): Promise<{ slot: SlotKeys; ids: string[] }[]> {
    const router = this.broker.router;
    const slots = shardSlots(router, queue);
    if (ids.length === 0 && slots.length === 1) return [{ slot: slots[0], ids }];
    const chosen =
      ids.length > 0
        ? ids.map((id) => ({ id, slot: router.slotFor(queue, id) }))
        : await this.oldest(queue, slots);
    const groups = new Map<string, { slot: SlotKeys; ids: string[] }>();
    for (const { id, slot } of chosen) {
      const group = groups.get(slot.base) ?? { slot, ids: [] };
      group.ids.push(id);
      groups.set(slot.base, group);
    }
    return [...groups.values()];
  }

  /** The MAX_BATCH oldest failed tasks of a sharded queue, with the slot of each. */
  private async oldest(
    queue: string,
    slots: SlotKeys[],
  ): Promise<{ id: string; slot: SlotKeys }[]> {
    const redis = this.connections.command;
    const perShard = await this.connections.guard(() =>
      Promise.all(
        slots.map(async (slot) => {
          const flat = await redis.zrange(
            slot.queue(queue, 'dead'),
            0,
            MAX_BATCH - 1,
            'WITHSCORES',
          );
          return pairs(flat).map(([id, score]) => ({ id, slot, failedAt: Number(score) }));
        }),
      ),
    );
    return perShard
      .flat()
      .sort((a, b) => a.failedAt - b.failedAt)
      .slice(0, MAX_BATCH);
  }

  private checkIds(ids: string[]): string[] {
    if (!Array.isArray(ids)) throw new InvalidOptionsError('ids', 'must be an array of task ids');
    if (ids.length > MAX_BATCH) {
      throw new InvalidOptionsError('ids', `at most ${MAX_BATCH} ids per call, got ${ids.length}`);
    }
    return ids.map((id, i) => checkTaskId(id, `ids[${i}]`));
  }
}

/** [member, score, member, score, …] as pairs. */
function pairs(flat: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) result.push([flat[i], flat[i + 1]]);
  return result;
}
