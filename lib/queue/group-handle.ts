import { ResultOptions } from '../results/result-options';
import { TaskHandle } from './task-handle';

/**
 * Follows tasks that run in parallel: a group, or the parts of a chord. `R` lists their result
 * types, in order (known for requests made with `taskCall(…)`, else unknown).
 */
export class GroupHandle<R extends readonly unknown[] = unknown[]> {
  constructor(
    readonly id: string,
    /** One handle per task, in the order they were given. */
    readonly parts: TaskHandle[],
  ) {}

  /**
   * Every task's result, in the order the tasks were given (Promise.all semantics: rejects
   * with the first failure seen). `timeout` applies to each task.
   */
  async results(options: ResultOptions = {}): Promise<R> {
    // The parts' handles are untyped; R is what the requests they came from said.
    const values: readonly unknown[] = await Promise.all(
      this.parts.map((part) => part.result(options)),
    );
    return values as R;
  }
}

/** Follows a chord: its parts, and the callback that runs once with all their results. */
export class ChordHandle<R = unknown> extends GroupHandle<unknown[]> {
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
