import { TaskmillError } from '../errors';

/** `waitUntilIdle()` gave up while tasks were still waiting, due or running. */
export class IdleTimeoutError extends TaskmillError {
  constructor(
    readonly timeoutMs: number,
    /** What was still there, per queue: `{ queue, waiting, delayed, running }`. */
    readonly busy: readonly { queue: string; waiting: number; delayed: number; running: number }[],
  ) {
    super(
      `The queues were not idle within ${timeoutMs} ms: ` +
        busy
          .map(
            (q) => `"${q.queue}" ${q.waiting} waiting, ${q.delayed} delayed, ${q.running} running`,
          )
          .join('; ') +
        '. Wait longer (timeout), or check that a worker consumes these queues and that no ' +
        'task waits for something that never comes.',
    );
  }
}
