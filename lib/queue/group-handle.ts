import { ResultOptions, TaskHandle } from './task-handle';

/** Follows tasks that run in parallel: a group, or the parts of a chord. */
export class GroupHandle {
  constructor(
    readonly id: string,
    /** One handle per task, in the order they were given. */
    readonly parts: TaskHandle[],
  ) {}

  /**
   * Every task's result, in the order the tasks were given (Promise.all semantics: rejects
   * with the first failure seen). `timeout` applies to each task.
   */
  results(options: ResultOptions = {}): Promise<unknown[]> {
    return Promise.all(this.parts.map((part) => part.result(options)));
  }
}

/** Follows a chord: its parts, and the callback that runs once with all their results. */
export class ChordHandle<R = unknown> extends GroupHandle {
  constructor(
    id: string,
    parts: TaskHandle[],
    /** Runs once every part succeeded, with their results as `taskContext().previous`. */
    readonly callback: TaskHandle<R>,
  ) {
    super(id, parts);
  }

  /**
   * The callback's result. Rejects with TaskFailedError (remote name `ChordPartFailedError`,
   * naming the part) when a part failed or was cancelled: the callback then never runs.
   */
  result(options: ResultOptions = {}): Promise<R> {
    return this.callback.result(options);
  }
}
