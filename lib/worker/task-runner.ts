import { Subject } from 'rxjs';
import { Broker, RunRef } from '../broker/broker';
import { ClaimedTask } from '../broker/claimed-task';
import { errorSummary, Outcome, OutcomeResult } from '../broker/outcome';
import { TaskRegistry } from '../discovery/task.registry';
import {
  CorruptTaskError,
  ErrorDetails,
  NonRetryableError,
  SerializationError,
  TaskTimeoutError,
  toErrorDetails,
  UnknownTaskError,
  InvalidOptionsError,
  WaitCycleError,
} from '../errors';
import { Serializer } from '../serialization/serializer';
import { computeBackoff } from './backoff';
import { RunHooks } from './run-hooks';
import { Settler } from './settler';
import type { ResultOptions, TaskHandle } from '../queue/task-handle';
import type { EnqueueOptions } from '../options/task.options';
import { checkBoolean, checkKnownKeys, checkObject, checkTaskId } from '../validation/checks';
import { ProgressWriter } from './progress-writer';
import { ProgressOptions, runInTaskContext, TaskContext } from './task-context';
import { AbortCause, Ending, RunExtras, TaskRun } from './task-run';
import { WorkerEvent } from './worker-event';

/** How a handler enqueues and follows other tasks (the QueueService, in a worker). */
export interface ChildTasks {
  enqueue(task: string, args?: unknown[], options?: EnqueueOptions): Promise<TaskHandle>;
  /** Every result, in order (one listener per queue however many ids). */
  results(tasks: { id: string; queue?: string }[], options?: ResultOptions): Promise<unknown[]>;
}

/**
 * Runs claimed tasks: decodes arguments, calls the handler inside its task context, enforces
 * the timeout, and records exactly one outcome through the fenced broker scripts.
 */
export class TaskRunner {
  /** By `id:attempt`: a worker may hold a hung run and a newer run of the same task at once. */
  private readonly runs = new Map<string, TaskRun>();

  /** Called as soon as a handler ends, before its outcome is written: the slot is free. */
  onSlotFreed: () => void = () => undefined;

  /** Runs in `runs` waiting for other tasks (taskContext().waitFor): they hold no slot. */
  private waiting = 0;

  /**
   * Runs whose handler ended and whose outcome is not written yet (Redis slow or away): the
   * task is still this worker's, so its lease is renewed until the outcome lands. Otherwise an
   * outage longer than the lease lets a sweep take the task back and run it again, although
   * its outcome is here waiting to be written.
   */
  private readonly recording = new Set<TaskRun>();

  constructor(
    private readonly registry: TaskRegistry,
    private readonly broker: Broker,
    private readonly settler: Settler,
    private readonly serializer: Serializer,
    private readonly events: Subject<WorkerEvent>,
    private readonly children: ChildTasks,
    private readonly hooks: RunHooks,
    private readonly progress: ProgressWriter,
  ) {}

  /** The slots in use. */
  get size(): number {
    return this.runs.size - this.waiting;
  }

  /** Ids and attempts of the runs in flight or being recorded, for lease renewal. */
  inFlight(): RunRef[] {
    const refs: RunRef[] = [];
    for (const { task } of this.runs.values()) refs.push(runRefOf(task));
    for (const { task } of this.recording) refs.push(runRefOf(task));
    return refs;
  }

  /** Runs the task to one recorded outcome; never rejects. */
  async run(task: ClaimedTask): Promise<void> {
    const run = new TaskRun(task, this.contextOf);
    this.runs.set(run.key, run);
    this.events.next({ type: 'task.started', task: run.ref });
    const ending = await this.execute(run);
    this.runs.delete(run.key);
    this.progress.forget(run.key);
    // Ended (timeout, cancel, lost lease) while it waited: the slot it lent is no one's now.
    this.takeSlotBack(run);
    // Free the slot before queueing the outcome: the consumer's next claim then joins the
    // same settle call as this outcome (one round trip per task, not two).
    this.onSlotFreed();
    if (run.released) return;
    this.recording.add(run);
    try {
      const recording = this.record(run, ending);
      if (this.hooks.active) this.hooks.recorded(task.id, recording);
      await recording;
    } catch (error) {
      this.events.next({ type: 'worker.error', error: error as Error });
    } finally {
      this.recording.delete(run);
    }
  }

  /**
   * Aborts the signal of the task's runs here (only run `attempt` when given); their outcome
   * is then recorded according to `cause`.
   */
  abort(id: string, cause: AbortCause, attempt?: number): void {
    for (const run of this.runs.values()) {
      if (run.task.id !== id || run.cause) continue;
      if (attempt !== undefined && run.task.attempt !== attempt) continue;
      run.abort(
        cause,
        cause === 'timeout' ? new TaskTimeoutError(run.task.name, run.task.timeout ?? 0) : cause,
      );
    }
  }

