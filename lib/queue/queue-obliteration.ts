import { Broker } from '../broker/broker';
import type { SlotKeys } from '../broker/keys';
import { QueueBusyError, UnknownQueueError } from '../errors';
import { countQueues } from './queue-counts';
import { shardSlots } from './shard-fan-out';

/**
 * Deletes every task and key of a queue, shard by shard, in batches; returns how many task
 * records it deleted.
 *
 * With one shard, the first batch refuses (QueueBusyError) or pauses the queue atomically, as
 * it always did. With several, nothing may be deleted before every shard agreed: the running
 * tasks of all shards are counted first (read only: a busy queue is left as it was), then each
 * shard is halted (running check and pause in one script, no deletion), and only then are the
 * shards emptied. A task that starts between the count and its shard's halt makes that halt
 * refuse: QueueBusyError, with the shards halted before it left paused and nothing deleted.
 *
 * In the `'queue'` layout the queue leaves the prefix's registry last, once every shard is
 * gone. A crash (or connection loss) before that leaves the queue registered, paused, with some
 * shards emptied: stats() shows what is left, and obliterate() again finishes the job.
 */
export async function obliterateQueue(
  broker: Broker,
  queue: string,
  force: boolean,
  batch: number,
): Promise<number> {
  const admin = broker.admin;
  await admin.registry.check(queue);
  const slots = shardSlots(broker.router, queue);
  if (slots.length > 1) await haltShards(broker, slots, queue, force);
  let deleted = 0;
  for (const slot of slots) deleted += await obliterateShard(broker, slot, queue, force, batch);
  await admin.registry.forget(queue);
  return deleted;
}

/** Every shard refuses or is paused before any is emptied (see obliterateQueue). */
async function haltShards(
  broker: Broker,
  slots: SlotKeys[],
  queue: string,
  force: boolean,
): Promise<void> {
  if (!force) {
    const [{ counts }] = await countQueues(broker, [queue]);
    if (counts.running > 0) throw new QueueBusyError(queue, counts.running);
  }
  for (const slot of slots) {
    const step = await broker.admin.obliterate(slot, queue, 0, force, '0');
    if (step.state === 'running') throw new QueueBusyError(queue, step.running);
  }
}

/** One shard, a batch per call: its structures, then a pass over its task records. */
async function obliterateShard(
  broker: Broker,
  slot: SlotKeys,
  queue: string,
  force: boolean,
  batch: number,
): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  for (let first = true; ; first = false) {
    const step = await broker.admin.obliterate(slot, queue, batch, force, cursor);
    switch (step.state) {
      case 'unknown':
        // Unknown after the first batch: another call obliterated the queue meanwhile.
        if (first) throw new UnknownQueueError(queue);
        return deleted;
      case 'running':
        throw new QueueBusyError(queue, step.running);
      case 'done':
        return deleted + step.deleted;
      case 'more':
        deleted += step.deleted;
        cursor = step.cursor;
    }
  }
}
