import { createHash } from 'crypto';
import { QueueRequiredError } from '../errors';
import { DEFAULT_QUEUE_SETTINGS, ResolvedQueueSettings } from '../options/queue-settings';
import { KeyBuilder, queueTag, SlotKeys, tagOfId } from './keys';
import { randomTaskId } from './task-ids';

/** A slot and the queues (of those asked for) that have keys in it. */
export interface SlotGroup {
  slot: SlotKeys;
  queues: string[];
}

/** Makes the id of a new task of `queue`. */
export type IdMaker = (queue: string) => string;

/**
 * Decides which hash slot holds a task. A generated id begins with its slot's tag (in the
 * `'queue'` layout), so the id alone finds the task; a custom id goes to the shard of its queue
 * that a digest of the id picks, so the same id (a unique task's, say) always lands on the same
 * shard, and its queue finds it again. In the `'prefix'` layout every task is in the prefix's
 * slot and ids carry no tag.
 */
export class TaskRouter {
  /** Per queue: the shard the next generated id goes to (round robin). */
  private readonly turns = new Map<string, number>();
  /** Shard counts read from Redis; they win over this app's own settings once read. */
  private readonly adopted = new Map<string, ResolvedQueueSettings>();

  constructor(
    readonly keys: KeyBuilder,
    private readonly settings: Record<string, ResolvedQueueSettings>,
  ) {}

  get spread(): boolean {
    return this.keys.layout === 'queue';
  }

  shards(queue: string): number {
    if (!this.spread) return 1;
    return (this.adopted.get(queue) ?? this.settings[queue] ?? DEFAULT_QUEUE_SETTINGS).shards;
  }

  /** The shard count stored in Redis for `queue` (ShardSettings), which every app follows. */
  adopt(queue: string, shards: number): void {
    if (Number.isSafeInteger(shards) && shards >= 1) this.adopted.set(queue, { shards });
  }

  /** Every slot of `queue`, shard 0 first (one, the prefix's, in the `'prefix'` layout). */
  slotsOf(queue: string): SlotKeys[] {
    return Array.from({ length: this.shards(queue) }, (_, shard) => this.keys.slot(queue, shard));
  }

  /**
   * The slots of some queues, each with the queues it holds, in the queues' order: one group,
   * the prefix's slot with every queue, in the 'prefix' layout; one per shard in 'queue'.
   */
  groups(queues: string[]): SlotGroup[] {
    const groups = new Map<string, SlotGroup>();
    for (const queue of queues) {
      for (const slot of this.slotsOf(queue)) {
        const group = groups.get(slot.base) ?? { slot, queues: [] };
        if (!group.queues.includes(queue)) group.queues.push(queue);
        groups.set(slot.base, group);
      }
    }
    return [...groups.values()];
  }

  /** The shard a new task of `queue` with a generated id goes to: each in turn. */
  nextShard(queue: string): number {
    const shards = this.shards(queue);
    if (shards === 1) return 0;
    const turn = this.turns.get(queue) ?? 0;
    this.turns.set(queue, (turn + 1) % shards);
    return turn;
  }

  /** A new generated id for a task of `queue` on `shard` (tagged with its slot when spread). */
  newId(queue: string, shard = this.nextShard(queue)): string {
    return this.spread ? queueTag(queue, shard) + randomTaskId() : randomTaskId();
  }

  /**
   * An id maker for one batch (enqueueMany, a group): every task of a queue gets the same shard,
   * so that the batch's tasks of each queue are written together, all or none.
   */
  pinned(): IdMaker {
    const shards = new Map<string, number>();
    return (queue) => {
      let shard = shards.get(queue);
      if (shard === undefined) {
        shard = this.nextShard(queue);
        shards.set(queue, shard);
      }
      return this.newId(queue, shard);
    };
  }

  /**
   * A new generated id for a debounced task of `queue`: on the shard that a digest of its task
   * name and debounce id picks, so that every enqueue of a burst reaches the slot that holds the
   * burst's key (whichever app makes it), and the id alone still finds the task.
   */
  debouncedId(queue: string, name: string, debounceId: string): string {
    const shards = this.shards(queue);
    return this.newId(queue, shards === 1 ? 0 : shardOf(`${name}\n${debounceId}`, shards));
  }

  /** The slot of a task of `queue` with id `id` (generated or custom). */
  slotFor(queue: string, id: string): SlotKeys {
    if (!this.spread) return this.keys.prefixSlot;
    const shards = this.shards(queue);
    const tag = tagOfId(id);
    for (let shard = 0; shard < shards && tag !== undefined; shard++) {
      if (queueTag(queue, shard) === tag) return this.keys.slotOfTag(tag);
    }
    return this.keys.slot(queue, shards === 1 ? 0 : shardOf(id, shards));
  }

  /**
   * The slot of an existing task: from its queue when given, else from a generated id's tag;
   * undefined when neither tells (a custom id without its queue, when spread).
   */
  locate(id: string, queue?: string): SlotKeys | undefined {
    if (!this.spread) return this.keys.prefixSlot;
    if (queue !== undefined) return this.slotFor(queue, id);
    const tag = tagOfId(id);
    return tag === undefined ? undefined : this.keys.slotOfTag(tag);
  }

  /** locate(), or QueueRequiredError when the id alone does not tell. */
  slotOfTask(id: string, queue?: string): SlotKeys {
    const slot = this.locate(id, queue);
    if (!slot) throw new QueueRequiredError(id);
    return slot;
  }
}

/**
 * The shard of a custom id or a debounce burst: the same text, the same shard, in every
 * process.
 */
function shardOf(text: string, shards: number): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0) % shards;
}
