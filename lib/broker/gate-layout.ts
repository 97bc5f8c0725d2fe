import { GateAcrossSlotsError } from '../errors';
import type { NewTask } from './new-task';
import type { TaskRouter } from './task-router';

/**
 * The task, when its gates fit the key layout. In the 'queue' layout a gate lives in its task's
 * slot: a lock (which must exclude the tasks of every queue) cannot be kept there, nor a
 * concurrency limit of a sharded queue (it would hold per shard).
 */
export function withGatesChecked(task: NewTask, router: TaskRouter): NewTask {
  if (!router.spread) return task;
  if (task.lock !== '') throw new GateAcrossSlotsError('lock', task.name, task.queue);
  if (task.concurrency !== undefined && router.shards(task.queue) > 1) {
    throw new GateAcrossSlotsError('concurrency', task.name, task.queue);
  }
  return task;
}
