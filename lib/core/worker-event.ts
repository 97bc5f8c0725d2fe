import { ErrorDetails } from '../errors';
import { HookKind } from './hook-kind';

/** The task a worker event is about. */
export interface TaskRef {
  id: string;
  name: string;
  queue: string;
  attempt: number;
}

/**
 * A lifecycle hook threw or rejected (it is logged too). The task's outcome is not affected:
 * `task` is the task the hook ran for (attempt 0 for submit hooks).
 */
export interface HookFailedEvent {
  type: 'hook.failed';
  /** `ClassName.methodName` of the hook. */
  hook: string;
  kind: HookKind;
  task: TaskRef;
  error: Error;
}

/** What this process's worker does, as it happens (`WorkerService.events$`). */
export type WorkerEvent =
  | { type: 'worker.started'; queues: string[] }
  | { type: 'worker.stopped' }
  | { type: 'worker.error'; error: Error }
  /**
   * This app enqueued on a queue that no live worker consumes (UnconsumedQueues): once per
   * queue and process, producer-only apps included.
   */
  | { type: 'queue.unconsumed'; queue: string }
  /**
   * This app enqueued tasks named `name` on a queue whose live workers all lack its handler:
   * they are held until a worker with it starts (UnconsumedQueues). Once per queue, name and
   * process, producer-only apps included.
   */
  | { type: 'task.unhosted'; queue: string; name: string }
  | { type: 'task.started'; task: TaskRef }
  /** `durationMs`: from the start of the run until its outcome was recorded. */
  | { type: 'task.succeeded'; task: TaskRef; durationMs: number }
  | {
      type: 'task.retrying';
      task: TaskRef;
      error: ErrorDetails;
      delayMs: number;
      durationMs: number;
    }
  | { type: 'task.failed'; task: TaskRef; error: ErrorDetails; durationMs: number }
  | { type: 'task.cancelled'; task: TaskRef; durationMs: number }
  /** Handed back to the queue on shutdown. */
  | { type: 'task.released'; task: TaskRef }
  /** A newer attempt owns the task (lease expired): this run's outcome was not recorded. */
  | { type: 'task.lease-lost'; task: TaskRef }
  /**
   * This worker's sweep took back tasks whose worker died (their lease expired): `reclaimed`
   * run again, `failed` were taken back more than `maxReclaims` times.
   */
  | { type: 'leases.reclaimed'; reclaimed: string[]; failed: string[] }
  /**
   * This worker's integrity scan found tasks no worker would ever have run (waiting in no
   * queue, running without a lease) and failed them into the dead-letter set.
   */
  | { type: 'integrity.repaired'; failed: string[] }
  /** This worker fired a tick of a schedule: it enqueued task `taskId`. */
  | { type: 'schedule.fired'; schedule: string; taskId: string }
  /**
   * This worker found declared (`@Task({ schedule })`) schedules missing from Redis, which
   * lost its data (restart without persistence, FLUSHALL, failover), and wrote them again.
   */
  | { type: 'schedules.restored'; schedules: string[] }
  | HookFailedEvent;
