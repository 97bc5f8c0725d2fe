import { Subject } from 'rxjs';
import { Broker } from '../broker/broker';
import { ClaimedTask } from '../broker/claimed-task';
import { OutcomeResult } from '../broker/outcome';
import { WorkerEvent } from '../core/worker-event';
import { ErrorDetails } from '../errors';
import { RunHooks } from './run-hooks';
import { Ending, TaskRun } from './task-run';

/**
 * Tells the app what became of a run once Redis answered for its outcome: the event on
 * `WorkerService.events$`, then the outcome hooks (when the app has any), and followers of a
 * task whose record vanished an UNKNOWN event.
 */
export class OutcomeReporter {
  constructor(
    private readonly broker: Broker,
    private readonly events: Subject<WorkerEvent>,
    private readonly hooks: RunHooks,
  ) {}

  /**
   * Reports `result`, what Redis did with the run's outcome; `error` for a failure or retry,
   * `delayMs` for a retry. Resolves once the hooks it fired have run.
   */
  report(
    run: TaskRun,
    result: OutcomeResult,
    ending: Ending,
    error?: ErrorDetails,
    delayMs?: number,
  ): Promise<void> | undefined {
    const task = run.ref;
    if (result === 'fenced') return void this.events.next({ type: 'task.lease-lost', task });
    if (result === 'missing') return void this.announceVanished(run.task);
    const durationMs = Date.now() - run.startedAt;
    const { args } = run;
    if (result === 'cancelled') {
      this.events.next({ type: 'task.cancelled', task, durationMs });
      return this.hooks.active ? this.hooks.fire('cancel', { task, args, durationMs }) : undefined;
    }
    if (!error) {
      this.events.next({ type: 'task.succeeded', task, durationMs });
      if (!this.hooks.active) return undefined;
      const value = ending.ok ? ending.value : undefined;
      return this.hooks.fire('success', { task, args: args ?? [], result: value, durationMs });
    }
    const cause = ending.ok ? undefined : ending.error;
    if (delayMs === undefined) {
      this.events.next({ type: 'task.failed', task, error, durationMs });
      if (!this.hooks.active) return undefined;
      return this.hooks.fire('failure', { task, args, error, cause, durationMs });
    }
    this.events.next({ type: 'task.retrying', task, error, delayMs, durationMs });
    if (!this.hooks.active) return undefined;
    return this.hooks.fire('retry', { task, args: args ?? [], error, cause, delayMs, durationMs });
  }

  /**
   * The task's record vanished while it ran (Redis lost its data): nothing will ever change
   * it again, so its followers are told with an UNKNOWN event, or they would wait forever.
   */
  announceVanished(task: ClaimedTask): void {
    const error = new Error(
      `task ${task.id} vanished from Redis while it ran (its data was lost: a restart ` +
        'without persistence, FLUSHALL or a failover?); its followers are told it is UNKNOWN',
    );
    this.events.next({ type: 'worker.error', error });
    this.broker
      .reportVanished(task)
      .catch((failed: Error) => this.events.next({ type: 'worker.error', error: failed }));
  }
}
