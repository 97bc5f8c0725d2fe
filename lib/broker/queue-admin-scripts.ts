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
import type { TaskRouter } from './task-router';

/** Runs one script on the prefix's slot (Broker.call). */
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

/**
 * Typed callers of the queue control and inspection scripts, one per script. None of them is
 * on a task's path; each touches a bounded batch, so none holds Redis for long.
 */
export class QueueAdminScripts {
  constructor(
    private readonly call: ScriptCaller,
    private readonly eventsMaxLen: number,
    private readonly router: TaskRouter,
  ) {}

  /** The slot a queue's admin script runs on. */
  private slot(queue: string): SlotKeys {
    return this.router.slotsOf(queue)[0];
  }

  /** Counts of the given queues (none: every queue of the prefix), in one snapshot. */
  async counts(queues: string[]): Promise<{ known: boolean; counts: QueueCounts }[]> {
    const reply = (await this.call(
      'taskmillQueueCounts',
      this.router.keys.prefixSlot,
      true,
      ...queues,
    )) as RawQueueCounts[];
    return reply.map(decodeQueueCounts);
  }

  /** Counts finished runs in up to `count` events before `before` (newest first when omitted). */
  async countEvents(queue: string, count: number, before?: string): Promise<EventsPage> {
    const from = before === undefined ? '+' : `(${before}`;
    const reply = (await this.call(
      'taskmillCountEvents',
      this.slot(queue),
      true,
      queue,
      from,
      count,
    )) as [number, number, number, number, string];
    const [succeeded, failed, cancelled, read, oldestId] = reply;
    return { succeeded, failed, cancelled, read, oldestId };
  }

  /** One page of a queue's tasks in `state`; undefined when the queue is unknown. */
  async list(
    queue: string,
    state: QueueState,
    offset: number,
    limit: number,
  ): Promise<TaskSummary[] | undefined> {
    const reply = (await this.call(
      'taskmillListTasks',
      this.slot(queue),
      true,
      queue,
      state,
      offset,
      limit,
    )) as RawTaskSummary[] | -1;
    if (reply === -1) return undefined;
    return reply.map((raw) => decodeTaskSummary(queue, state, raw));
  }

  /** Sets or clears the pause flag; undefined when the queue is unknown, else whether it changed. */
  async setPaused(queue: string, paused: boolean): Promise<boolean | undefined> {
    const code = (await this.call(
      'taskmillPause',
      this.slot(queue),
      true,
      queue,
      paused ? '1' : '0',
    )) as number;
    return code === -1 ? undefined : code === 1;
  }

  /** Cancels one batch of waiting and delayed tasks; undefined when the queue is unknown. */
  async drain(
    queue: string,
    batch: number,
  ): Promise<{ cancelled: number; taken: number } | undefined> {
    const reply = (await this.call(
      'taskmillDrain',
      this.slot(queue),
      true,
      this.eventsMaxLen,
      queue,
      batch,
    )) as [number, number] | -1;
    if (reply === -1) return undefined;
    return { cancelled: reply[0], taken: reply[1] };
  }

  /** Deletes one batch of the queue's tasks and keys (see obliterate-1.lua). */
  async obliterate(
    queue: string,
    batch: number,
    force: boolean,
    cursor: string,
  ): Promise<ObliterateStep> {
    const reply = (await this.call(
      'taskmillObliterate',
      this.slot(queue),
      true,
      queue,
      batch,
      force ? '1' : '0',
      cursor,
    )) as [number, number?, string?];
    const [code, count = 0, next = '0'] = reply;
    if (code === -1) return { state: 'unknown' };
    if (code === -3) return { state: 'running', running: count };
    if (code === 1) return { state: 'done', deleted: count };
    return { state: 'more', deleted: count, cursor: next };
  }
}
