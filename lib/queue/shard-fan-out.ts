import type { SlotKeys } from '../broker/keys';
import type { TaskRouter } from '../broker/task-router';

/**
 * The distinct slots of a queue's shards, shard 0 first: two shards of a queue could share a
 * tag, and a slot asked twice would count its tasks twice.
 */
export function shardSlots(router: TaskRouter, queue: string): SlotKeys[] {
  const slots = new Map<string, SlotKeys>();
  for (const slot of router.slotsOf(queue)) slots.set(slot.base, slot);
  return [...slots.values()];
}

/** Reads up to `count` entries of one shard's listing from `offset`, in the listing's order. */
export type ShardReader<T> = (offset: number, count: number) => Promise<T[]>;

/** Entries read from a shard per call: each call stays short, however deep the page. */
const CHUNK = 1000;

/**
 * Entries `offset` to `offset + limit` of the merge of several shards' listings, each in its
 * own order already. Each step takes the shard head that `before` puts first (on a tie, the
 * lower shard's), so every shard's own order is kept exactly, even where it does not follow
 * `before` (a task handed back to the head of its list keeps its turn). Each shard is read a
 * chunk at a time as the merge consumes it: a page costs about `offset + limit` entries read
 * plus one chunk per shard. The chunks are read at different times, so like pages of one
 * shard read one after another, a page is not one snapshot across shards.
 */
export async function mergeShards<T>(
  readers: ShardReader<T>[],
  before: (a: T, b: T) => boolean,
  offset: number,
  limit: number,
): Promise<T[]> {
  // One listing needs no merge: its page is read as it is.
  if (readers.length === 1) return readers[0](offset, limit);
  const chunk = Math.min(CHUNK, offset + limit);
  const cursors = readers.map((read) => new ShardCursor(read, chunk));
  await Promise.all(cursors.map((cursor) => cursor.refill()));
  const page: T[] = [];
  let last: ShardCursor<T> | undefined;
  for (let taken = 0; taken < offset + limit; taken++) {
    // Only now, when its next entry is needed: a merge that ended reads nothing more.
    await last?.refill();
    last = undefined;
    for (const cursor of cursors) {
      const head = cursor.head();
      if (head === undefined) continue;
      if (!last || before(head.entry, (last.head() as { entry: T }).entry)) last = cursor;
    }
    if (!last) break;
    const entry = last.take();
    if (taken >= offset) page.push(entry);
  }
  return page;
}

/** One shard's listing as the merge consumes it, a chunk read at a time. */
class ShardCursor<T> {
  private buffer: T[] = [];
  private next = 0;
  /** Where the next chunk starts; undefined once a short chunk showed the listing's end. */
  private position: number | undefined = 0;

  constructor(
    private readonly read: ShardReader<T>,
    private readonly chunk: number,
  ) {}

  /** The next entry, wrapped (an entry may itself be falsy), or undefined when none is left. */
  head(): { entry: T } | undefined {
    return this.next < this.buffer.length ? { entry: this.buffer[this.next] } : undefined;
  }

  take(): T {
    return this.buffer[this.next++];
  }

  /** Reads the next chunk once the buffer is used up, unless the listing ended. */
  async refill(): Promise<void> {
    if (this.next < this.buffer.length || this.position === undefined) return;
    this.buffer = await this.read(this.position, this.chunk);
    this.next = 0;
    this.position =
      this.buffer.length < this.chunk ? undefined : this.position + this.buffer.length;
  }
}
