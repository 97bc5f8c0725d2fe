import { Broker } from '../broker/broker';
import { QueueCounts } from '../broker/queue-snapshot';

export interface CountedQueue {
  known: boolean;
  counts: QueueCounts;
}

/**
 * The counts of some queues (undefined: every queue of the prefix), each summed over its shards.
 * In the `'prefix'` layout that is one script call on the prefix's slot, one snapshot of every
 * queue, which checks the registry itself. In the `'queue'` layout the registry is read on the
 * prefix's slot first, then each slot holding shards of the known queues is counted, one call
 * per slot (one snapshot per slot). A queue is paused when any of its shards is, so that a
 * pause() or resume() left halfway (Redis went away meanwhile) shows: call it again.
 */
export async function countQueues(broker: Broker, queues?: string[]): Promise<CountedQueue[]> {
  const admin = broker.admin;
  if (!broker.router.spread) return admin.counts(broker.keys.prefixSlot, queues ?? []);
  const names = queues ?? (await admin.registry.all());
  const known = queues ? await admin.registry.known(names) : names.map(() => true);
  const totals = new Map(names.map((queue) => [queue, noTasks(queue)]));
  const groups = broker.router.groups(names.filter((_, i) => known[i]));
  const replies = await Promise.all(groups.map(({ slot, queues: own }) => admin.counts(slot, own)));
  for (const { counts } of replies.flat()) addTo(totals.get(counts.queue), counts);
  return names.map((queue, i) => ({ known: known[i], counts: totals.get(queue) as QueueCounts }));
}

function noTasks(queue: string): QueueCounts {
  return { queue, waiting: 0, held: 0, delayed: 0, running: 0, deadLettered: 0, paused: false };
}

function addTo(total: QueueCounts | undefined, shard: QueueCounts): void {
  if (!total) return;
  total.waiting += shard.waiting;
  total.held += shard.held;
  total.delayed += shard.delayed;
  total.running += shard.running;
  total.deadLettered += shard.deadLettered;
  total.paused ||= shard.paused;
}
