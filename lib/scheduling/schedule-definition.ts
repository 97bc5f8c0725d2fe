import { createHash } from 'crypto';
import { NewTask } from '../broker/new-task';
import { decodeRunOptions, encodeRunOptions } from '../broker/run-options.codec';
import { STORED_DEFAULTS } from '../broker/keys';
import { TaskRouter } from '../broker/task-router';
import { CatchUpPolicy, Recurrence } from '../options/schedule.options';

/** The task a schedule enqueues, as the fire script writes it (every value a string). */
export interface ScheduledTask {
  name: string;
  queue: string;
  args: string;
  priority: string;
  options: string;
  resultTtl: string;
  metadata: string;
  /** The lock name ('' none) and the task name's concurrency limit ('' none). */
  lock: string;
  limit: string;
}

/** What Redis stores per schedule (JSON in the schedules hash). */
export interface StoredSchedule {
  recurrence: Recurrence;
  catchUp: CatchUpPolicy;
  task: ScheduledTask;
}

export function scheduledTask(task: NewTask): ScheduledTask {
  return {
    name: task.name,
    queue: task.queue,
    args: task.args,
    priority: String(task.priority),
    options: encodeRunOptions(task),
    resultTtl: task.resultTtl === STORED_DEFAULTS.resultTtl ? '' : String(task.resultTtl),
    metadata: task.metadata,
    lock: task.lock,
    limit: task.concurrency === undefined ? '' : String(task.concurrency),
  };
}

/** The id of the task tick `tick` of a schedule enqueues: one id per tick, whoever fires it. */
export function tickTaskId(scheduleId: string, tick: number): string {
  return `${scheduleId}@${tick}`;
}

/**
 * The task of one tick as the enqueue script writes it (the 'queue' layout's first step of a
 * firing, see Broker.fireSchedule): due now, in its queue's slot for its id, and refused if a
 * record holds its id already, whatever that record's state.
 */
export function tickTask(
  scheduleId: string,
  tick: number,
  task: ScheduledTask,
  router: TaskRouter,
): NewTask {
  const id = tickTaskId(scheduleId, tick);
  return {
    id,
    queue: task.queue,
    slot: router.slotFor(task.queue, id),
    name: task.name,
    args: task.args,
    priority: Number(task.priority),
    delay: 0,
    runAt: 0,
    ...decodeRunOptions(task.options),
    resultTtl: task.resultTtl === '' ? STORED_DEFAULTS.resultTtl : Number(task.resultTtl),
    metadata: task.metadata,
    lock: task.lock ?? '',
    concurrency: task.limit ? Number(task.limit) : undefined,
    // A schedule's tasks are ungrouped (its definition predates groups).
    group: '',
    onDuplicate: 'error',
    uniqueFor: undefined,
  };
}

/** Keys in a fixed order, so that equal definitions give equal JSON (and equal ids). */
export function encodeSchedule(schedule: StoredSchedule): string {
  const { cron, tz, every } = schedule.recurrence;
  const t = schedule.task;
  return JSON.stringify({
    recurrence: { cron, tz, every },
    catchUp: schedule.catchUp,
    task: {
      name: t.name,
      queue: t.queue,
      args: t.args,
      priority: t.priority,
      options: t.options,
      resultTtl: t.resultTtl,
      metadata: t.metadata,
      lock: t.lock,
      limit: t.limit,
    },
  });
}

/**
 * The same definition always gets the same id (as sheppy does), so two app instances that
 * register it share one schedule instead of firing twice.
 */
export function scheduleId(encoded: string): string {
  return `schedule-${createHash('sha256').update(encoded).digest('base64url').slice(0, 16)}`;
}
