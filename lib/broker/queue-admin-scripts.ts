import {
  decodeQueueCounts,
  decodeTaskSummary,
  QueueCounts,
  QueueState,
  RawQueueCounts,
  RawTaskSummary,
  TaskSummary,
} from './queue-snapshot';
import type { SlotKeys } from './keys';
import { QueueRegistry } from './queue-registry';
import { SCRIPT_CODES as CODE } from './script-codes';
import type { TaskRouter } from './task-router';

/** Runs one script on a slot (Broker.call). */
export type ScriptCaller = (
  command: string,
  slot: SlotKeys,
  failFast: boolean,
  ...args: (string | number)[]
) => Promise<unknown>;

/** Finished runs counted in one page of a queue's events stream. */
export interface EventsPage {
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Entries read; fewer than asked for: the stream's oldest entry was reached. */
  read: number;
  /** Stream id of the oldest entry read; '' when none was. */
  oldestId: string;
}

export type ObliterateStep =
  | { state: 'unknown' }
  | { state: 'running'; running: number }
  | { state: 'more'; deleted: number; cursor: string }
  | { state: 'done'; deleted: number };

/** A task as a shard's listing returns it, with what orders it among the other shards'. */
export interface ListedTask {
  summary: TaskSummary;
  /** The listing's score: priority of the ready list (waiting), else the sorted set's score. */
  score: number;
}

/**
 * Typed callers of the queue control and inspection scripts, one per script, each on one slot:
 * the prefix's (the registry; every queue in the 'prefix' layout) or one shard's of a queue.
 * None of them is on a task's path; each touches a bounded batch, so none holds Redis for long.
 */
export class QueueAdminScripts {
  /** The prefix's queue registry, asked before a queue's shards in the 'queue' layout. */
  readonly registry: QueueRegistry;

  constructor(
    private readonly call: ScriptCaller,
    private readonly eventsMaxLen: number,
    router: TaskRouter,
    /** Told when obliterate() removed a queue from the registry. */
    forgotten?: (queue: string) => void,
  ) {
    this.registry = new QueueRegistry(
      (command, slot, ...args) => this.call(command, slot, true, ...args),
      router,
      forgotten,
    );
  }

  /**
   * Counts of the given queues in one snapshot of one slot's keys (no queue: every queue of
   * the prefix, on the prefix's slot only). `known` is checked on the prefix's slot only.
   */
  async counts(
    slot: SlotKeys,
    queues: string[],
  ): Promise<{ known: boolean; counts: QueueCounts }[]> {
    const reply = (await this.call(
      'taskmillQueueCounts',
      slot,
      true,
      ...queues,
    )) as RawQueueCounts[];
    return reply.map(decodeQueueCounts);
  }

  /** Counts finished runs in up to `count` events before `before` (newest first when omitted). */
  async countEvents(
    slot: SlotKeys,
    queue: string,
    count: number,
    before?: string,
  ): Promise<EventsPage> {
    const from = before === undefined ? '+' : `(${before}`;
    const reply = (await this.call('taskmillCountEvents', slot, true, queue, from, count)) as [
      number,
      number,
      number,
      number,
      string,
    ];
    const [succeeded, failed, cancelled, read, oldestId] = reply;
    return { succeeded, failed, cancelled, read, oldestId };
  }

  /** One page of a shard's tasks in `state`; undefined when the queue is unknown. */
  async list(
    slot: SlotKeys,
    queue: string,
    state: QueueState,
    offset: number,
    limit: number,
  ): Promise<ListedTask[] | undefined> {
    const reply = (await this.call(
      'taskmillListTasks',
      slot,
      true,
      queue,
      state,
      offset,
      limit,
    )) as RawTaskSummary[] | typeof CODE.UNKNOWN_QUEUE;
    if (reply === CODE.UNKNOWN_QUEUE) return undefined;
    return reply.map((raw) => ({
      summary: decodeTaskSummary(queue, state, raw),
      score: Number(raw[1]),
    }));
  }

  /** Sets or clears the pause flag; undefined when the queue is unknown, else whether it changed. */
  async setPaused(slot: SlotKeys, queue: string, paused: boolean): Promise<boolean | undefined> {
    const code = (await this.call(
      'taskmillPause',
      slot,
      true,
      queue,
      paused ? '1' : '0',
    )) as number;
    return code === CODE.UNKNOWN_QUEUE ? undefined : code === CODE.DONE;
  }

  /** Cancels one batch of waiting and delayed tasks; undefined when the queue is unknown. */
  async drain(
    slot: SlotKeys,
    queue: string,
    batch: number,
  ): Promise<{ cancelled: number; taken: number } | undefined> {
    const reply = (await this.call(
      'taskmillDrain',
      slot,
      true,
      this.eventsMaxLen,
      queue,
      batch,
    )) as [number, number] | typeof CODE.UNKNOWN_QUEUE;
    if (reply === CODE.UNKNOWN_QUEUE) return undefined;
    return { cancelled: reply[0], taken: reply[1] };
  }

  /**
   * Deletes one batch of a shard's tasks and keys (see obliterate-1.lua); batch 0 only checks
   * for running tasks and pauses the shard.
   */
  async obliterate(
    slot: SlotKeys,
    queue: string,
    batch: number,
    force: boolean,
    cursor: string,
  ): Promise<ObliterateStep> {
    const reply = (await this.call(
      'taskmillObliterate',
      slot,
      true,
      queue,
      batch,
      force ? '1' : '0',
      cursor,
    )) as [number, number?, string?];
    const [code, count = 0, next = '0'] = reply;
    if (code === CODE.UNKNOWN_QUEUE) return { state: 'unknown' };
    if (code === CODE.QUEUE_BUSY) return { state: 'running', running: count };
    if (code === CODE.DONE) return { state: 'done', deleted: count };
    return { state: 'more', deleted: count, cursor: next };
  }
}
