import { TaskmillError } from './taskmill.error';

const DEFAULT_ADVICE =
  'Check that Redis is running and that the "connection" option (or REDIS_URL) points at it.';

/**
 * Redis could not be reached, or answered in a way taskmill cannot work with. From a call that
 * writes new tasks (enqueue, enqueueMany, chain, group, chord), `taskIds` holds the ids the call
 * gave them: such a call that timed out may still have been written just before its reply was
 * lost, so retry it with those ids and `onDuplicate: 'return-matching'` (see docs/guide.md, "When an enqueue fails with ConnectionError").
 */
export class ConnectionError extends TaskmillError {
  constructor(
    private readonly detail: string,
    /**
     * Where taskmill tried to reach Redis and on which connection, e.g.
     * `10.0.0.5:6390 (command connection)` (never credentials); `detail` then says what
     * happened there ("did not answer within …", "could not be reached: …").
     */
    readonly endpoint?: string,
    private readonly advice = DEFAULT_ADVICE,
    /** The ids of the tasks the failed call was writing; empty for every other call. */
    readonly taskIds: readonly string[] = [],
  ) {
    super(
      `${endpoint === undefined ? 'Redis connection problem:' : `Redis at ${endpoint}`} ` +
        `${detail.replace(/[.\s]+$/, '')}. ${advice}` +
        (taskIds.length === 0
          ? ''
          : ` Task ids ${describeIds(taskIds)} are in error.taskIds: enqueue again with the same ` +
            `id and onDuplicate: 'return-matching', which returns the task if it was written ` +
            `and writes it otherwise.`),
    );
  }

  /** The same error for a call that was writing the tasks `taskIds`. */
  forTasks(taskIds: readonly string[]): ConnectionError {
    return new ConnectionError(this.detail, this.endpoint, this.advice, taskIds);
  }
}

/** A few ids are named; a long batch's are counted (they are all in taskIds). */
function describeIds(ids: readonly string[]): string {
  const named = ids.slice(0, 3).map((id) => `"${id}"`);
  return ids.length <= 3 ? named.join(', ') : `${named.join(', ')} and ${ids.length - 3} more`;
}
