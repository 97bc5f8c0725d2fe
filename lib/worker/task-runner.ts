import { Observer, Subject } from 'rxjs';
import { Broker, RunRef } from '../broker/broker';
import { ClaimedTask } from '../broker/claimed-task';
import { errorSummary, Outcome, OutcomeResult } from '../broker/outcome';
import { WorkerEvent } from '../core/worker-event';
import { TaskRegistry } from '../discovery/task.registry';
import { ErrorDetails, SerializationError, TaskTimeoutError, toErrorDetails } from '../errors';
import { Serializer } from '../serialization/serializer';
import { Batcher } from './batcher';
import { ChildTasks } from './child-tasks';
import { EarlyCancels } from './early-cancels';
import { HandlerContexts } from './handler-context';
import { HandlerPools, NO_POOLS } from './handler-pools';
import { LentSlots } from './lent-slots';
import { OutcomeReporter } from './outcome-reporter';
import { ProgressWriter } from './progress-writer';
import { failure, failureStep } from './retry-policy';
import { RunDecoder } from './run-decoder';
import { RunHooks } from './run-hooks';
import { Settler } from './settler';
import { AbortCause, Ending, TaskRun } from './task-run';

/**
 * Runs claimed tasks: decodes arguments, calls the handler inside its task context, enforces
 * the timeout, and records exactly one outcome through the fenced broker scripts.
 */
export class TaskRunner {
  /** By `id:attempt`: a worker may hold a hung run and a newer run of the same task at once. */
  private readonly runs = new Map<string, TaskRun>();

  /**
   * Runs whose handler ended and whose outcome is not written yet (Redis slow or away): the
   * task is still this worker's, so its lease is renewed until the outcome lands. Otherwise an
   * outage longer than the lease lets a sweep take the task back and run it again, although
   * its outcome is here waiting to be written.
   */
  private readonly recording = new Set<TaskRun>();

  private readonly earlyCancels = new EarlyCancels();
  /**
   * Reads the cancel flags of the runs in flight (a lease renewal does), set by the worker: a
   * run starts whose cancel may have been heard before it.
   */
  onEarlyCancel?: () => void;
  private readonly slots: LentSlots;
  private readonly batcher: Batcher;
  private readonly decoder: RunDecoder;
  private readonly contexts: HandlerContexts;
  private readonly reporter: OutcomeReporter;

  constructor(
    registry: TaskRegistry,
    broker: Broker,
    private readonly settler: Settler,
    private readonly serializer: Serializer,
    private readonly events: Subject<WorkerEvent>,
    children: ChildTasks,
    private readonly hooks: RunHooks,
    private readonly progress: ProgressWriter,
    /** Told as soon as a handler ends (or lends its slot), before its outcome is written. */
    private readonly slotsFreed: Observer<void>,
    pools: HandlerPools = NO_POOLS,
  ) {
    this.slots = new LentSlots(slotsFreed);
    this.batcher = new Batcher(this.slots, slotsFreed);
    this.decoder = new RunDecoder(registry, serializer, hooks, pools, this.batcher);
    this.contexts = new HandlerContexts(
      broker,
      serializer,
      progress,
      children,
      this.slots,
      (run) => this.runs.get(run.key) === run,
    );
    this.reporter = new OutcomeReporter(broker, events, hooks);
  }

  /** The slots in use: runs, less those lent (waits, tasks in a batch), plus batch calls. */
  get size(): number {
    return this.runs.size - this.slots.count + this.batcher.slotsTaken;
  }

  /** Starts the batches that are ready, in up to `free` slots; returns how many it took. */
  startBatches(free: number): number {
    return this.batcher.startReady(free);
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
    const run = new TaskRun(task, this.contexts.contextOf);
    this.runs.set(run.key, run);
    this.events.next({ type: 'task.started', task: run.ref });
    // Its cancel may have come before its claim's reply did (see EarlyCancels): the task's
    // cancel flag is read now (the id may also be a new task's, which no cancel concerns).
    if (this.earlyCancels.take(task.id)) this.onEarlyCancel?.();
    const ending = await this.execute(run);
    this.runs.delete(run.key);
    this.progress.forget(run.key);
    // Ended (timeout, cancel, lost lease) while it waited: the slot it lent is no one's now.
    this.slots.takeBack(run);
    // Free the slot before queueing the outcome: the consumer's next claim then joins the
    // same settle call as this outcome (one round trip per task, not two).
    this.slotsFreed.next();
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
    let found = false;
    for (const run of this.runs.values()) {
      if (run.task.id !== id || run.cause) continue;
      if (attempt !== undefined && run.task.attempt !== attempt) continue;
      found = true;
      run.abort(
        cause,
        cause === 'timeout' ? new TaskTimeoutError(run.task.name, run.task.timeout ?? 0) : cause,
      );
    }
    if (!found && cause === 'cancel') this.earlyCancels.add(id);
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
      call = this.decoder.prepare(run);
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

  /** Records the outcome; resolves once the hooks it fired have run. */
  private async record(run: TaskRun, ending: Ending): Promise<void> {
    if (run.cause === 'lease-lost') return this.report(run, 'fenced', ending);
    const { id, attempt, slot } = run.task;
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
    if (run.cause === 'cancel') {
      const cancelled = await this.settler.record({ kind: 'cancel', id, attempt, slot });
      return this.report(run, cancelled, ending);
    }
    const details = toErrorDetails(ending.error);
    const error = JSON.stringify(details);
    const summary = errorSummary(details);
    const step = failureStep(run.task, ending);
    if (step.kind === 'fail') {
      const outcome: Outcome = { kind: 'fail', id, attempt, error, summary, slot };
      return this.report(run, await this.settler.record(outcome), ending, details);
    }
    const { delayMs } = step;
    const outcome: Outcome = { kind: 'retry', id, attempt, error, summary, delayMs, slot };
    return this.report(run, await this.settler.record(outcome), ending, details, delayMs);
  }

  /** Written (or refused): no lease to keep while its hooks run. Then the reporter's turn. */
  private report(
    run: TaskRun,
    result: OutcomeResult,
    ending: Ending,
    error?: ErrorDetails,
    delayMs?: number,
  ): Promise<void> | undefined {
    this.recording.delete(run);
    return this.reporter.report(run, result, ending, error, delayMs);
  }

  /** The lease keeper found the record of running task `id` gone (see announceVanished). */
  reportVanished(id: string): void {
    for (const run of this.runs.values()) {
      if (run.task.id === id && !run.cause) this.reporter.announceVanished(run.task);
    }
  }
}

function runRefOf(task: ClaimedTask): RunRef {
  return { id: task.id, attempt: task.attempt, slot: task.slot };
}
