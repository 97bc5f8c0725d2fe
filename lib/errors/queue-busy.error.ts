import { TaskmillError } from './taskmill.error';

/** `obliterate()` refused: tasks of the queue are running. Nothing was deleted. */
export class QueueBusyError extends TaskmillError {
  constructor(
    readonly queue: string,
    readonly running: number,
  ) {
    super(
      `Queue "${queue}" has ${running} running task(s), so obliterate() deleted nothing. ` +
        `Pause the queue and wait until stats() shows no running task, or pass ` +
        `{ force: true } to delete them anyway (their workers' outcomes are then dropped).`,
    );
  }
}
