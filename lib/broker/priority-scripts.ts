import { UnknownQueueError } from '../errors';
import type { SlotKeys } from './keys';
import type { TaskRouter } from './task-router';

/** Runs one script by command name, with the ARGV that follow the key base. */
export type ScriptRunner = (
  command: string,
  slot: SlotKeys,
  ...args: (string | number)[]
) => Promise<unknown>;

export type ReprioritizeResult = 'changed' | 'not-waiting' | 'missing';

const REPRIORITIZES: Record<number, ReprioritizeResult> = {
  1: 'changed',
  0: 'not-waiting',
  [-2]: 'missing',
};

/** What the queue-wide scripts return for a queue missing from the prefix's queues set. */
const UNKNOWN_QUEUE = -3;

/** A ready task as the peek script returns it: id, name, priority, status, attempt, createdAt. */
export type RawWaitingTask = [string, string, string, string, string, string];

/** Typed callers of the priority management scripts (none of them is on a task's hot path). */
export class PriorityScripts {
  constructor(
    private readonly run: ScriptRunner,
    private readonly eventsMaxLen: number,
    private readonly router: TaskRouter,
  ) {}

  /** The slot a queue's script runs on. */
  private slot(queue: string): SlotKeys {
    return this.router.slotsOf(queue)[0];
  }

  /** Changes a waiting task's priority (see reprioritize-1.lua). */
  async reprioritize(slot: SlotKeys, id: string, priority: number): Promise<ReprioritizeResult> {
    const code = await this.run('taskmillReprioritize', slot, id, priority);
    return REPRIORITIZES[code as number];
  }

  /**
   * Lowers the priority of every ready task of `queue` by `by`, not below `floor`, unless it
   * holds more than `maxTasks`. Returns the tasks moved, or `tooMany` with the count found.
   */
  async promoteAll(
    queue: string,
    by: number,
    floor: number,
    maxTasks: number,
  ): Promise<{ moved: number } | { tooMany: number }> {
    const [code, count] = (await this.run(
      'taskmillPromoteAll',
      this.slot(queue),
      queue,
      by,
      floor,
      maxTasks,
    )) as [number, number];
    if (code === UNKNOWN_QUEUE) throw new UnknownQueueError(queue);
    return code === 1 ? { moved: count } : { tooMany: count };
  }

  /**
   * Cancels up to `batch` ready tasks of `queue` with a priority below `below` or above
   * `above`; `more` is true when some may be left.
   */
  async removeWaiting(
    queue: string,
    below: number | undefined,
    above: number | undefined,
    batch: number,
  ): Promise<{ cancelled: number; more: boolean }> {
    const [cancelled, more] = (await this.run(
      'taskmillRemoveWaiting',
      this.slot(queue),
      this.eventsMaxLen,
      queue,
      below ?? '',
      above ?? '',
      batch,
    )) as [number, number];
    if (cancelled === UNKNOWN_QUEUE) throw new UnknownQueueError(queue);
    return { cancelled, more: more === 1 };
  }

  /** The next `count` ready tasks of `queue`, in claim order. */
  async peek(queue: string, count: number): Promise<RawWaitingTask[]> {
    const reply = (await this.run('taskmillPeek', this.slot(queue), queue, count)) as
      RawWaitingTask[] | number;
    if (reply === UNKNOWN_QUEUE) throw new UnknownQueueError(queue);
    return reply as RawWaitingTask[];
  }
}
