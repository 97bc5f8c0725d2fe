import { UnknownQueueError } from '../errors';
import type { SlotKeys } from './keys';
import { QueueRegistry } from './queue-registry';
import { RawQueueCounts } from './queue-snapshot';
import { SCRIPT_CODES as CODE } from './script-codes';
import type { TaskRouter } from './task-router';

/** Runs one script by command name, with the ARGV that follow the key base. */
export type ScriptRunner = (
  command: string,
  slot: SlotKeys,
  ...args: (string | number)[]
) => Promise<unknown>;

export type ReprioritizeResult = 'changed' | 'not-waiting' | 'missing';

const REPRIORITIZES: Record<number, ReprioritizeResult> = {
  [CODE.DONE]: 'changed',
  [CODE.NOT_WAITING]: 'not-waiting',
  [CODE.NO_TASK]: 'missing',
};

/** A ready task as the peek script returns it: id, name, priority, status, attempt, createdAt. */
export type RawWaitingTask = [string, string, string, string, string, string];

/**
 * Typed callers of the priority management scripts (none of them is on a task's hot path), each
 * on one slot: the queue-wide ones on one shard of the queue (the caller fans out over them).
 */
export class PriorityScripts {
  /** The prefix's queue registry, asked before a queue's shards in the 'queue' layout. */
  readonly registry: QueueRegistry;

  constructor(
    private readonly run: ScriptRunner,
    private readonly eventsMaxLen: number,
    router: TaskRouter,
  ) {
    this.registry = new QueueRegistry(run, router);
  }

  /** The ready tasks of `queue` in one slot (the sum of its ready lists' lengths). */
  async readyCount(slot: SlotKeys, queue: string): Promise<number> {
    const [[, , waiting]] = (await this.run(
      'taskmillQueueCounts',
      slot,
      queue,
    )) as RawQueueCounts[];
    return waiting;
  }

  /** Changes a waiting task's priority (see reprioritize-1.lua). */
  async reprioritize(slot: SlotKeys, id: string, priority: number): Promise<ReprioritizeResult> {
    const code = await this.run('taskmillReprioritize', slot, id, priority);
    return REPRIORITIZES[code as number];
  }

  /**
   * Lowers the priority of every ready task of `queue` in `slot` by `by`, not below `floor`,
   * unless it holds more than `maxTasks`. Returns the tasks moved, or `tooMany` with the count found.
   */
  async promoteAll(
    slot: SlotKeys,
    queue: string,
    by: number,
    floor: number,
    maxTasks: number,
  ): Promise<{ moved: number } | { tooMany: number }> {
    const [code, count] = (await this.run(
      'taskmillPromoteAll',
      slot,
      queue,
      by,
      floor,
      maxTasks,
    )) as [number, number];
    if (code === CODE.UNKNOWN_QUEUE) throw new UnknownQueueError(queue);
    return code === CODE.DONE ? { moved: count } : { tooMany: count };
  }

  /**
   * Cancels up to `batch` ready tasks of `queue` in `slot` with a priority below `below` or above
   * `above`; `more` is true when some may be left.
   */
  async removeWaiting(
    slot: SlotKeys,
    queue: string,
    below: number | undefined,
    above: number | undefined,
    batch: number,
  ): Promise<{ cancelled: number; more: boolean }> {
    const [cancelled, more] = (await this.run(
      'taskmillRemoveWaiting',
      slot,
      this.eventsMaxLen,
      queue,
      below ?? '',
      above ?? '',
      batch,
    )) as [number, number];
    if (cancelled === CODE.UNKNOWN_QUEUE) throw new UnknownQueueError(queue);
    return { cancelled, more: more === CODE.MORE };
  }

  /** The next `count` ready tasks of `queue` in one slot, in claim order. */
  async peek(slot: SlotKeys, queue: string, count: number): Promise<RawWaitingTask[]> {
    const reply = (await this.run('taskmillPeek', slot, queue, count)) as RawWaitingTask[] | number;
    if (reply === CODE.UNKNOWN_QUEUE) throw new UnknownQueueError(queue);
    return reply as RawWaitingTask[];
  }
}
