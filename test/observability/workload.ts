import { Injectable } from '@nestjs/common';
import { firstValueFrom, Observable } from 'rxjs';
import { filter, take, toArray } from 'rxjs/operators';
import { NonRetryableError, Task, taskContext, WorkerEvent } from '../../lib';

/** The queue of the observability workload's tasks. */
export const OBS_QUEUE = 'obs';

/** Tasks with known outcomes: one succeeds, one fails for good, one fails once then succeeds. */
@Injectable()
export class ObservedTasks {
  @Task({ name: 'obs.ok', queue: OBS_QUEUE })
  async ok(value: number): Promise<number> {
    return value * 2;
  }

  @Task({ name: 'obs.bad', queue: OBS_QUEUE, retries: 0 })
  async bad(): Promise<never> {
    throw new NonRetryableError('bad on purpose');
  }

  @Task({ name: 'obs.flaky', queue: OBS_QUEUE, retries: 1, backoff: 10 })
  async flaky(): Promise<string> {
    if (taskContext().attempt === 1) throw new Error('first attempt fails');
    return 'second attempt';
  }
}

const OUTCOMES = new Set(['task.succeeded', 'task.failed', 'task.retrying', 'task.cancelled']);

/**
 * Resolves with the next `count` run outcomes the worker reports. Subscribe before enqueueing:
 * a task's result can be readable before its worker has reported the outcome.
 */
export function nextOutcomes(events$: Observable<WorkerEvent>, count: number) {
  return firstValueFrom(
    events$.pipe(
      filter((event) => OUTCOMES.has(event.type)),
      take(count),
      toArray(),
    ),
  );
}
