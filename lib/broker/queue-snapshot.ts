import { TaskStatus } from '../core/task-status';

/** The states `list()` pages through, each kept in its own structure of the queue. */
export const QUEUE_STATES = ['waiting', 'delayed', 'running', 'dead'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** What a queue holds right now. */
export interface QueueCounts {
  queue: string;
  /** Ready to run now (SUBMITTED, or RETRYING without a backoff), `held` ones included. */
  waiting: number;
  /**
   * Of `waiting`, the tasks a claim set aside (docs/flow-control.md): no worker that claimed
   * them had their handler (they wait for one that has), or their task name was at its rate
   * limit.
   */
  held: number;
  /** Due later: `delay`, `runAt`, or a retry's backoff. Due tasks of a paused queue stay here. */
  delayed: number;
  /** Claimed by a worker, under a lease. */
  running: number;
  /** In the dead-letter set (FAILED, kept for `deadLetterTtl`). */
  deadLettered: number;
  paused: boolean;
}

/** A task as `list()` shows it. */
export interface TaskSummary {
  id: string;
  /** The task name; '' when the task has no readable record. */
  task: string;
  queue: string;
  /** UNKNOWN when the entry's record is gone (it expired or was deleted). */
  status: TaskStatus;
  /** Runs started so far. */
  attempt: number;
  priority: number;
  /** When it was enqueued, epoch ms (Redis server clock); 0 when unknown. */
  enqueuedAt: number;
  /** `delayed` only: when it falls due, epoch ms. */
  dueAt?: number;
  /** `running` only: when its lease runs out unless its worker renews it, epoch ms. */
  leaseExpiresAt?: number;
  /** `dead` only: when it failed for good, epoch ms. */
  failedAt?: number;
}

export type RawQueueCounts = [string, number, number, number, number, number, number, number];

/** Counts of a queue, and whether the queue is known at all. */
export function decodeQueueCounts(raw: RawQueueCounts): { known: boolean; counts: QueueCounts } {
  const [queue, known, waiting, delayed, running, deadLettered, paused, held] = raw;
  return {
    known: known === 1,
    counts: { queue, waiting, held, delayed, running, deadLettered, paused: paused === 1 },
  };
}

type Field = string | null;
export type RawTaskSummary = [string, string, Field, Field, Field, Field, Field];

const SCORE_FIELDS: Record<QueueState, 'dueAt' | 'leaseExpiresAt' | 'failedAt' | undefined> = {
  waiting: undefined,
  delayed: 'dueAt',
  running: 'leaseExpiresAt',
  dead: 'failedAt',
};

const STATUSES = new Set<string>(Object.values(TaskStatus));

export function decodeTaskSummary(
  queue: string,
  state: QueueState,
  raw: RawTaskSummary,
): TaskSummary {
  const [id, score, task, status, attempt, priority, createdAt] = raw;
  const summary: TaskSummary = {
    id,
    task: task ?? '',
    queue,
    status: status && STATUSES.has(status) ? (status as TaskStatus) : TaskStatus.UNKNOWN,
    attempt: Number(attempt ?? 0),
    priority: Number(priority ?? 0),
    enqueuedAt: Number(createdAt ?? 0),
  };
  const scoreField = SCORE_FIELDS[state];
  if (scoreField) summary[scoreField] = Number(score);
  return summary;
}
