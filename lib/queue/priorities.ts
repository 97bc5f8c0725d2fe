import type { SlotKeys } from '../broker/keys';
import { PriorityScripts, RawWaitingTask } from '../broker/priority-scripts';
import { TaskRouter } from '../broker/task-router';
import { InvalidOptionsError, TaskNotFoundError, TooManyWaitingTasksError } from '../errors';
import { checkPriority, MAX_PRIORITY } from '../options/task-options.validator';
import { TaskStatus } from '../core/task-status';
import {
  checkInteger,
  checkKnownKeys,
  checkName,
  checkObject,
  checkTaskId,
} from '../validation/checks';
import { mergeShards, shardSlots } from './shard-fan-out';

/** A ready task, as `peek()` shows it. */
export interface WaitingTask {
  id: string;
  /** The task name. */
  task: string;
  queue: string;
  priority: number;
  /** SUBMITTED, or RETRYING when its backoff is over and it waits for its next run. */
  status: TaskStatus.SUBMITTED | TaskStatus.RETRYING;
  /** Runs it had so far (0: never ran). */
  attempt: number;
  /** When it was enqueued, epoch ms (Redis server clock). */
  enqueuedAt: number;
}

/** Which ready tasks `removeByPriority()` cancels: give one bound or both. */
export interface PriorityThreshold {
  /** Tasks with a priority strictly below this one. */
  below?: number;
  /** Tasks with a priority strictly above this one. */
  above?: number;
}

export interface PromoteOptions {
  /** Refuse (TooManyWaitingTasksError) a queue with more ready tasks. 1 to 1 000 000; default 10 000. */
  maxTasks?: number;
}

const MAX_PEEK = 1000;
const DEFAULT_PEEK = 10;
const DEFAULT_PROMOTE_MAX = 10_000;
const MAX_PROMOTE_MAX = 1_000_000;
/** Tasks one removal script call cancels at most: Redis stays responsive between calls. */
const REMOVE_BATCH = 1000;

/**
 * Priority management of waiting tasks (good-redis's prioritized stream operations). The
 * queue-wide ones run on every shard of the queue: each shard's change is atomic, the whole
 * is not. In the `'queue'` layout the registry is asked first whether the queue is known.
 */
export class Priorities {
  constructor(
    private readonly scripts: PriorityScripts,
    private readonly router: TaskRouter,
  ) {}

  /**
   * Gives a waiting task a new priority. True when it has it now; false when the task is
   * running or finished (nothing changed). Throws TaskNotFoundError for an unknown id.
   */
  async reprioritize(id: string, priority: number, queue?: string): Promise<boolean> {
    checkTaskId(id, 'id');
    checkPriority(priority, 'priority');
    const result = await this.scripts.reprioritize(this.router.slotOfTask(id, queue), id, priority);
    if (result === 'missing') throw new TaskNotFoundError(id);
    return result === 'changed';
  }

  /** Lowers every ready task's priority by `by` (they run sooner); returns how many moved. */
  async promoteAll(queue: string, by: number, options: PromoteOptions = {}): Promise<number> {
    checkName(queue, 'queue');
    checkInteger(by, 'by', { min: 1, max: 2 * MAX_PRIORITY });
    checkKnownKeys(checkObject(options, 'options'), ['maxTasks'], 'options');
    const maxTasks = checkInteger(options.maxTasks ?? DEFAULT_PROMOTE_MAX, 'options.maxTasks', {
      min: 1,
      max: MAX_PROMOTE_MAX,
    });
    await this.scripts.registry.check(queue);
    const slots = shardSlots(this.router, queue);
    if (slots.length > 1) await this.checkReadyTotal(slots, queue, maxTasks);
    let moved = 0;
    for (const slot of slots) {
      const result = await this.scripts.promoteAll(slot, queue, by, -MAX_PRIORITY, maxTasks);
      if ('tooMany' in result) throw new TooManyWaitingTasksError(queue, result.tooMany, maxTasks);
      moved += result.moved;
    }
    return moved;
  }

  /** maxTasks holds for the whole queue: refused before any shard is changed. */
  private async checkReadyTotal(slots: SlotKeys[], queue: string, maxTasks: number): Promise<void> {
    const counts = await Promise.all(slots.map((slot) => this.scripts.readyCount(slot, queue)));
    const total = counts.reduce((sum, count) => sum + count, 0);
    if (total > maxTasks) throw new TooManyWaitingTasksError(queue, total, maxTasks);
  }

  /** Cancels the ready tasks outside the threshold(s); returns how many. */
  async removeByPriority(queue: string, threshold: PriorityThreshold): Promise<number> {
    checkName(queue, 'queue');
    checkKnownKeys(checkObject(threshold, 'threshold'), ['below', 'above'], 'threshold');
    const { below, above } = threshold;
    if (below === undefined && above === undefined) {
      throw new InvalidOptionsError('threshold', 'give below, above or both');
    }
    if (below !== undefined) checkPriority(below, 'threshold.below');
    if (above !== undefined) checkPriority(above, 'threshold.above');
    if (below !== undefined && above !== undefined && below > above) {
      throw new InvalidOptionsError(
        'threshold',
        `below (${below}) is greater than above (${above}), which would remove every task`,
      );
    }
    await this.scripts.registry.check(queue);
    const counts = await Promise.all(
      shardSlots(this.router, queue).map((slot) => this.removeFromShard(slot, queue, threshold)),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** One shard, a batch per call while the script says some may be left. */
  private async removeFromShard(
    slot: SlotKeys,
    queue: string,
    { below, above }: PriorityThreshold,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const { cancelled, more } = await this.scripts.removeWaiting(
        slot,
        queue,
        below,
        above,
        REMOVE_BATCH,
      );
      total += cancelled;
      if (!more) return total;
    }
  }

  /**
   * The next `count` ready tasks (1 to 1 000, default 10) in the order workers claim them; of a
   * sharded queue, each shard's next ones merged by priority, then enqueue time.
   */
  async peek(queue: string, count = DEFAULT_PEEK): Promise<WaitingTask[]> {
    checkName(queue, 'queue');
    checkInteger(count, 'count', { min: 1, max: MAX_PEEK });
    await this.scripts.registry.check(queue);
    // A shard is read once: its first `count` (the merge's chunk) are all the merge can take
    // from it, so the reader never gets another offset than 0.
    const readers = shardSlots(this.router, queue).map(
      (slot) => (_offset: number, wanted: number) => this.scripts.peek(slot, queue, wanted),
    );
    const raw = await mergeShards(readers, claimedBefore, 0, count);
    return raw.map(([id, task, priority, status, attempt, createdAt]) => ({
      id,
      task,
      queue,
      priority: Number(priority),
      status: status as WaitingTask['status'],
      attempt: Number(attempt),
      enqueuedAt: Number(createdAt),
    }));
  }
}

/** Between two shards' heads: the lower priority, then the earlier enqueued. */
function claimedBefore(a: RawWaitingTask, b: RawWaitingTask): boolean {
  const [pa, pb] = [Number(a[2]), Number(b[2])];
  return pa < pb || (pa === pb && Number(a[5]) < Number(b[5]));
}