  /** Shutdown: hands every run still in flight back to its queue. */
  async releaseAll(): Promise<void> {
    // Reversed claim order: each release goes to the head of its list, so the oldest must go last.
    const runs = [...this.runs.values()].filter((run) => !run.released).reverse();
    await Promise.all(
      runs.map(async (run) => {
        run.released = true;
        this.abort(run.task.id, 'shutdown', run.task.attempt);
        const { id, attempt, slot } = run.task;
        try {
          const result = await this.settler.record({ kind: 'release', id, attempt, slot });
          if (result === 'recorded') this.events.next({ type: 'task.released', task: run.ref });
        } catch (error) {
          // Redis unreachable: the task's lease runs out and the sweep hands it on.
          this.events.next({ type: 'worker.error', error: error as Error });
        }
      }),
    );
  }

  private execute(run: TaskRun): Promise<Ending> {
    const { task } = run;
    let call: () => unknown;
    try {
      call = this.prepare(run);
    } catch (error) {
      return Promise.resolve({ ok: false, error, final: true });
    }
    return new Promise<Ending>((resolve) => {
      const timer =
        task.timeout === undefined
          ? undefined
          : setTimeout(() => this.abort(task.id, 'timeout', task.attempt), task.timeout);
      // The first ending counts: the handler's, or an abort's (see abort()). A handler that
      // ignores its signal runs on unobserved.
      const end = (ending: Ending) => {
        clearTimeout(timer);
        resolve(ending);
      };
      run.end = end;
      // Called here, not from a microtask: the handler's own promise is the only one a run
      // needs (each promise costs more while the task context's async hooks are on).
      let result: unknown;
      try {
        result = call();
      } catch (error) {
        return end(failure(error));
      }
      Promise.resolve(result).then(
        (value) => end({ ok: true, value }),
        (error: unknown) => end(failure(error)),
      );
    });
  }

  /** Resolves the handler and decodes the arguments; throws CorruptTaskError-like errors. */
  private prepare(run: TaskRun): () => unknown {
    const { task } = run;
    if (task.corrupt) throw new CorruptTaskError(`Task ${task.id} is corrupted: ${task.corrupt}`);
    const definition = this.registry.get(task.name);
    if (!definition) {
      throw new UnknownTaskError(
        task.name,
        `no @Task handler with this name in the worker that claimed it from queue ` +
          `"${task.queue}"${didYouMean(this.registry.suggest(task.name))}`,
      );
    }
    const args = this.serializer.deserialize(task.args);
    if (!Array.isArray(args))
      throw new CorruptTaskError(`arguments of task ${task.id} are not an array`);
    // Decoded now, so that bad data fails the run before its handler starts.
    if (task.metadata || task.previous || task.previousError) run.extras = this.extrasOf(task);
    run.args = args;
    const handler = () => definition.handler(...args);
    // Start hooks run inside the task context and the run's race with its timeout and abort.
    const call = this.hooks.active ? this.hooks.beforeHandler(run.ref, args, handler) : handler;
    return () => runInTaskContext(run, call);
  }

  private extrasOf(task: ClaimedTask): RunExtras {
    return {
      metadata: task.metadata
        ? (this.serializer.deserialize(task.metadata) as Record<string, unknown>)
        : undefined,
      previous: this.previousOf(task),
      previousError: task.previousError
        ? (JSON.parse(task.previousError) as ErrorDetails)
        : undefined,
    };
  }

  /** The context a handler sees, made when it first calls taskContext(). */
  private readonly contextOf = (run: TaskRun): TaskContext => {
    const { task, extras } = run;
    return {
      id: task.id,
      name: task.name,
      queue: task.queue,
      attempt: task.attempt,
      get signal() {
        return run.signal;
      },
      metadata: extras?.metadata,
      previous: extras?.previous,
      previousError: extras?.previousError,
      progress: (value, options) => this.publishProgress(run, value, options),
      enqueueChild: (name, args, options) => this.children.enqueue(name, args, options),
      waitFor: (tasks, options) => this.waitFor(run, tasks, options),
    };
  };

  /** taskContext().progress(): bad input rejects at once; Redis trouble does not (see ProgressWriter). */
  private publishProgress(run: TaskRun, value: unknown, options?: ProgressOptions): Promise<void> {
    let json: string;
    let confirm: boolean;
    try {
      const checked = checkObject(options ?? {}, 'options');
      checkKnownKeys(checked, ['confirm'], '');
      confirm = checked.confirm === undefined ? false : checkBoolean(checked.confirm, 'confirm');
      json = this.serializer.serialize(value, 'progress');
    } catch (error) {
      return Promise.reject(error);
    }
    // A handler that outlived its run (timed out, cancelled, lease lost): Redis would refuse
    // the write anyway (fenced by attempt).
    if (this.runs.get(run.key) !== run) return Promise.resolve();
    return confirm
      ? this.progress.writeConfirmed(run.key, run.task, json)
      : this.progress.write(run.key, run.task, json);
  }

