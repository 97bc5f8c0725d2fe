import { Broker } from '../broker/broker';
import type { SlotKeys } from '../broker/keys';
import type { ListedTask } from '../broker/queue-admin-scripts';
import { QUEUE_STATES, QueueCounts, QueueState, TaskSummary } from '../broker/queue-snapshot';
import { InvalidOptionsError, UnknownQueueError } from '../errors';
import { timeOfStreamId } from '../status/status-codec';
import { checkName, checkPage, describe } from '../validation/checks';
import { countQueues } from './queue-counts';
import { mergeShards, shardSlots } from './shard-fan-out';

/** Runs that ended lately, as the queue's events stream still shows them. */
export interface RecentOutcomes {
  succeeded: number;
  failed: number;
  cancelled: number;
  /**
   * When the oldest status change still in the stream happened (epoch ms, Redis server
   * clock): the counts cover the time since. Undefined when the stream is empty. A sharded
   * queue has a stream per shard, each capped on its own: the oldest entry of them all.
   */
  since: number | undefined;
}

/** A queue's counts, plus the outcomes of its recent runs. */
export interface QueueStats extends QueueCounts {
  recent: RecentOutcomes;
}

export interface ListPage {
  /** Skip this many, in the listing's order. Default 0. */
  offset?: number;
  /** At most this many, 1 to 1 000. Default 100. */
  limit?: number;
}

const MAX_LIMIT = 1000;
/** Events counted per script call: each call stays short, however long the stream is. */
const EVENTS_PAGE = 1000;

/**
 * Where a task of each state comes in a listing merged from a queue's shards: waiting by
 * priority, then enqueue time; delayed by due time; running by lease deadline; dead latest
 * failure first. Within a shard its own order holds exactly (see mergeShards).
 */
const MERGE_ORDER: Record<QueueState, (a: ListedTask, b: ListedTask) => boolean> = {
  waiting: (a, b) =>
    a.score < b.score || (a.score === b.score && a.summary.enqueuedAt < b.summary.enqueuedAt),
  delayed: (a, b) => a.score < b.score,
  running: (a, b) => a.score < b.score,
  dead: (a, b) => a.score > b.score,
};

/** Counts and lists what queues hold (read only), over every shard of a queue. */
export class QueueInspector {
  constructor(private readonly broker: Broker) {}

  /** One queue's counts (one snapshot per shard, summed) and its recent outcomes. */
  async stats(queue: string): Promise<QueueStats> {
    checkName(queue, 'queue');
    const [{ known, counts }] = await countQueues(this.broker, [queue]);
    if (!known) throw new UnknownQueueError(queue);
    return { ...counts, recent: await this.recent(queue) };
  }

  /** Every queue of the prefix with its counts, by name. */
  async queues(): Promise<QueueCounts[]> {
    const all = await countQueues(this.broker, undefined);
    return all.map(({ counts }) => counts).sort((a, b) => (a.queue < b.queue ? -1 : 1));
  }

  /** One page of a queue's tasks in `state` (see QueueState for each state's order). */
  async list(queue: string, state: QueueState, page?: ListPage): Promise<TaskSummary[]> {
    checkName(queue, 'queue');
    if (!QUEUE_STATES.includes(state)) {
      throw new InvalidOptionsError(
        'state',
        `must be one of ${QUEUE_STATES.join(', ')}, got ${describe(state)}`,
      );
    }
    const { offset, limit } = checkPage(page, MAX_LIMIT);
    const admin = this.broker.admin;
    await admin.registry.check(queue);
    const slots = shardSlots(this.broker.router, queue);
    if (slots.length === 1) {
      const tasks = await admin.list(slots[0], queue, state, offset, limit);
      if (!tasks) throw new UnknownQueueError(queue);
      return tasks.map((task) => task.summary);
    }
    const readers = slots.map(
      (slot) => async (from: number, count: number) =>
        (await admin.list(slot, queue, state, from, count)) ?? [],
    );
    const merged = await mergeShards(readers, MERGE_ORDER[state], offset, limit);
    return merged.map((task) => task.summary);
  }

  /**
   * Counts the finished runs in each shard's events stream, a page per call, newest first.
   * `since` is the oldest entry of them all; each shard's stream is capped on its own, so a
   * shard trimmed later than the others may count a longer stretch.
   */
  private async recent(queue: string): Promise<RecentOutcomes> {
    const shards = await Promise.all(
      shardSlots(this.broker.router, queue).map((slot) => this.recentOfShard(slot, queue)),
    );
    const sinces = shards.flatMap((shard) => (shard.since === undefined ? [] : [shard.since]));
    return {
      succeeded: shards.reduce((sum, shard) => sum + shard.succeeded, 0),
      failed: shards.reduce((sum, shard) => sum + shard.failed, 0),
      cancelled: shards.reduce((sum, shard) => sum + shard.cancelled, 0),
      since: sinces.length === 0 ? undefined : Math.min(...sinces),
    };
  }

  private async recentOfShard(slot: SlotKeys, queue: string): Promise<RecentOutcomes> {
    const recent: RecentOutcomes = { succeeded: 0, failed: 0, cancelled: 0, since: undefined };
    let before: string | undefined;
    for (;;) {
      const page = await this.broker.admin.countEvents(slot, queue, EVENTS_PAGE, before);
      recent.succeeded += page.succeeded;
      recent.failed += page.failed;
      recent.cancelled += page.cancelled;
      if (page.read > 0) recent.since = timeOfStreamId(page.oldestId);
      if (page.read < EVENTS_PAGE) return recent;
      before = page.oldestId;
    }
  }
}
