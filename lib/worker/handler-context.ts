import { Broker, RunRef } from '../broker/broker';
import { InvalidOptionsError, WaitCycleError } from '../errors';
import type { TaskHandle } from '../queue/task-handle';
import type { ResultOptions } from '../results/result-options';
import { Serializer } from '../serialization/serializer';
import { checkBoolean, checkKnownKeys, checkObject, checkTaskId } from '../validation/checks';
import { ChildTasks } from './child-tasks';
import { LentSlots } from './lent-slots';
import { ProgressWriter } from './progress-writer';
import { ProgressOptions, TaskContext } from './task-context';
import { TaskRun } from './task-run';

/**
 * What a handler can do through `taskContext()`: report progress, enqueue children and wait
 * for other tasks. A context is made when a handler first asks for it (see TaskRun).
 */
export class HandlerContexts {
  constructor(
    private readonly broker: Broker,
    private readonly serializer: Serializer,
    private readonly progress: ProgressWriter,
    private readonly children: ChildTasks,
    private readonly slots: LentSlots,
    /** False once the run ended (timed out, cancelled, lost its lease) though its handler goes on. */
    private readonly isRunning: (run: TaskRun) => boolean,
  ) {}

  /** The context a handler sees, made when it first calls taskContext(). */
  readonly contextOf = (run: TaskRun): TaskContext => {
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
    if (!this.isRunning(run)) return Promise.resolve();
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
    const waiter: RunRef = { id: run.task.id, attempt: run.task.attempt, slot: run.task.slot };
    const cycle = await this.broker.waitFor(waiter, ids, queues);
    if (cycle) throw new WaitCycleError(cycle);
    run.waits++;
    // A run that already ended (its handler went on regardless) holds no slot to lend.
    if (this.isRunning(run)) this.slots.lend(run);
    try {
      return await this.children.results(
        ids.map((id, i) => ({ id, queue: queues[i] })),
        options,
      );
    } finally {
      if (--run.waits === 0) this.slots.takeBack(run);
      await this.broker.waitOver(waiter).catch(() => undefined);
    }
  }
}