  /**
   * A handler waits for other tasks: recorded in Redis first (refused if it closes a cycle),
   * then its slot is lent to other work until the results are in.
   */
  private async waitFor(
    run: TaskRun,
    tasks: (TaskHandle | string)[],
    options?: ResultOptions,
  ): Promise<unknown[]> {
    if (!Array.isArray(tasks) || tasks.length === 0) {
      throw new InvalidOptionsError('tasks', 'must be a non-empty array of handles or ids');
    }
    const ids = tasks.map((task, i) =>
      checkTaskId(typeof task === 'string' ? task : task?.id, `tasks[${i}]`),
    );
    const queues = tasks.map((task) => (typeof task === 'string' ? undefined : task.queue));
    const waiter = runRefOf(run.task);
    const cycle = await this.broker.waitFor(waiter, ids, queues);
    if (cycle) throw new WaitCycleError(cycle);
    run.waits++;
    // A run that already ended (its handler went on regardless) holds no slot to lend.
    if (!run.lentSlot && this.runs.get(run.key) === run) {
      run.lentSlot = true;
      this.waiting++;
      this.onSlotFreed();
    }
    try {
      return await this.children.results(
        ids.map((id, i) => ({ id, queue: queues[i] })),
        options,
      );
    } finally {
      if (--run.waits === 0) this.takeSlotBack(run);
      await this.broker.waitOver(waiter).catch(() => undefined);
    }
  }

  private takeSlotBack(run: TaskRun): void {
    if (!run.lentSlot) return;
    run.lentSlot = false;
    this.waiting--;
  }

  /** A chain step's previous result, or a chord callback's results (in the parts' order). */
  private previousOf(task: ClaimedTask): unknown {
    if (!task.previous) return undefined;
    if (!task.joined) return this.serializer.deserialize(task.previous);
    return (JSON.parse(task.previous) as string[]).map((result) =>
      result === '' ? undefined : this.serializer.deserialize(result),
    );
  }

  /** Records the outcome; resolves once the hooks it fired have run. */
  private async record(run: TaskRun, ending: Ending): Promise<void> {
    if (run.cause === 'lease-lost') return this.report(run, 'fenced', ending);
    const { id, attempt, failures, retries, backoff, slot } = run.task;
    if (ending.ok) {
      let result: string;
      try {
        result =
          ending.value === undefined ? '' : this.serializer.serialize(ending.value, 'result');
      } catch (error) {
        return this.record(run, { ok: false, error, final: error instanceof SerializationError });
      }
      const recorded = await this.settler.record({ kind: 'complete', id, attempt, result, slot });
      return this.report(run, recorded, ending);
    }
    const details = toErrorDetails(run.cause === 'cancel' ? 'cancelled' : ending.error);
    const error = JSON.stringify(details);
    const summary = errorSummary(details);
    const final =
      ending.final || ending.error instanceof CorruptTaskError || failures + 1 > retries;
    if (final || run.cause === 'cancel') {
      const outcome: Outcome = { kind: 'fail', id, attempt, error, summary, slot };
      return this.report(run, await this.settler.record(outcome), ending, details);
    }
    const delayMs = computeBackoff(backoff, failures + 1);
    const outcome: Outcome = { kind: 'retry', id, attempt, error, summary, delayMs, slot };
    return this.report(run, await this.settler.record(outcome), ending, details, delayMs);
  }

  /** Reports the recorded outcome on events$, then runs its hooks (when the app has any). */
  private report(
    run: TaskRun,
    result: OutcomeResult,
    ending: Ending,
    error?: ErrorDetails,
    delayMs?: number,
  ): Promise<void> | undefined {
    // Written (or refused): no lease to keep while its hooks run.
    this.recording.delete(run);
    const task = run.ref;
    if (result === 'fenced') return void this.events.next({ type: 'task.lease-lost', task });
    if (result === 'missing') return void this.announceVanished(run.task);
    const durationMs = Date.now() - run.startedAt;
    const { args } = run;
    if (result === 'cancelled') {
      this.events.next({ type: 'task.cancelled', task });
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
      this.events.next({ type: 'task.failed', task, error });
      if (!this.hooks.active) return undefined;
      return this.hooks.fire('failure', { task, args, error, cause, durationMs });
    }
    this.events.next({ type: 'task.retrying', task, error, delayMs });
    if (!this.hooks.active) return undefined;
    return this.hooks.fire('retry', { task, args: args ?? [], error, cause, delayMs, durationMs });
  }

  /** The lease keeper found the record of running task `id` gone (see announceVanished). */
  reportVanished(id: string): void {
    for (const run of this.runs.values()) {
      if (run.task.id === id && !run.cause) this.announceVanished(run.task);
    }
  }

  /**
   * The task's record vanished while it ran (Redis lost its data): nothing will ever change
   * it again, so its followers are told with an UNKNOWN event, or they would wait forever.
   */
  private announceVanished(task: ClaimedTask): void {
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

function runRefOf(task: ClaimedTask): RunRef {
  return { id: task.id, attempt: task.attempt, slot: task.slot };
}

function failure(error: unknown): Ending {
  return { ok: false, error, final: error instanceof NonRetryableError };
}

/** `; did you mean "x"?` when a handler's name is that close, else ''. */
function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
}
